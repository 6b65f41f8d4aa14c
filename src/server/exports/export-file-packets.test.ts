import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { instanceTypes } from '../../contract/annotations.ts';
import { instanceGeometryFields, videoFrameFields } from '../../contract/export-file.ts';
import type { ExportFile, VideoFilePacket } from '../../contract/export-file.ts';
import { testDialects } from '../db/test-database.ts';
import { buildPacket } from './export-file-packets.ts';
import {
  demoFileId,
  demoSettings,
  expectedDirectoryFileIds,
  expectedInstanceCount,
} from './export-file-fixtures.ts';
import { addDirectory } from '../test-utils/test-records.ts';
import {
  allInstances,
  createdBy,
  createdTime,
  fileRow,
  instanceRow,
  instancesOf,
  packetsOf,
  sequenceRow,
  signedExpiry,
  useDemoExports,
} from './export-file-test-builders.ts';
import { writeExportFile } from './export-file-writer.ts';

// The file packets: built from rows (field order, video sequences, text tokens), then as written
// from the demo project (every type, sequences, signing, removed instances) and from stored data
// the format does not expect.

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

describe.each(testDialects)('the packets of an export file on %s', (dialect) => {
  const demoExports = useDemoExports(dialect);
  const { writeDemo } = demoExports;

  it('gives every instance exactly the fields of its type, and covers every type', async () => {
    const { file } = await writeDemo(
      { directory: 'Luckfrill' },
      { annIsComplete: false, includeRemoved: true },
    );
    const seen = new Set<string>();
    for (const [, packet] of packetsOf(file)) {
      for (const { instance, onFrame } of instancesOf(packet)) {
        seen.add(instance.type);
        const expected = [
          'id',
          'type',
          'label_file_id',
          'attribute_groups',
          ...instanceGeometryFields[instance.type],
          ...(onFrame ? videoFrameFields : []),
          ...(instance.removed === true ? ['removed'] : []),
        ];
        expect(Object.keys(instance).sort(), `instance ${instance.id}`).toEqual(expected.sort());
        if (instance.type === 'global') expect(instance.label_file_id).toBeNull();
        else expect(instance.label_file_id).toEqual(expect.any(Number));
      }
    }
    expect([...seen].sort()).toEqual([...instanceTypes].sort());
  });

  it('writes every type even in a completed-only export of the default directory', async () => {
    const { file } = await writeDemo({ directory: 'Luckfrill' });
    expect(new Set(allInstances(file).map((instance) => instance.type))).toEqual(
      new Set(instanceTypes),
    );
  });

  it('writes video packets with sequences whose instances carry global frame numbers', async () => {
    const { file } = await writeDemo({ directory: 'Luckfrill' }, { annIsComplete: false });
    const { clipFileIds, globalFrameStarts } = demoExports.demo.splitVideo;
    let shifted = 0;
    for (const [index, clipId] of clipFileIds.entries()) {
      const packet = file[`${clipId}`] as VideoFilePacket;
      const start = globalFrameStarts[index] ?? -1;
      expect(packet.file.type).toBe('video');
      expect(packet.video.global_frame_start).toBe(start);
      expect(packet.parent_instance_list.some((instance) => instance.type === 'global')).toBe(true);
      const sequenceCount = await demoExports.database.db
        .selectFrom('sequence')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('file_id', '=', clipId)
        .executeTakeFirstOrThrow();
      expect(packet.sequence_list).toHaveLength(sequenceCount.count);
      for (const sequence of packet.sequence_list) {
        expect(sequence.instance_list.length).toBeGreaterThan(0);
        const frames = sequence.instance_list.map((instance) => instance.frame_number);
        expect([...frames].sort((a, b) => a - b)).toEqual(frames);
        for (const instance of sequence.instance_list) {
          expect(instance.global_frame_number).toBe(start + instance.frame_number);
          expect(instance.number).toBe(sequence.number);
          expect(instance.label_file_id).toBe(sequence.label_file_id);
          expect(instance.interpolated).toBe(
            !sequence.keyframe_list.includes(instance.frame_number),
          );
          if (instance.global_frame_number !== instance.frame_number) shifted += 1;
        }
      }
    }
    expect(shifted).toBeGreaterThan(0);
  });

  it('signs media URLs with the given signer, and by default keeps them for an hour', async () => {
    const { file } = await writeDemo({ directory: 'Reading room' }, { annIsComplete: false });
    const media = await demoExports.database.db
      .selectFrom('file')
      .select(['id', 'media_url'])
      .execute();
    const urlOf = new Map(media.map((row) => [row.id, row.media_url]));
    for (const [id, packet] of packetsOf(file)) {
      const signed = `${urlOf.get(id) ?? ''}?signature=test`;
      expect(packet.file.blob_url).toBe(signed);
      if ('image' in packet)
        expect([packet.image.image_signed_url, packet.image.image_signed_expiry]).toEqual([
          signed,
          signedExpiry,
        ]);
      if ('text' in packet)
        expect([packet.text.signed_url, packet.text.signed_expiry]).toEqual([signed, signedExpiry]);
    }
    const before = Math.floor(Date.now() / 1000);
    const exportId = demoExports.nextExportId();
    const outPath = path.join(demoExports.dir, `default-signer-${exportId}.json`);
    const settings = demoSettings(
      demoExports.demo,
      { directory: 'Reading room' },
      { annIsComplete: false },
    );
    await writeExportFile(
      demoExports.database,
      { ...settings, exportId, createdTime, createdBy },
      outPath,
    );
    const unsigned = JSON.parse(fs.readFileSync(outPath, 'utf8')) as ExportFile;
    for (const [id, packet] of packetsOf(unsigned)) {
      expect(packet.file.blob_url).toBe(urlOf.get(id));
      if ('text' in packet) {
        expect(packet.text.signed_expiry).toBeGreaterThanOrEqual(before + 3600);
        expect(packet.text.signed_expiry).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);
        expect(packet.text.tokens.length).toBeGreaterThan(0);
      }
    }
  });

  it('leaves soft-deleted instances out, or writes them with removed: true when asked', async () => {
    const fileIds = expectedDirectoryFileIds(demoExports.demo, 'Luckfrill', false);
    const softDeleted = await demoExports.database.db
      .selectFrom('instance')
      .select('id')
      .where('soft_deleted', '=', 1)
      .where('file_id', 'in', fileIds)
      .execute();
    const softIds = softDeleted.map((row) => row.id).sort((a, b) => a - b);
    expect(softIds.length).toBeGreaterThan(2);

    const without = await writeDemo({ directory: 'Luckfrill' }, { annIsComplete: false });
    const withoutInstances = allInstances(without.file);
    expect(withoutInstances.filter((instance) => softIds.includes(instance.id))).toEqual([]);
    expect(withoutInstances.some((instance) => 'removed' in instance)).toBe(false);
    expect(without.result.instanceCount).toBe(
      expectedInstanceCount(demoExports.demo, fileIds, false),
    );

    const withRemoved = await writeDemo(
      { directory: 'Luckfrill' },
      { annIsComplete: false, includeRemoved: true },
    );
    const withInstances = allInstances(withRemoved.file);
    const marked = withInstances
      .filter((instance) => instance.removed === true)
      .map((instance) => instance.id);
    expect(marked.sort((a, b) => a - b)).toEqual(softIds);
    expect(withRemoved.result.instanceCount).toBe(
      expectedInstanceCount(demoExports.demo, fileIds, true),
    );
    expect(withRemoved.result.instanceCount).toBe(without.result.instanceCount + softIds.length);
  });

  describe('on stored data the format does not expect', () => {
    // A demo database of its own, since these tests change the data they export.
    const changing = useDemoExports(dialect);

    it.each([
      {
        column: 'geometry' as const,
        stored: '{"x_min":1,"y_min":2,"x_max":3}',
        message: (id: number) =>
          `Instance ${id} (box) has no "y_max" in its stored geometry; fix or remove the instance.`,
      },
      {
        column: 'geometry' as const,
        stored: '{"x_min":1,"y_min":2,"x_max":3,"y_max":"4"}',
        message: (id: number) =>
          `Instance ${id} (box) has a stored geometry that does not fit its type: "y_max": Invalid input: expected number, received string; fix or remove the instance.`,
      },
      {
        column: 'attribute_values' as const,
        stored: '{"occlusion":"none"}',
        message: (id: number) =>
          `Instance ${id} (box) has stored attribute_values that are not answers keyed by attribute-group id: "occlusion": Invalid key in record; fix or remove the instance.`,
      },
    ])(
      'fails, naming the file, the instance and the field, when its stored $column does not fit the format: $stored',
      async ({ column, stored, message }) => {
        const fileIds = expectedDirectoryFileIds(changing.demo, 'Luckfrill', true);
        const box = await changing.database.db
          .selectFrom('instance')
          .innerJoin('file', 'file.id', 'instance.file_id')
          .select([
            'instance.id',
            'instance.geometry',
            'instance.attribute_values',
            'file.id as fileId',
            'file.original_filename',
          ])
          .where('instance.type', '=', 'box')
          .where('instance.soft_deleted', '=', 0)
          .where('instance.file_id', 'in', fileIds)
          .orderBy('instance.id')
          .limit(1)
          .executeTakeFirstOrThrow();
        const setColumn = (value: string | null) =>
          changing.database.db
            .updateTable('instance')
            .set({ [column]: value })
            .where('id', '=', box.id)
            .execute();
        await setColumn(stored);
        try {
          const outPath = path.join(demoExports.dir, `${dialect}-broken.json.tmp`);
          await expect(
            changing.writeTo(demoSettings(changing.demo, { directory: 'Luckfrill' }), outPath, {
              pageSize: 2,
            }),
          ).rejects.toThrow(
            `Cannot export file ${box.fileId} (${box.original_filename}): ${message(box.id)}`,
          );
          expect(fs.existsSync(outPath)).toBe(false);
        } finally {
          await setColumn(box[column]);
        }
      },
    );

    it('writes only the geometry fields of the type, whatever else is stored', async () => {
      const directoryId = await addDirectory(changing.database, changing.demo.projectId, 'One', [
        demoFileId(changing.demo, 'street-02.jpg'),
      ]);
      const box = await changing.database.db
        .selectFrom('instance')
        .select('id')
        .where('type', '=', 'box')
        .where('file_id', '=', demoFileId(changing.demo, 'street-02.jpg'))
        .where('soft_deleted', '=', 0)
        .limit(1)
        .executeTakeFirstOrThrow();
      await changing.database.db
        .updateTable('instance')
        .set({ geometry: '{"x_min":1,"y_min":2,"x_max":3,"y_max":4,"colour":"red"}' })
        .where('id', '=', box.id)
        .execute();
      const outPath = path.join(demoExports.dir, `${dialect}-extra.json`);
      await changing.writeTo(
        { ...demoSettings(changing.demo, { directory: 'Luckfrill' }), sourceId: directoryId },
        outPath,
      );
      const file = JSON.parse(fs.readFileSync(outPath, 'utf8')) as ExportFile;
      const written = allInstances(file).find((instance) => instance.id === box.id);
      expect(written && Object.keys(written)).toEqual([
        'id',
        'type',
        'label_file_id',
        'attribute_groups',
        'x_min',
        'y_min',
        'x_max',
        'y_max',
      ]);
      expect(written).toMatchObject({ x_min: 1, y_min: 2, x_max: 3, y_max: 4 });
    });
  });
});
