import fs from 'node:fs';
import { once } from 'node:events';
import type {
  AttributeGroupReference,
  ExportFileMetadata,
  FilePacket,
  Instance,
} from '../src/contract/export-file.ts';

// A Diffgram JSON 1.0 file of any size, written straight to disk without a database: for import
// checks and benchmarks (flat memory on a file of gigabytes, files/s and MB/s). Deterministic: the
// same options write the same bytes. Mostly images with boxes and polygons; every 50th file a video
// with one 10-frame sequence, every 50th (offset 25) a text with token instances.

/** What to generate. */
export interface ImportFileOptions {
  /** File packets. */
  files: number;
  /** Instances per image (videos hold a global instance and 10 frames, texts 2 tokens). */
  instancesPerImage?: number;
  /** First file id (the packet keys count up from it). */
  firstFileId?: number;
}

/** What was written. */
export interface GeneratedImportFile {
  /** File packets written. */
  files: number;
  /** Instances written over every packet. */
  instances: number;
  /** Size of the file in bytes. */
  sizeBytes: number;
}

const labels = ['car', 'pedestrian', 'cyclist', 'truck'];
const group: AttributeGroupReference = {
  id: 1,
  kind: 'select',
  name: 'occlusion',
  prompt: 'How occluded?',
  is_global: false,
  min_value: null,
  max_value: null,
  default_value: null,
  attribute_template_list: ['none', 'partly', 'mostly'].map((name, index) => ({
    id: 10 + index,
    name,
    group_id: 1,
    display_order: index,
    archived: false,
  })),
  label_file_list: [{ id: 1, name: 'car' }],
};

function packetOf(fileId: number, instancesPerImage: number): FilePacket {
  const file = {
    id: fileId,
    original_filename: `generated-${fileId}`,
    created_time: '2024-01-01T00:00:00.000Z',
    ann_is_complete: fileId % 2 === 0,
    blob_url: `https://media.example.com/generated/${fileId}`,
  };
  const box = (id: number, offset: number): Instance => ({
    id,
    type: 'box',
    label_file_id: 1 + (id % labels.length),
    attribute_groups: id % labels.length === 0 ? { '1': 10 + (id % 3) } : null,
    x_min: offset,
    y_min: offset,
    x_max: offset + 40,
    y_max: offset + 30,
  });
  if (fileId % 50 === 0) {
    return {
      file: { ...file, type: 'video' },
      video: {
        width: 1280,
        height: 720,
        frame_rate: 30,
        frame_count: 300,
        original_fps: 30,
        fps_conversion_ratio: 1,
        offset_in_seconds: 0,
        global_frame_start: 0,
        mp4_video_signed_url: file.blob_url,
        mp4_video_signed_expiry: 1_900_000_000,
      },
      parent_instance_list: [
        { id: fileId * 100, type: 'global', label_file_id: null, attribute_groups: null },
      ],
      sequence_list: [
        {
          id: fileId,
          label_file_id: 2,
          number: 1,
          keyframe_list: [0, 9],
          single_frame: false,
          instance_list: Array.from({ length: 10 }, (_, frame) => ({
            ...box(fileId * 100 + 1 + frame, frame),
            label_file_id: 2,
            attribute_groups: null,
            frame_number: frame,
            global_frame_number: frame,
            local_sequence_number: frame,
            number: 1,
            interpolated: frame !== 0 && frame !== 9,
          })),
        },
      ],
    };
  }
  if (fileId % 50 === 25) {
    return {
      file: { ...file, type: 'text' },
      text: {
        original_filename: file.original_filename,
        tokens: [
          { id: 0, text: 'red', start_char: 0, end_char: 3 },
          { id: 1, text: 'car', start_char: 4, end_char: 7 },
        ],
        signed_url: file.blob_url,
        signed_expiry: 1_900_000_000,
      },
      instance_list: [0, 1].map((token) => ({
        id: fileId * 100 + token,
        type: 'text_token',
        label_file_id: 1,
        attribute_groups: null,
        start_char: token * 4,
        end_char: token * 4 + 3,
        start_token: token,
        end_token: token,
      })),
    };
  }
  return {
    file: { ...file, type: 'image' },
    image: {
      width: 1920,
      height: 1080,
      rotation_degrees: 0,
      original_filename: file.original_filename,
      image_signed_url: file.blob_url,
      image_signed_expiry: 1_900_000_000,
    },
    instance_list: Array.from({ length: instancesPerImage }, (_, index) => {
      const id = fileId * 100 + index;
      if (index % 3 !== 2) return box(id, index * 10);
      return {
        id,
        type: 'polygon',
        label_file_id: 3,
        attribute_groups: null,
        x_min: 0,
        y_min: 0,
        x_max: 20,
        y_max: 20,
        points: [
          { x: 0, y: 0 },
          { x: 20, y: 0 },
          { x: 10, y: 20 },
        ],
      };
    }),
  };
}

function instancesIn(packet: FilePacket): number {
  if ('sequence_list' in packet) {
    return (
      packet.parent_instance_list.length +
      packet.sequence_list.reduce((sum, s) => sum + s.instance_list.length, 0)
    );
  }
  return packet.instance_list.length;
}

/** Writes a generated file to `outPath` (streaming, in flat memory); returns its counts and size. */
export async function writeImportFile(
  outPath: string,
  options: ImportFileOptions,
): Promise<GeneratedImportFile> {
  const instancesPerImage = options.instancesPerImage ?? 8;
  const first = options.firstFileId ?? 1;
  let instances = 0;
  for (let id = first; id < first + options.files; id++)
    instances += instancesIn(packetOf(id, instancesPerImage));
  const head: ExportFileMetadata = {
    readme: {
      format: 'Diffgram JSON, export format version 1.0',
      about: 'Generated for import benchmarks.',
    },
    label_map: Object.fromEntries(labels.map((name, index) => [String(index + 1), name])),
    label_colour_map: Object.fromEntries(
      labels.map((_, index) => [
        String(index + 1),
        { hex: '#336699', rgba: { r: 51, g: 102, b: 153, a: 1 } },
      ]),
    ),
    export_info: {
      id: 1,
      export_format_version: '1.0',
      created_time: '2024-01-01T00:00:00.000Z',
      kind: 'Annotations',
      source: 'directory',
      ann_is_complete: false,
      project: { name: 'Generated', project_string_id: 'generated' },
      directory: { id: 1, name: 'Generated' },
      job: null,
      task: null,
      file_list_length: options.files,
      user_created_email: 'bench@example.com',
      instance_count: instances,
      include_removed: true,
    },
    attribute_groups_reference: [group],
  };
  const out = fs.createWriteStream(outPath);
  let sizeBytes = 0;
  const write = async (text: string) => {
    sizeBytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(JSON.stringify(head).slice(0, -1));
  let chunk = '';
  for (let id = first; id < first + options.files; id++) {
    chunk += `,"${id}":${JSON.stringify(packetOf(id, instancesPerImage))}`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(`${chunk}}`);
  out.end();
  await once(out, 'finish');
  return { files: options.files, instances, sizeBytes };
}
