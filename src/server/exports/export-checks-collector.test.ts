import { describe, expect, it } from 'vitest';
import { checkWarnings, exportChecksSchema } from '../../contract/export-checks.ts';
import type { ExportChecks } from '../../contract/export-checks.ts';
import type {
  AnyInstance,
  ExportFileMetadata,
  FilePacket,
  ImageFilePacket,
  Instance,
  TextFilePacket,
  VideoFilePacket,
  VideoFrameInstance,
} from '../../contract/export-file.ts';
import { ExportChecksCollector } from './export-checks-collector.ts';
import type { ChecksContext } from './export-checks-collector.ts';

// The collector on hand-built packets: every check value with data made to trip it and data that
// must not, without a database (the writer and worker tests feed it real files).

const fileBlock = (id: number) => ({
  id,
  original_filename: `file-${id}`,
  created_time: '2024-03-06T09:30:00.000Z',
  ann_is_complete: true,
  blob_url: `https://media.example.com/${id}`,
});

function image(
  id: number,
  instances: Instance[],
  size: { width: number | null; height: number | null } = { width: 100, height: 50 },
): ImageFilePacket {
  return {
    file: { ...fileBlock(id), type: 'image' },
    image: {
      ...size,
      rotation_degrees: 0,
      original_filename: `file-${id}`,
      image_signed_url: 'u',
      image_signed_expiry: 1,
    },
    instance_list: instances,
  };
}

function video(
  id: number,
  parent: AnyInstance[],
  sequenceInstances: VideoFrameInstance[],
  frameCount: number | null = 10,
  size: { width: number | null; height: number | null } = { width: 100, height: 50 },
): VideoFilePacket {
  return {
    file: { ...fileBlock(id), type: 'video' },
    video: {
      ...size,
      frame_rate: 10,
      frame_count: frameCount,
      original_fps: 10,
      fps_conversion_ratio: null,
      offset_in_seconds: null,
      global_frame_start: 0,
      mp4_video_signed_url: 'u',
      mp4_video_signed_expiry: 1,
    },
    parent_instance_list: parent,
    sequence_list: [
      {
        id: 1,
        label_file_id: 1,
        number: 1,
        keyframe_list: [],
        single_frame: false,
        instance_list: sequenceInstances,
      },
    ],
  };
}

function text(id: number, instances: Instance[]): TextFilePacket {
  return {
    file: { ...fileBlock(id), type: 'text' },
    text: { original_filename: `file-${id}`, tokens: [], signed_url: 'u', signed_expiry: 1 },
    instance_list: instances,
  };
}

const common = (id: number, label = 1) => ({ id, label_file_id: label, attribute_groups: null });

const box = (id: number, x_min: number, y_min: number, x_max: number, y_max: number): Instance => ({
  ...common(id),
  type: 'box',
  x_min,
  y_min,
  x_max,
  y_max,
});

const pointsOf = (coordinates: [number, number][]) => coordinates.map(([x, y]) => ({ x, y }));

const polygon = (id: number, coordinates: [number, number][]): Instance => ({
  ...common(id),
  type: 'polygon',
  x_min: 0,
  y_min: 0,
  x_max: 1,
  y_max: 1,
  points: pointsOf(coordinates),
});

const line = (id: number, coordinates: [number, number][]): Instance => ({
  ...common(id),
  type: 'line',
  x_min: 0,
  y_min: 0,
  x_max: 1,
  y_max: 1,
  points: pointsOf(coordinates),
});

const point = (id: number, x: number, y: number): Instance => ({
  ...common(id),
  type: 'point',
  points: [{ x, y }],
});

const ellipse = (id: number, centre_x: number, centre_y: number, width: number): Instance => ({
  ...common(id),
  type: 'ellipse',
  center_x: centre_x,
  center_y: centre_y,
  width,
  height: width,
  angle: 0.5,
});

function cuboid(id: number, rearShift: number): Instance {
  const face = (d: number) => ({
    top_left: { x: 10 + d, y: 10 + d },
    top_right: { x: 20 + d, y: 10 + d },
    bot_left: { x: 10 + d, y: 20 + d },
    bot_right: { x: 20 + d, y: 20 + d },
  });
  return { ...common(id), type: 'cuboid', front_face: face(0), rear_face: face(rearShift) };
}

const keypoints = (id: number, coordinates: [number, number][]): Instance => ({
  ...common(id),
  type: 'keypoints',
  nodes: coordinates.map(([x, y], index) => ({
    id: `n${index}`,
    name: `node ${index}`,
    x,
    y,
    occluded: false,
  })),
  edges: [],
});

const tokenSpan = (id: number): Instance => ({
  ...common(id, 2),
  type: 'text_token',
  start_char: 0,
  end_char: 3,
  start_token: 0,
  end_token: 0,
});

const global = (id: number): Instance => ({ ...common(id), label_file_id: null, type: 'global' });

function onFrame(instance: Instance, frame: number): VideoFrameInstance {
  return {
    ...instance,
    frame_number: frame,
    global_frame_number: frame,
    local_sequence_number: null,
    number: null,
    interpolated: false,
  };
}

const removed = (instance: Instance): Instance => ({ ...instance, removed: true });

const head = {
  readme: {},
  label_map: { '1': 'car', '2': 'person', '3': 'unused' },
  label_colour_map: {},
  export_info: {} as ExportFileMetadata['export_info'],
  attribute_groups_reference: [],
} satisfies ExportFileMetadata;

const context: ChecksContext = {
  expectedFileCount: null,
  selected: { fileCount: 0, instanceCount: 0 },
  tasks: null,
};

/** The check values of `packets` (checked against the contract, as the repository reads them back). */
function checksOf(packets: FilePacket[], given: ChecksContext = context): ExportChecks {
  const collector = new ExportChecksCollector();
  collector.onHead(head);
  for (const packet of packets) collector.onPacket(packet.file.id, packet);
  return exportChecksSchema.parse(collector.result(given));
}

const ids = (finding: { examples: { instance_id: number | null }[] }) =>
  finding.examples.map((example) => example.instance_id);

describe('export check values', () => {
  it('counts instances per label (most first, named from label_map) and per type, files per type', () => {
    const checks = checksOf([
      image(1, [
        box(10, 1, 1, 5, 5),
        box(11, 1, 1, 5, 5),
        { ...point(12, 1, 1), label_file_id: 2 },
      ]),
      text(2, [tokenSpan(20), { ...tokenSpan(21), label_file_id: 9 }, global(22)]),
      video(3, [global(30)], [onFrame(box(31, 1, 1, 5, 5), 0)]),
    ]);
    expect(checks.instances_per_label).toEqual([
      { label_file_id: 1, name: 'car', count: 3 },
      { label_file_id: 2, name: 'person', count: 2 },
      { label_file_id: 9, name: 'label 9 (not in label_map)', count: 1 },
    ]);
    expect(checks.instances_per_type).toEqual({ box: 3, point: 1, text_token: 2, global: 2 });
    expect(checks.files_per_type).toEqual({ image: 1, text: 1, video: 1 });
    expect(checks.expected_vs_written).toMatchObject({
      written_file_count: 3,
      written_instance_count: 8,
    });
  });

  it('finds files without instances, and not files whose only instance is global or removed', () => {
    const checks = checksOf([
      image(1, []),
      image(2, [global(20)]),
      image(3, [removed(box(30, 1, 1, 5, 5))]),
      text(4, []),
      video(5, [], []),
    ]);
    expect(checks.files_without_instances.count).toBe(3);
    expect(checks.files_without_instances.examples).toEqual([
      { file_id: 1, instance_id: null, frame_number: null },
      { file_id: 4, instance_id: null, frame_number: null },
      { file_id: 5, instance_id: null, frame_number: null },
    ]);
  });

  it('finds every geometry type outside its image, and none on or inside the edges', () => {
    const checks = checksOf([
      image(1, [
        box(10, -1, 0, 5, 5),
        box(11, 0, 0, 101, 50),
        polygon(12, [
          [0, 0],
          [10, 0],
          [10, 51],
        ]),
        line(13, [
          [0, 0],
          [-0.5, 10],
        ]),
        point(14, 100.5, 10),
        ellipse(15, 100, 60, 4),
        cuboid(16, 85),
      ]),
      image(2, [
        box(20, 0, 0, 100, 50),
        polygon(21, [
          [0, 0],
          [100, 0],
          [100, 50],
        ]),
        line(22, [
          [0, 0],
          [100, 50],
        ]),
        point(23, 100, 50),
        // Its centre is inside: a big ellipse is not flagged (see the module comment).
        ellipse(24, 99, 49, 40),
        cuboid(25, 30),
        tokenSpan(26),
        global(27),
      ]),
    ]);
    expect(checks.geometry.outside_bounds.count).toBe(7);
    expect(ids(checks.geometry.outside_bounds)).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(checks.geometry.keypoints_outside.count).toBe(0);
    expect(checkWarnings(checks).map((warning) => warning.key)).toEqual([
      'geometry.outside_bounds',
    ]);
  });

  it('finds zero-area boxes (no width or no height), not boxes of one pixel', () => {
    const checks = checksOf([
      image(1, [box(10, 5, 5, 5, 9), box(11, 5, 9, 8, 5), box(12, 5, 5, 6, 6)]),
    ]);
    expect(checks.geometry.zero_area_boxes).toEqual({
      count: 2,
      examples: [
        { file_id: 1, instance_id: 10, frame_number: null },
        { file_id: 1, instance_id: 11, frame_number: null },
      ],
    });
  });

  it('finds polygons with fewer than 3 points, not triangles', () => {
    const checks = checksOf([
      image(1, [
        polygon(10, [
          [1, 1],
          [2, 2],
        ]),
        polygon(11, []),
        polygon(12, [
          [1, 1],
          [2, 2],
          [3, 1],
        ]),
      ]),
    ]);
    expect(checks.geometry.polygons_under_3_points.count).toBe(2);
    expect(ids(checks.geometry.polygons_under_3_points)).toEqual([10, 11]);
  });

  it('finds video instances at or past the frame count, with their frame, not on the last frame', () => {
    const checks = checksOf([
      video(
        1,
        [onFrame(box(10, 1, 1, 5, 5), 10), global(11)],
        [onFrame(box(12, 1, 1, 5, 5), 9), onFrame(box(13, 1, 1, 5, 5), 12)],
      ),
      // No frame count: nothing to check against.
      video(2, [], [onFrame(box(20, 1, 1, 5, 5), 500)], null),
    ]);
    expect(checks.geometry.frames_beyond_video).toEqual({
      count: 2,
      examples: [
        { file_id: 1, instance_id: 10, frame_number: 10 },
        { file_id: 1, instance_id: 13, frame_number: 12 },
      ],
    });
  });

  it('checks video instances against the video frame size, on frames and in sequences', () => {
    const checks = checksOf([
      video(
        1,
        [onFrame(box(10, 1, 1, 101, 5), 0)],
        [onFrame(point(11, 5, 51), 1), onFrame(point(12, 5, 5), 2)],
      ),
    ]);
    expect(checks.geometry.outside_bounds.examples).toEqual([
      { file_id: 1, instance_id: 10, frame_number: 0 },
      { file_id: 1, instance_id: 11, frame_number: 1 },
    ]);
  });

  it('finds keypoints with a node outside the image as keypoints_outside only', () => {
    const checks = checksOf([
      image(1, [
        keypoints(10, [
          [1, 1],
          [101, 1],
        ]),
        keypoints(11, [[1, -2]]),
        keypoints(12, [
          [0, 0],
          [100, 50],
        ]),
      ]),
    ]);
    expect(ids(checks.geometry.keypoints_outside)).toEqual([10, 11]);
    expect(checks.geometry.outside_bounds.count).toBe(0);
  });

  it('finds images and videos without width or height, and checks no bounds on them', () => {
    const checks = checksOf([
      image(1, [box(10, -5, -5, 500, 500)], { width: null, height: 50 }),
      image(2, [], { width: 100, height: 0 }),
      video(3, [], [onFrame(box(30, -5, -5, 500, 500), 0)], 10, { width: 0, height: null }),
      image(4, [box(40, 0, 0, 10, 10)]),
      text(5, []),
    ]);
    expect(checks.missing_resolution.count).toBe(3);
    expect(checks.missing_resolution.examples.map((example) => example.file_id)).toEqual([1, 2, 3]);
    expect(checks.geometry.outside_bounds.count).toBe(0);
  });

  it('counts removed instances per label and type but leaves them out of geometry findings', () => {
    const checks = checksOf([
      image(1, [
        removed(box(10, -1, 5, 5, 5)),
        removed(polygon(11, [[1, 1]])),
        removed(keypoints(12, [[500, 1]])),
      ]),
      video(2, [], [onFrame(removed(box(20, 1, 1, 5, 5)), 99)]),
    ]);
    expect(checks.instances_per_type).toEqual({ box: 2, polygon: 1, keypoints: 1 });
    expect(checks.instances_per_label).toEqual([{ label_file_id: 1, name: 'car', count: 4 }]);
    expect(checkWarnings(checks)).toEqual([]);
  });

  it('keeps the first 10 examples in file order and counts them all', () => {
    const packets = Array.from({ length: 12 }, (_, index) =>
      image(index + 1, [box(100 + index, 5, 5, 5, 5)]),
    );
    const finding = checksOf(packets).geometry.zero_area_boxes;
    expect(finding.count).toBe(12);
    expect(finding.examples.map((example) => example.file_id)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  });

  it('puts the expected, selected and written counts side by side, and the written count in the task values', () => {
    const tasks = {
      tasks_total: 4,
      tasks_complete: 3,
      complete_files_with_open_tasks: { count: 0, examples: [] },
      open_files_with_complete_tasks: { count: 0, examples: [] },
    };
    const checks = checksOf([image(1, [box(10, 1, 1, 5, 5)]), image(2, [])], {
      expectedFileCount: 3,
      selected: { fileCount: 2, instanceCount: 1 },
      tasks,
    });
    expect(checks.expected_vs_written).toEqual({
      expected_file_count: 3,
      selected_file_count: 2,
      written_file_count: 2,
      selected_instance_count: 1,
      written_instance_count: 1,
    });
    expect(checks.tasks).toEqual({ ...tasks, files_exported: 2 });
    expect(checkWarnings(checks).map((warning) => warning.key)).toEqual([
      'expected_vs_written',
      'files_without_instances',
    ]);
  });

  it('gives no warning for a clean export whose preflight matched', () => {
    const checks = checksOf([image(1, [box(10, 1, 1, 5, 5)])], {
      expectedFileCount: 1,
      selected: { fileCount: 1, instanceCount: 1 },
      tasks: null,
    });
    expect(checks.tasks).toBeNull();
    expect(checkWarnings(checks)).toEqual([]);
  });
});
