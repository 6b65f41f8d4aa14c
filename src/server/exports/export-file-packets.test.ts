import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { instanceTypes } from '../../contract/annotations.ts';
import { instanceGeometryFields, videoFrameFields } from '../../contract/export-file.ts';
import type { ExportFile, VideoFilePacket } from '../../contract/export-file.ts';
import { testDialects } from '../db/test-database.ts';
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
  instancesOf,
  packetsOf,
  signedExpiry,
  useDemoExports,
} from './export-file-test-builders.ts';
import { writeExportFile } from './export-file-writer.ts';

// The file packets as written from the demo project (every type, sequences, signing, removed
// instances) and from stored data the format does not expect. Built from rows, with no database,
// they are in export-file-packets-from-rows.test.ts.

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
