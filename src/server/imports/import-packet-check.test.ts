import { describe, expect, it } from 'vitest';
import type { AttributeGroupReference } from '../../contract/export-file.ts';
import { importIdMaps, sourceTargetIds } from './import-id-maps.ts';
import type { ImportMetadata } from './import-metadata.ts';
import { checkPacket } from './import-packet-check.ts';

// A packet judged for the validation pass: the contract's issues in plain words at their paths, and
// the checks against the file's own metadata the contract cannot make.

const group = (
  id: number,
  kind: AttributeGroupReference['kind'],
  templateIds: number[] = [],
): AttributeGroupReference => ({
  id,
  kind,
  name: `group ${id}`,
  prompt: '?',
  is_global: false,
  min_value: null,
  max_value: null,
  default_value: null,
  attribute_template_list: templateIds.map((templateId, order) => ({
    id: templateId,
    name: `answer ${templateId}`,
    group_id: id,
    display_order: order,
    archived: false,
  })),
  label_file_list: [],
});

const metadata: ImportMetadata = {
  labelMap: { '1': 'car', '2': 'person' },
  labelColourMap: {},
  attributeGroups: [
    group(10, 'select', [100, 101]),
    group(11, 'slider'),
    group(12, 'multiple_select', [120, 121]),
    group(13, 'text'),
  ],
};
const maps = importIdMaps(metadata, sourceTargetIds(metadata));

const box = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'box',
  label_file_id: 1,
  attribute_groups: null,
  x_min: 1,
  y_min: 2,
  x_max: 3,
  y_max: 4,
  ...extra,
});

const imagePacket = (instances: unknown[], fileId = 5) => ({
  file: {
    id: fileId,
    original_filename: 'a.jpg',
    type: 'image',
    created_time: '2024-01-01T00:00:00.000Z',
    ann_is_complete: true,
    blob_url: 'https://example.com/a.jpg',
  },
  image: {
    width: 10,
    height: 10,
    rotation_degrees: 0,
    original_filename: 'a.jpg',
    image_signed_url: 'https://example.com/a.jpg',
    image_signed_expiry: 1,
  },
  instance_list: instances,
});

const frame = (id: number, label: number, frameNumber: number) => ({
  ...box(id, { label_file_id: label }),
  frame_number: frameNumber,
  global_frame_number: frameNumber,
  local_sequence_number: 0,
  number: 1,
  interpolated: false,
});

const videoPacket = (sequences: unknown[]) => ({
  file: { ...imagePacket([]).file, type: 'video', original_filename: 'v.mp4' },
  video: {
    width: 10,
    height: 10,
    frame_rate: 30,
    frame_count: 10,
    original_fps: 30,
    fps_conversion_ratio: 1,
    offset_in_seconds: 0,
    global_frame_start: 0,
    mp4_video_signed_url: 'https://example.com/v.mp4',
    mp4_video_signed_expiry: 1,
  },
  parent_instance_list: [],
  sequence_list: sequences,
});

function problemsOf(value: unknown, key = '5') {
  const checked = checkPacket(key, value, maps);
  return checked.ok ? [] : checked.problems.map(({ path, message }) => `${path}: ${message}`);
}

describe('checking a packet', () => {
  it('accepts a good packet, with answers of every kind', () => {
    const answers = { '10': 101, '11': 0.5, '12': [120, 121], '13': 'dented' };
    expect(
      checkPacket('5', imagePacket([box(1, { attribute_groups: answers })]), maps),
    ).toMatchObject({
      ok: true,
    });
  });

  it("says the contract's problems in plain words at their paths", () => {
    expect(problemsOf(imagePacket([box(1), box(2, { x_max: 'wide', y_min: undefined })]))).toEqual([
      'instance_list[1] › y_min: missing',
      'instance_list[1] › x_max: expected a number',
    ]);
    expect(problemsOf(imagePacket([box(1, { type: 'blob' })]))).toEqual([
      'instance_list[0] › type: expected one of box, polygon, line, point, ellipse, cuboid, keypoints, text_token, global',
    ]);
    expect(problemsOf(imagePacket([box(1, { colour: 'red', removed: false })]))).toEqual([
      'instance_list[0] › removed: expected true',
      'instance_list[0]: unexpected field "colour" (not in the format)',
    ]);
    expect(
      problemsOf(imagePacket([{ ...box(1), type: 'polygon', points: [{ x: 1, y: 1 }] }])),
    ).toEqual(['instance_list[0] › points: expected at least 3 items']);
    expect(problemsOf(imagePacket([box(1, { attribute_groups: { '10': true } })]))).toEqual([
      'instance_list[0] › attribute_groups › 10: expected a number, a text or a list',
    ]);
  });

  it('says what is wrong with the packet as a whole', () => {
    expect(problemsOf([1])).toEqual([': expected an object with the file and its instances']);
    expect(problemsOf({ image: {} })).toEqual(['file: missing']);
    expect(problemsOf({ file: { type: 'pdf' } })).toEqual([
      'file › type: expected one of image, video, text',
    ]);
  });

  it('checks the packet key against the file id', () => {
    expect(problemsOf(imagePacket([], 6), '5')).toEqual([
      "file › id: is 6, but the packet's key is 5; they must be the same file id",
    ]);
  });

  it('checks labels against label_map and answers against attribute_groups_reference', () => {
    expect(
      problemsOf(
        imagePacket([
          box(1, { label_file_id: 3 }),
          box(2, { attribute_groups: { '99': 1 } }),
          box(3, { attribute_groups: { '10': 120 } }),
          box(4, { attribute_groups: { '10': [100] } }),
          box(5, { attribute_groups: { '12': [120, 7] } }),
          box(6, { attribute_groups: { '11': 'high' } }),
          box(7, { attribute_groups: { '13': 4 } }),
        ]),
      ),
    ).toEqual([
      "instance_list[0] › label_file_id: label 3 is not in the file's label_map",
      "instance_list[1] › attribute_groups › 99: attribute group 99 is not in the file's attribute_groups_reference",
      "instance_list[2] › attribute_groups › 10: answer 120 is not one of the group's templates",
      'instance_list[3] › attribute_groups › 10: expected a template id (a select answer)',
      "instance_list[4] › attribute_groups › 12: answer 7 is not one of the group's templates",
      'instance_list[5] › attribute_groups › 11: expected a number (a slider answer)',
      'instance_list[6] › attribute_groups › 13: expected a text (a text answer)',
    ]);
  });

  it('refuses a value its 32-bit column or text column cannot hold, at its path', () => {
    const image = imagePacket([]);
    image.image.rotation_degrees = -3_000_000_000;
    image.image.image_signed_url = 'https://example.com/\u0000';
    expect(problemsOf(image)).toEqual([
      'image › rotation_degrees: must be at least -2147483648',
      'image › image_signed_url: must not contain NUL or control characters',
    ]);
    const video = videoPacket([
      {
        id: 3,
        label_file_id: 1,
        number: 2_147_483_648,
        keyframe_list: [0],
        single_frame: false,
        instance_list: [{ ...frame(1, 1, 2_147_483_648), number: 2_147_483_648 }],
      },
    ]);
    video.video.frame_count = 2_147_483_648;
    expect(problemsOf(video)).toEqual([
      'video › frame_count: must be at most 2147483647',
      'sequence_list[0] › number: must be at most 2147483647',
      'sequence_list[0] › instance_list[0] › frame_number: must be at most 2147483647',
    ]);
    // The largest values the columns hold are fine.
    const widest = imagePacket([]);
    widest.image.width = 2_147_483_647;
    expect(problemsOf(widest)).toEqual([]);
  });

  it('refuses an instance id given twice (a re-import matches on it)', () => {
    expect(problemsOf(imagePacket([box(1), box(1)]))).toEqual([
      'instance_list[1] › id: instance 1 appears twice in the packet; each instance needs its own id',
    ]);
  });

  it("checks a sequence's label, its instances' labels and its number", () => {
    const sequence = (id: number, label: number, instances: unknown[]) => ({
      id,
      label_file_id: label,
      number: 1,
      keyframe_list: [0],
      single_frame: false,
      instance_list: instances,
    });
    expect(
      problemsOf(
        videoPacket([
          sequence(1, 1, [frame(1, 1, 0), frame(2, 2, 1)]),
          sequence(2, 1, [frame(3, 1, 0)]),
          sequence(3, 4, []),
        ]),
      ),
    ).toEqual([
      'sequence_list[0] › instance_list[1] › label_file_id: is 2, but its sequence tracks label 1',
      "sequence_list[1] › number: a sequence of label 1 numbered 1 appears twice; number a label's sequences apart",
      "sequence_list[2] › label_file_id: label 4 is not in the file's label_map",
    ]);
  });
});
