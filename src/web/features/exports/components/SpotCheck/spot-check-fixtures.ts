import type { FilePacket } from '../../../../../contract/export-file.ts';
import type { ExportSampleResponse } from '../../../../../contract/export-sample.ts';

// Packets and samples for the spot-check's tests: one image with every drawn instance type, a video
// with frame instances on two frames, a text with a two-token span.

const fileBlock = (id: number, name: string, type: 'image' | 'video' | 'text') => ({
  id,
  original_filename: name,
  type,
  created_time: '2024-03-04T08:00:00.000Z',
  ann_is_complete: true,
  blob_url: `/m/${name}`,
});
const common = (id: number, label: number) => ({
  id,
  label_file_id: label,
  attribute_groups: null,
});

/** An image, 400×300, with one instance of each drawn type. */
export const imagePacket: FilePacket = {
  file: { ...fileBlock(1, 'street.jpg', 'image'), type: 'image' },
  image: {
    width: 400,
    height: 300,
    rotation_degrees: 0,
    original_filename: 'street.jpg',
    image_signed_url: '/m/street.svg',
    image_signed_expiry: 1_900_000_000,
  },
  instance_list: [
    { ...common(11, 1), type: 'box', x_min: 10, y_min: 20, x_max: 110, y_max: 70 },
    {
      ...common(12, 2),
      type: 'polygon',
      points: [
        { x: 1, y: 1 },
        { x: 50, y: 1 },
        { x: 20, y: 40 },
      ],
      x_min: 1,
      y_min: 1,
      x_max: 50,
      y_max: 40,
    },
    {
      ...common(13, 2),
      type: 'line',
      points: [
        { x: 0, y: 299 },
        { x: 399, y: 200 },
      ],
      x_min: 0,
      y_min: 200,
      x_max: 399,
      y_max: 299,
    },
    { ...common(14, 1), type: 'point', points: [{ x: 30, y: 40 }] },
    {
      ...common(15, 1),
      type: 'ellipse',
      center_x: 200,
      center_y: 150,
      width: 80,
      height: 40,
      angle: Math.PI / 2,
    },
    {
      ...common(16, 1),
      type: 'cuboid',
      front_face: {
        top_left: { x: 100, y: 100 },
        top_right: { x: 150, y: 100 },
        bot_left: { x: 100, y: 150 },
        bot_right: { x: 150, y: 150 },
      },
      rear_face: {
        top_left: { x: 110, y: 90 },
        top_right: { x: 160, y: 90 },
        bot_left: { x: 110, y: 140 },
        bot_right: { x: 160, y: 140 },
      },
    },
    {
      ...common(17, 3),
      type: 'keypoints',
      nodes: [
        { id: 'a', name: 'head', x: 300, y: 50, occluded: false },
        { id: 'b', name: 'hip', x: 300, y: 120, occluded: true },
      ],
      edges: [{ from: 'a', to: 'b' }],
    },
    { id: 18, type: 'global', label_file_id: null, attribute_groups: null },
  ],
};

const frameInstance = (id: number, frame: number) => ({
  ...common(id, 1),
  type: 'box' as const,
  x_min: 10 + frame,
  y_min: 10,
  x_max: 60 + frame,
  y_max: 50,
  frame_number: frame,
  global_frame_number: frame,
  local_sequence_number: 0,
  number: 1,
  interpolated: false,
});

/** A video, 640×360, with box instances on frames 3 (one) and 9 (two). */
export const videoPacket: FilePacket = {
  file: { ...fileBlock(2, 'clip.mp4', 'video'), type: 'video' },
  video: {
    width: 640,
    height: 360,
    frame_rate: 30,
    frame_count: 100,
    original_fps: 30,
    fps_conversion_ratio: 1,
    offset_in_seconds: 0,
    global_frame_start: 0,
    mp4_video_signed_url: '/m/clip.mp4',
    mp4_video_signed_expiry: 1_900_000_000,
  },
  parent_instance_list: [],
  sequence_list: [
    {
      id: 1,
      label_file_id: 1,
      number: 1,
      keyframe_list: [3, 9],
      single_frame: false,
      instance_list: [frameInstance(21, 9), frameInstance(22, 3), frameInstance(23, 9)],
    },
  ],
};

/** A text of four tokens, tokens 1–2 labelled "place". */
export const textPacket: FilePacket = {
  file: { ...fileBlock(3, 'note.txt', 'text'), type: 'text' },
  text: {
    original_filename: 'note.txt',
    tokens: [
      { id: 0, text: 'near', start_char: 0, end_char: 4 },
      { id: 1, text: 'Main', start_char: 5, end_char: 9 },
      { id: 2, text: 'Street', start_char: 10, end_char: 16 },
      { id: 3, text: 'today', start_char: 17, end_char: 22 },
    ],
    signed_url: '/m/note.txt',
    signed_expiry: 1_900_000_000,
  },
  instance_list: [
    {
      ...common(31, 2),
      type: 'text_token',
      start_char: 5,
      end_char: 16,
      start_token: 1,
      end_token: 2,
    },
  ],
};

/** The labels of these packets. */
export const sampleLabels = {
  labelMap: { '1': 'car', '2': 'place', '3': 'pedestrian' },
  labelColourMap: {
    '1': { hex: '#e6194b', rgba: { r: 230, g: 25, b: 75, a: 1 } },
    '2': { hex: '#3cb44b', rgba: { r: 60, g: 180, b: 75, a: 1 } },
    '3': { hex: '#4363d8', rgba: { r: 67, g: 99, b: 216, a: 1 } },
  },
};

/** A sample answer holding `files`. */
export function buildSample(
  files: FilePacket[],
  overrides: Partial<ExportSampleResponse> = {},
): ExportSampleResponse {
  return {
    export_id: 7,
    mode: 'random',
    seed: 42,
    file_count: files.length,
    label_map: sampleLabels.labelMap,
    label_colour_map: sampleLabels.labelColourMap,
    files,
    missing_file_ids: [],
    ...overrides,
  };
}
