import { describe, expect, it } from 'vitest';
import type { VideoFilePacket } from '../../contract/export-file.ts';
import { buildPacket } from './export-file-packets.ts';
import { fileRow, instanceRow, sequenceRow } from './export-file-test-builders.ts';

// A file packet built from rows, with no database: field order, video sequences, text tokens, and
// an instance type the format does not know. The packets as written from stored data are in
// export-file-packets.test.ts.

const signedUrl = { url: 'https://media.example.com/signed', expiry: 1_900_000_000 };

describe('a packet built from rows', () => {
  it('lays out an image packet in the format order, with only the geometry of the type', () => {
    const packet = buildPacket(
      fileRow(),
      [
        instanceRow({
          geometry: '{"y_max":40,"x_max":30,"colour":"red","y_min":2,"x_min":1}',
          attribute_values: '{"7":3,"12":[1,2]}',
        }),
        instanceRow({ id: 11, type: 'global', label_id: null, geometry: '{}', soft_deleted: 1 }),
      ],
      [],
      signedUrl,
    );
    expect(JSON.stringify(packet)).toBe(
      '{"file":{"id":1,"original_filename":"street-01.jpg","type":"image","created_time":"2024-03-05T00:00:00.000Z","ann_is_complete":true,"blob_url":"https://media.example.com/signed"},' +
        '"image":{"width":640,"height":480,"rotation_degrees":0,"original_filename":"street-01.jpg","image_signed_url":"https://media.example.com/signed","image_signed_expiry":1900000000},' +
        '"instance_list":[{"id":10,"type":"box","label_file_id":3,"attribute_groups":{"7":3,"12":[1,2]},"x_min":1,"y_min":2,"x_max":30,"y_max":40},' +
        '{"id":11,"type":"global","label_file_id":null,"attribute_groups":null,"removed":true}]}',
    );
  });

  it('puts frame instances in their sequence by frame, and those of a missing sequence with the video', () => {
    const video = fileRow({
      type: 'video',
      original_filename: 'clip-2.mp4',
      frame_rate: 10,
      frame_count: 50,
      global_frame_start: 100,
    });
    const onFrame = (id: number, frame: number, sequenceId: number | null) =>
      instanceRow({
        id,
        frame_number: frame,
        sequence_id: sequenceId,
        local_sequence_number: sequenceId === null ? null : frame,
        interpolated: frame === 0 || frame === 4 ? 0 : 1,
      });
    const packet = buildPacket(
      video,
      [
        instanceRow({ id: 1, type: 'global', label_id: null, geometry: '{}' }),
        onFrame(2, 4, 5),
        onFrame(3, 0, 5),
        onFrame(4, 2, 5),
        onFrame(5, 2, 5),
        onFrame(6, 1, 99),
      ],
      [sequenceRow({ id: 5, number: 3 })],
      signedUrl,
    ) as VideoFilePacket;

    expect(packet.video.global_frame_start).toBe(100);
    const [sequence] = packet.sequence_list;
    expect(sequence).toMatchObject({
      id: 5,
      number: 3,
      keyframe_list: [0, 4],
      single_frame: false,
    });
    expect(sequence?.instance_list.map((instance) => [instance.id, instance.frame_number])).toEqual(
      [
        [3, 0],
        [4, 2],
        [5, 2],
        [2, 4],
      ],
    );
    for (const instance of sequence?.instance_list ?? []) {
      expect(instance.global_frame_number).toBe(100 + instance.frame_number);
      expect(instance.number).toBe(3);
      expect(instance.interpolated).toBe(![0, 4].includes(instance.frame_number));
    }
    expect(packet.parent_instance_list.map((instance) => instance.id)).toEqual([1, 6]);
    expect(packet.parent_instance_list[1]).toMatchObject({
      frame_number: 1,
      global_frame_number: 101,
      number: null,
    });
  });

  it('writes a text file with its stored tokens, and none when it has none', () => {
    const text = (text_tokens: string | null) =>
      buildPacket(
        fileRow({ type: 'text', original_filename: 'notes.txt', text_tokens }),
        [],
        [],
        signedUrl,
      );
    expect(text('[{"id":0,"text":"Hello","start_char":0,"end_char":5}]')).toMatchObject({
      text: {
        original_filename: 'notes.txt',
        tokens: [{ id: 0, text: 'Hello', start_char: 0, end_char: 5 }],
        signed_url: signedUrl.url,
        signed_expiry: signedUrl.expiry,
      },
      instance_list: [],
    });
    expect(text(null)).toMatchObject({ text: { tokens: [] } });
  });

  it('refuses an instance type the format does not know, naming the instance', () => {
    expect(() =>
      buildPacket(
        fileRow(),
        [instanceRow({ id: 12, type: 'brush' as unknown as 'box' })],
        [],
        signedUrl,
      ),
    ).toThrow(
      'Cannot export file 1 (street-01.jpg): Instance 12 has type "brush", which the export format does not know; fix or remove the instance.',
    );
  });
});
