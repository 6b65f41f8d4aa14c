import { describe, expect, it } from 'vitest';
import {
  countPacketInstances,
  exportFileSchema,
  filePacketSchema,
  instanceGeometryFields,
  instanceSchema,
  isFileIdKey,
  isMetadataKey,
  metadataKeys,
  videoFrameInstanceSchema,
} from './export-file.ts';
import type { FilePacket } from './export-file.ts';
import { buildExportInfo } from './test-utils/export-file-builders.ts';

// A small file written by hand from the format page: one image, one video, one text.
function sampleFile(): Record<string, unknown> {
  const box = {
    id: 1,
    type: 'box',
    label_file_id: 7,
    attribute_groups: { '3': 11 },
    x_min: 1,
    y_min: 2,
    x_max: 30,
    y_max: 40,
  };
  const global = { id: 2, type: 'global', label_file_id: null, attribute_groups: { '4': 'sunny' } };
  const frameBox = {
    ...box,
    id: 3,
    attribute_groups: null,
    frame_number: 5,
    global_frame_number: 305,
    local_sequence_number: 0,
    number: 1,
    interpolated: false,
  };
  const token = {
    id: 4,
    type: 'text_token',
    label_file_id: 8,
    attribute_groups: null,
    start_char: 0,
    end_char: 3,
    start_token: 0,
    end_token: 0,
  };
  const file = (id: number, type: string) => ({
    id,
    original_filename: `f${id}`,
    type,
    created_time: '2024-03-04T08:00:00.000Z',
    ann_is_complete: true,
    blob_url: 'https://x/f',
  });
  return {
    readme: { format: 'Diffgram JSON 1.0' },
    label_map: { '7': 'car', '8': 'place' },
    label_colour_map: {
      '7': { hex: '#ff0000', rgba: { r: 255, g: 0, b: 0, a: 1 } },
      '8': { hex: '#00ff00', rgba: { r: 0, g: 255, b: 0, a: 1 } },
    },
    export_info: buildExportInfo(),
    attribute_groups_reference: [
      {
        id: 3,
        kind: 'select',
        name: 'occlusion',
        prompt: 'Hidden?',
        is_global: false,
        min_value: null,
        max_value: null,
        default_value: null,
        attribute_template_list: [
          { id: 11, name: 'none', group_id: 3, display_order: 0, archived: false },
        ],
        label_file_list: [{ id: 7, name: 'car' }],
      },
    ],
    '10': {
      file: file(10, 'image'),
      image: {
        width: 64,
        height: 48,
        rotation_degrees: 0,
        original_filename: 'f10',
        image_signed_url: 'u',
        image_signed_expiry: 1,
      },
      instance_list: [box],
    },
    '11': {
      file: file(11, 'video'),
      video: {
        width: 64,
        height: 48,
        frame_rate: 30,
        frame_count: 300,
        original_fps: 30,
        fps_conversion_ratio: 1,
        offset_in_seconds: 10,
        global_frame_start: 300,
        mp4_video_signed_url: 'u',
        mp4_video_signed_expiry: 1,
      },
      parent_instance_list: [global],
      sequence_list: [
        {
          id: 5,
          label_file_id: 7,
          number: 1,
          keyframe_list: [5],
          single_frame: true,
          instance_list: [frameBox],
        },
      ],
    },
    '12': {
      file: file(12, 'text'),
      text: {
        original_filename: 'f12',
        tokens: [{ id: 0, text: 'Elm', start_char: 0, end_char: 3 }],
        signed_url: 'u',
        signed_expiry: 1,
      },
      instance_list: [token],
    },
  };
}

function issuesOf(value: unknown): string[] {
  const result = exportFileSchema.safeParse(value);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('top-level keys', () => {
  it('tells the five metadata keys from file ids', () => {
    expect(metadataKeys).toEqual([
      'readme',
      'label_map',
      'label_colour_map',
      'export_info',
      'attribute_groups_reference',
    ]);
    for (const key of metadataKeys) expect(isMetadataKey(key)).toBe(true);
    expect(isMetadataKey('files')).toBe(false);
    expect(['1', '42', '9007199254740991'].every(isFileIdKey)).toBe(true);
    expect(
      ['0', '-1', '01', '1.5', '1e3', ' 1', 'abc', '', '9007199254740993'].some(isFileIdKey),
    ).toBe(false);
  });
});

describe('exportFileSchema', () => {
  it('accepts a file written from the format page', () => {
    expect(issuesOf(sampleFile())).toEqual([]);
  });

  it('rejects a top-level key that is neither metadata nor a file id', () => {
    const file = { ...sampleFile(), files: {} };
    expect(
      issuesOf(file).some((issue) => issue.includes('"files" is neither a metadata key')),
    ).toBe(true);
  });

  it('rejects a packet filed under another id', () => {
    const file = sampleFile();
    file['13'] = file['10'];
    delete file['10'];
    expect(issuesOf(file)).toContain('13.file.id: packet under key 13 is for file 10');
  });

  it('rejects check values that do not match the packets and instances', () => {
    const file = sampleFile();
    const info = file.export_info as Record<string, unknown>;
    info.file_list_length = 4;
    info.instance_count = 5;
    expect(issuesOf(file)).toEqual([
      'export_info.file_list_length: file_list_length is 4 but the file holds 3 file packets',
      'export_info.instance_count: instance_count is 5 but the file holds 4 instances',
    ]);
  });

  it('rejects a missing metadata key and a renamed export_info field', () => {
    const file = sampleFile();
    delete file.label_map;
    const info = file.export_info as Record<string, unknown>;
    info.fileListLength = info.file_list_length;
    delete info.file_list_length;
    const issues = issuesOf(file);
    expect(issues.some((issue) => issue.startsWith('label_map'))).toBe(true);
    expect(issues.some((issue) => issue.startsWith('export_info.file_list_length'))).toBe(true);
  });

  it('lets export_info gain fields, as the format page allows', () => {
    const file = sampleFile();
    (file.export_info as Record<string, unknown>).generator = 'annex 0.1';
    expect(issuesOf(file)).toEqual([]);
  });
});

describe('instances', () => {
  it('carry exactly the fields of their type', () => {
    const box = {
      id: 1,
      type: 'box',
      label_file_id: 7,
      attribute_groups: null,
      x_min: 1,
      y_min: 2,
      x_max: 3,
      y_max: 4,
    };
    expect(instanceSchema.safeParse(box).success).toBe(true);
    expect(instanceSchema.safeParse({ ...box, center_x: 1 }).success).toBe(false);
    expect(instanceSchema.safeParse({ ...box, frame_number: 1 }).success).toBe(false);
    expect(instanceSchema.safeParse({ ...box, x_min: 1.5 }).success).toBe(false);
    const { y_max: _dropped, ...incomplete } = box;
    expect(instanceSchema.safeParse(incomplete).success).toBe(false);
    expect(instanceSchema.safeParse({ ...box, type: 'blob' }).success).toBe(false);
  });

  it('mark removed ones with removed: true and nothing else', () => {
    const global = { id: 1, type: 'global', label_file_id: null, attribute_groups: null };
    expect(instanceSchema.safeParse({ ...global, removed: true }).success).toBe(true);
    expect(instanceSchema.safeParse({ ...global, removed: false }).success).toBe(false);
  });

  it('need a label unless global', () => {
    const point = {
      id: 1,
      type: 'point',
      label_file_id: null,
      attribute_groups: null,
      points: [{ x: 1, y: 2 }],
    };
    expect(instanceSchema.safeParse(point).success).toBe(false);
    expect(instanceSchema.safeParse({ ...point, label_file_id: 3 }).success).toBe(true);
  });

  it('on a video frame carry the five video-frame fields', () => {
    const point = {
      id: 1,
      type: 'point',
      label_file_id: 3,
      attribute_groups: null,
      points: [{ x: 1, y: 2 }],
    };
    const frame = {
      frame_number: 4,
      global_frame_number: 304,
      local_sequence_number: 0,
      number: 2,
      interpolated: true,
    };
    expect(videoFrameInstanceSchema.safeParse({ ...point, ...frame }).success).toBe(true);
    expect(videoFrameInstanceSchema.safeParse(point).success).toBe(false);
    const { global_frame_number: _dropped, ...withoutGlobal } = frame;
    expect(videoFrameInstanceSchema.safeParse({ ...point, ...withoutGlobal }).success).toBe(false);
  });

  it('list the geometry fields of the format page per type', () => {
    expect(instanceGeometryFields.box).toEqual(['x_min', 'y_min', 'x_max', 'y_max']);
    expect([...instanceGeometryFields.polygon].sort()).toEqual([
      'points',
      'x_max',
      'x_min',
      'y_max',
      'y_min',
    ]);
    expect(instanceGeometryFields.point).toEqual(['points']);
    expect(instanceGeometryFields.ellipse).toEqual([
      'center_x',
      'center_y',
      'width',
      'height',
      'angle',
    ]);
    expect(instanceGeometryFields.cuboid).toEqual(['front_face', 'rear_face']);
    expect(instanceGeometryFields.keypoints).toEqual(['nodes', 'edges']);
    expect(instanceGeometryFields.text_token).toEqual([
      'start_char',
      'end_char',
      'start_token',
      'end_token',
    ]);
    expect(instanceGeometryFields.global).toEqual([]);
  });
});

describe('packets', () => {
  it('count sequence and parent instances of a video', () => {
    const packet: FilePacket = filePacketSchema.parse(sampleFile()['11']);
    expect(countPacketInstances(packet)).toBe(2);
  });

  it('reject a media block that does not fit the file type', () => {
    const file = sampleFile();
    const image = file['10'] as Record<string, unknown>;
    (image.file as Record<string, unknown>).type = 'video';
    expect(filePacketSchema.safeParse(image).success).toBe(false);
  });

  it('reject sequence instances without video-frame fields', () => {
    const video = sampleFile()['11'] as {
      sequence_list: { instance_list: Record<string, unknown>[] }[];
    };
    const first = video.sequence_list[0]?.instance_list[0];
    if (first === undefined) throw new Error('sample has a sequence instance');
    delete first.global_frame_number;
    expect(filePacketSchema.safeParse(video).success).toBe(false);
  });
});
