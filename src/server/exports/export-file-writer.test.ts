import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceTypes } from '../../contract/annotations.ts';
import {
  exportFileSchema,
  instanceGeometryFields,
  isFileIdKey,
  isMetadataKey,
  metadataKeys,
  videoFrameFields,
} from '../../contract/export-file.ts';
import type {
  AnyInstance,
  ExportFile,
  FilePacket,
  VideoFilePacket,
} from '../../contract/export-file.ts';
import { testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import { EmptyExportError, writeExportFile } from './export-file-writer.ts';
import type { ExportFileResult, WriteHooks } from './export-file-writer.ts';
import {
  addDirectory,
  addImages,
  addTask,
  createDemoDatabase,
  demoFileId,
  demoSettings,
  expectedDirectoryFileIds,
  expectedInstanceCount,
  expectedJobFileIds,
} from './export-file-fixtures.ts';
import type { DemoSource } from './export-file-fixtures.ts';
import { previewSelection } from './export-selection.ts';
import type { ExportSettings } from './export-settings.ts';

const createdTime = '2024-03-06T09:30:00.000Z';
const createdBy = 'lead@example.com';
const signedExpiry = 1_900_000_000;
const signMediaUrl = (url: string) => ({ url: `${url}?signature=test`, expiry: signedExpiry });

interface Written {
  result: ExportFileResult;
  text: string;
  file: ExportFile;
  outPath: string;
}

function packetsOf(file: ExportFile): [number, FilePacket][] {
  return Object.entries(file)
    .filter(([key]) => !isMetadataKey(key))
    .map(([key, packet]) => [Number(key), packet as FilePacket]);
}

function instancesOf(packet: FilePacket): { instance: AnyInstance; onFrame: boolean }[] {
  if ('sequence_list' in packet) {
    return [
      ...packet.parent_instance_list.map((instance) => ({
        instance,
        onFrame: 'frame_number' in instance,
      })),
      ...packet.sequence_list.flatMap((sequence) =>
        sequence.instance_list.map((instance) => ({ instance, onFrame: true })),
      ),
    ];
  }
  return packet.instance_list.map((instance) => ({ instance, onFrame: false }));
}

function allInstances(file: ExportFile): AnyInstance[] {
  return packetsOf(file).flatMap(([, packet]) =>
    instancesOf(packet).map(({ instance }) => instance),
  );
}

describe.each(testDialects)('the export file on %s', (dialect) => {
  let database: TestDatabase;
  let demo: DemoProjectSummary;
  let dir: string;
  let exportId = 0;

  const write = async (settings: ExportSettings, hooks: WriteHooks = {}): Promise<Written> => {
    exportId += 1;
    const outPath = path.join(dir, `export-${exportId}.json.tmp`);
    const result = await writeExportFile(
      database,
      { ...settings, exportId, createdTime, createdBy },
      outPath,
      {
        signMediaUrl,
        ...hooks,
      },
    );
    const text = fs.readFileSync(outPath, 'utf8');
    return { result, text, file: JSON.parse(text) as ExportFile, outPath };
  };
  const writeDemo = (
    source: DemoSource,
    options: { annIsComplete?: boolean; includeRemoved?: boolean } = {},
    hooks: WriteHooks = {},
  ) => write(demoSettings(demo, source, options), hooks);

  beforeAll(async () => {
    ({ database, demo } = await createDemoDatabase(dialect));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-export-file-'));
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('conforms to the format page', () => {
    it('has the five metadata keys and otherwise only integer file ids, and the schema accepts it', async () => {
      const { file, text, result } = await writeDemo({ directory: 'Luckfrill' });
      const keys = Object.keys(file);
      for (const key of metadataKeys) expect(keys).toContain(key);
      for (const key of keys) expect(isMetadataKey(key) || isFileIdKey(key)).toBe(true);
      const parsed = exportFileSchema.safeParse(file);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);

      const expected = expectedDirectoryFileIds(demo, 'Luckfrill', true);
      expect(
        packetsOf(file)
          .map(([id]) => id)
          .sort((a, b) => a - b),
      ).toEqual(expected);
      expect(result.fileCount).toBe(expected.length);
      expect(result.instanceCount).toBe(expectedInstanceCount(demo, expected, false));
      // Compact, metadata first in the stated order, then the packets.
      expect(text).not.toContain('\n');
      expect(text.startsWith('{"readme":{')).toBe(true);
      const positions = metadataKeys.map((key) => text.indexOf(`"${key}":`));
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(text.indexOf(`"${expected[0] ?? 0}":{"file":`)).toBeGreaterThan(positions.at(-1) ?? 0);
    });

    it('writes export_info with every field of the format page and counts equal to what the file holds', async () => {
      const { file, result } = await writeDemo(
        { directory: 'Luckfrill' },
        { annIsComplete: false, includeRemoved: true },
      );
      const packets = packetsOf(file);
      expect(file.export_info).toEqual({
        id: exportId,
        export_format_version: '1.0',
        created_time: createdTime,
        kind: 'Annotations',
        source: 'directory',
        ann_is_complete: false,
        project: { name: demo.name, project_string_id: 'demo' },
        directory: { id: demo.defaultDirectoryId, name: 'Luckfrill' },
        job: null,
        task: null,
        file_list_length: packets.length,
        user_created_email: createdBy,
        instance_count: allInstances(file).length,
        include_removed: true,
      });
      expect(result).toMatchObject({
        fileCount: packets.length,
        instanceCount: allInstances(file).length,
      });
    });

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
      const { clipFileIds, globalFrameStarts } = demo.splitVideo;
      let shifted = 0;
      for (const [index, clipId] of clipFileIds.entries()) {
        const packet = file[`${clipId}`] as VideoFilePacket;
        const start = globalFrameStarts[index] ?? -1;
        expect(packet.file.type).toBe('video');
        expect(packet.video.global_frame_start).toBe(start);
        expect(packet.parent_instance_list.some((instance) => instance.type === 'global')).toBe(
          true,
        );
        const sequenceCount = await database.db
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

    it('maps every label of the project to its name and colour', async () => {
      const { file } = await writeDemo({ job: 'Text review' });
      const labels = await database.db
        .selectFrom('label')
        .selectAll()
        .where('project_id', '=', demo.projectId)
        .execute();
      expect(Object.keys(file.label_map).sort()).toEqual(
        Object.values(demo.labelIds).map(String).sort(),
      );
      for (const label of labels) {
        expect(file.label_map[String(label.id)]).toBe(label.name);
        const hex = label.colour_hex;
        expect(file.label_colour_map[String(label.id)]).toEqual({
          hex,
          rgba: {
            r: Number.parseInt(hex.slice(1, 3), 16),
            g: Number.parseInt(hex.slice(3, 5), 16),
            b: Number.parseInt(hex.slice(5, 7), 16),
            a: 1,
          },
        });
      }
    });

    it('lists every attribute group with its answers and labels', async () => {
      const { file } = await writeDemo({ job: 'Text review' });
      const groups = file.attribute_groups_reference;
      expect(groups).toHaveLength(demo.counts.attributeGroups);
      expect(groups.reduce((sum, group) => sum + group.attribute_template_list.length, 0)).toBe(
        demo.counts.attributeTemplates,
      );
      const occlusion = groups.find((group) => group.name === 'occlusion');
      expect(occlusion?.label_file_list.map((label) => label.name)).toEqual([
        'car',
        'pedestrian',
        'cyclist',
      ]);
      expect(
        occlusion?.attribute_template_list.find((template) => template.name === 'unknown')
          ?.archived,
      ).toBe(true);
      const global = groups.filter((group) => group.is_global);
      expect(global.length).toBeGreaterThan(0);
      for (const group of global) expect(group.label_file_list).toEqual([]);
      // Every answer an instance gives names a group of the reference.
      const groupIds = new Set(groups.map((group) => String(group.id)));
      for (const instance of allInstances(file)) {
        for (const key of Object.keys(instance.attribute_groups ?? {}))
          expect(groupIds).toContain(key);
      }
    });

    it('signs media URLs with the given signer, and by default keeps them for an hour', async () => {
      const { file } = await writeDemo({ directory: 'Reading room' }, { annIsComplete: false });
      const media = await database.db.selectFrom('file').select(['id', 'media_url']).execute();
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
          expect([packet.text.signed_url, packet.text.signed_expiry]).toEqual([
            signed,
            signedExpiry,
          ]);
      }
      const before = Math.floor(Date.now() / 1000);
      exportId += 1;
      const outPath = path.join(dir, `default-signer-${exportId}.json`);
      const settings = demoSettings(demo, { directory: 'Reading room' }, { annIsComplete: false });
      await writeExportFile(database, { ...settings, exportId, createdTime, createdBy }, outPath);
      const unsigned = JSON.parse(fs.readFileSync(outPath, 'utf8')) as ExportFile;
      for (const [id, packet] of packetsOf(unsigned)) {
        expect(packet.file.blob_url).toBe(urlOf.get(id));
        if ('text' in packet) {
          expect(packet.text.signed_expiry).toBeGreaterThanOrEqual(before + 3600);
          expect(packet.text.signed_expiry).toBeLessThanOrEqual(
            Math.floor(Date.now() / 1000) + 3600,
          );
          expect(packet.text.tokens.length).toBeGreaterThan(0);
        }
      }
    });
  });

  describe('holds the files and instances the format page says', () => {
    it('completed only keeps marked files; all keeps every file; removed files never', async () => {
      const completed = await writeDemo({ directory: 'Luckfrill' });
      const all = await writeDemo(
        { directory: 'Luckfrill' },
        { annIsComplete: false, includeRemoved: true },
      );
      const ids = (written: Written) =>
        packetsOf(written.file)
          .map(([id]) => id)
          .sort((a, b) => a - b);
      expect(ids(completed)).toEqual(expectedDirectoryFileIds(demo, 'Luckfrill', true));
      expect(ids(all)).toEqual(expectedDirectoryFileIds(demo, 'Luckfrill', false));
      expect(ids(all).length).toBeGreaterThan(ids(completed).length);
      for (const [, packet] of packetsOf(completed.file))
        expect(packet.file.ann_is_complete).toBe(true);
      expect(packetsOf(all.file).some(([, packet]) => !packet.file.ann_is_complete)).toBe(true);
      for (const removed of demo.removedFileIds) {
        expect(ids(all)).not.toContain(removed);
        expect(ids(completed)).not.toContain(removed);
      }
      expect(completed.file.export_info.ann_is_complete).toBe(true);
      expect(all.file.export_info.ann_is_complete).toBe(false);
    });

    it('leaves soft-deleted instances out, or writes them with removed: true when asked', async () => {
      const fileIds = expectedDirectoryFileIds(demo, 'Luckfrill', false);
      const softDeleted = await database.db
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
      expect(without.result.instanceCount).toBe(expectedInstanceCount(demo, fileIds, false));

      const withRemoved = await writeDemo(
        { directory: 'Luckfrill' },
        { annIsComplete: false, includeRemoved: true },
      );
      const withInstances = allInstances(withRemoved.file);
      const marked = withInstances
        .filter((instance) => instance.removed === true)
        .map((instance) => instance.id);
      expect(marked.sort((a, b) => a - b)).toEqual(softIds);
      expect(withRemoved.result.instanceCount).toBe(expectedInstanceCount(demo, fileIds, true));
      expect(withRemoved.result.instanceCount).toBe(without.result.instanceCount + softIds.length);
    });

    it('writes a task export as that task file, with the task and its job as source', async () => {
      const task = demo.jobs['Video tracking']?.tasks[1];
      if (task === undefined) throw new Error('Video tracking has tasks');
      const { file } = await writeDemo({ taskId: task.id });
      expect(packetsOf(file).map(([id]) => id)).toEqual([task.fileId]);
      expect(file.export_info).toMatchObject({
        source: 'task',
        directory: null,
        job: { id: demo.jobs['Video tracking']?.id, name: 'Video tracking' },
        task: { id: task.id, name: 'Video tracking / drive-downtown_clip-2.mp4' },
      });
    });

    it.each<[string, DemoSource, { annIsComplete?: boolean; includeRemoved?: boolean }]>([
      ['Luckfrill, completed only', { directory: 'Luckfrill' }, {}],
      [
        'Luckfrill, all with removed instances',
        { directory: 'Luckfrill' },
        { annIsComplete: false, includeRemoved: true },
      ],
      ['Night drives, all', { directory: 'Night drives' }, { annIsComplete: false }],
      ['Reading room, completed only', { directory: 'Reading room' }, {}],
      ['job Street scenes, completed only', { job: 'Street scenes, round 1' }, {}],
      ['job Street scenes, all', { job: 'Street scenes, round 1' }, { annIsComplete: false }],
      [
        'job Video tracking, all with removed',
        { job: 'Video tracking' },
        { annIsComplete: false, includeRemoved: true },
      ],
    ])('writes what the preflight counted: %s', async (_name, source, options) => {
      const settings = demoSettings(demo, source, options);
      const preview = await previewSelection(database, settings);
      const { file, result } = await write(settings);
      expect(result.fileCount).toBe(preview.file_count);
      expect(result.instanceCount).toBe(preview.instance_count);
      expect(file.export_info.file_list_length).toBe(preview.file_count);
      expect(file.export_info.instance_count).toBe(preview.instance_count);
      expect(packetsOf(file)).toHaveLength(preview.file_count);
      expect(allInstances(file)).toHaveLength(preview.instance_count);
    });

    it('fails with the reason when nothing is selected, writing no file and never starting', async () => {
      const task = demo.jobs['Street scenes, round 1']?.tasks.find(
        (candidate) => candidate.fileId === demoFileId(demo, 'street-03.jpg'),
      );
      if (task === undefined) throw new Error('round 1 has a task on street-03');
      const outPath = path.join(dir, 'empty.json.tmp');
      const started: number[] = [];
      const attempt = writeExportFile(
        database,
        { ...demoSettings(demo, { taskId: task.id }), exportId: 99, createdTime, createdBy },
        outPath,
        { onStart: (count) => void started.push(count) },
      );
      await expect(attempt).rejects.toThrow(EmptyExportError);
      await expect(attempt).rejects.toThrow(
        'No file matches: 1 file, not marked complete. Choose All to export it.',
      );
      expect(fs.existsSync(outPath)).toBe(false);
      expect(started).toEqual([]);
    });
  });

  describe('streams', () => {
    it('writes the same bytes whatever the page size', async () => {
      const settings = demoSettings(
        demo,
        { directory: 'Luckfrill' },
        { annIsComplete: false, includeRemoved: true },
      );
      const small = await write(settings, { pageSize: 3 });
      const large = await write(settings, { pageSize: 500 });
      // Only the export id differs between the two runs.
      expect(small.text.replace(`"id":${exportId - 1},"export_format_version"`, '')).toBe(
        large.text.replace(`"id":${exportId},"export_format_version"`, ''),
      );
    });

    it('reports its start and progress, and ends at the selected count', async () => {
      const calls: string[] = [];
      const { result } = await writeDemo(
        { directory: 'Luckfrill' },
        { annIsComplete: false },
        {
          pageSize: 4,
          progressIntervalMs: 0,
          onStart: (count) => void calls.push(`start ${count}`),
          onProgress: (written, count) => void calls.push(`${written}/${count}`),
        },
      );
      const n = result.fileCount;
      const expected = [`start ${n}`];
      for (let written = 4; written < n; written += 4) expected.push(`${written}/${n}`);
      // The last page reports itself, then the end reports once more.
      expect(calls).toEqual([...expected, `${n}/${n}`, `${n}/${n}`]);
    });

    it('returns the SHA-256 and size of the file on disk', async () => {
      const { result, outPath } = await writeDemo(
        { directory: 'Night drives' },
        { annIsComplete: false },
      );
      const bytes = fs.readFileSync(outPath);
      expect(result.sizeBytes).toBe(bytes.length);
      expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    });

    it('removes its partial file when aborted', async () => {
      const controller = new AbortController();
      const outPath = path.join(dir, 'aborted.json.tmp');
      let pages = 0;
      const attempt = writeExportFile(
        database,
        {
          ...demoSettings(demo, { directory: 'Luckfrill' }, { annIsComplete: false }),
          exportId: 98,
          createdTime,
          createdBy,
        },
        outPath,
        {
          signal: controller.signal,
          pageSize: 2,
          progressIntervalMs: 0,
          onProgress: () => {
            pages += 1;
            expect(fs.existsSync(outPath)).toBe(true);
            if (pages === 2) controller.abort(new Error('stopped by the test'));
          },
        },
      );
      await expect(attempt).rejects.toThrow('stopped by the test');
      expect(fs.existsSync(outPath)).toBe(false);

      const before = new AbortController();
      before.abort(new Error('aborted before start'));
      await expect(
        writeExportFile(
          database,
          {
            ...demoSettings(demo, { directory: 'Luckfrill' }),
            exportId: 97,
            createdTime,
            createdBy,
          },
          outPath,
          {
            signal: before.signal,
          },
        ),
      ).rejects.toThrow('aborted before start');
      expect(fs.existsSync(outPath)).toBe(false);
    });

    it('refuses a page size that is not a positive integer', async () => {
      const settings = demoSettings(demo, { directory: 'Luckfrill' });
      const outPath = path.join(dir, 'bad-page.json.tmp');
      for (const pageSize of [0, -5, 2.5]) {
        await expect(
          writeExportFile(
            database,
            { ...settings, exportId: 95, createdTime, createdBy },
            outPath,
            {
              pageSize,
            },
          ),
        ).rejects.toThrow(`pageSize must be a positive integer, got ${pageSize}.`);
      }
      expect(fs.existsSync(outPath)).toBe(false);
    });

    it('fails clearly when it cannot create the file', async () => {
      const outPath = path.join(dir, 'no-such-folder', 'export.json.tmp');
      await expect(
        writeExportFile(
          database,
          {
            ...demoSettings(demo, { directory: 'Luckfrill' }),
            exportId: 96,
            createdTime,
            createdBy,
          },
          outPath,
        ),
      ).rejects.toThrow(/ENOENT/);
    });
  });

  describe('on data that changes or is broken', () => {
    let changing: TestDatabase;
    let changingDemo: DemoProjectSummary;

    beforeAll(async () => {
      ({ database: changing, demo: changingDemo } = await createDemoDatabase(dialect));
    });
    afterAll(async () => {
      await changing.drop();
    });

    const writeChanging = (settings: ExportSettings, outPath: string, hooks: WriteHooks = {}) =>
      writeExportFile(
        changing,
        { ...settings, exportId: 1, createdTime, createdBy },
        outPath,
        hooks,
      );

    it('writes a file in two open tasks of a job once', async () => {
      const job = changingDemo.jobs['Street scenes, round 1'];
      if (job === undefined) throw new Error('the demo has round 1');
      const street04 = demoFileId(changingDemo, 'street-04.jpg');
      const street03 = demoFileId(changingDemo, 'street-03.jpg');
      // street-04 had an in_progress task; now a complete one too. street-03 gets a second complete task.
      await addTask(changing, job.id, street04, 'complete');
      await addTask(changing, job.id, street03, 'complete');
      const outPath = path.join(dir, `${dialect}-two-tasks.json`);
      const settings = demoSettings(changingDemo, { job: 'Street scenes, round 1' });
      const result = await writeChanging(settings, outPath);
      const text = fs.readFileSync(outPath, 'utf8');
      for (const id of [street03, street04])
        expect(text.split(`"file":{"id":${id},`)).toHaveLength(2);
      const expected = [
        ...new Set([...expectedJobFileIds(changingDemo, 'Street scenes, round 1', true), street04]),
      ].sort((a, b) => a - b);
      const file = JSON.parse(text) as ExportFile;
      expect(
        packetsOf(file)
          .map(([id]) => id)
          .sort((a, b) => a - b),
      ).toEqual(expected);
      expect(result.fileCount).toBe(expected.length);
      expect(text.split('"file":{"id":')).toHaveLength(expected.length + 1);
      expect(packetsOf(file).map(([id]) => id)).not.toContain(
        demoFileId(changingDemo, 'street-08.jpg'),
      );
    });

    it('fails, removing its file, when a file is added while it writes', async () => {
      const settings = demoSettings(changingDemo, { directory: 'Luckfrill' });
      const selected = (await previewSelection(changing, settings)).file_count;
      const outPath = path.join(dir, `${dialect}-grew.json.tmp`);
      const attempt = writeChanging(settings, outPath, {
        onStart: async () => {
          const [added] = await addImages(changing, changingDemo.projectId, 1, true);
          await changing.db
            .insertInto('directory_file')
            .values({ directory_id: changingDemo.defaultDirectoryId, file_id: added ?? 0 })
            .execute();
        },
      });
      await expect(attempt).rejects.toThrow(
        `file count changed while writing: selected ${selected}, wrote ${selected + 1}; generate again`,
      );
      expect(fs.existsSync(outPath)).toBe(false);
    });

    it('fails, removing its file, when an instance is soft-deleted while it writes', async () => {
      const settings = demoSettings(changingDemo, { directory: 'Reading room' });
      const counted = (await previewSelection(changing, settings)).instance_count;
      const fileIds = expectedDirectoryFileIds(changingDemo, 'Reading room', true);
      const outPath = path.join(dir, `${dialect}-shrank.json.tmp`);
      const attempt = writeChanging(settings, outPath, {
        onStart: async () => {
          const live = await changing.db
            .selectFrom('instance')
            .select('id')
            .where('file_id', 'in', fileIds)
            .where('soft_deleted', '=', 0)
            .limit(1)
            .executeTakeFirstOrThrow();
          await changing.db
            .updateTable('instance')
            .set({ soft_deleted: 1 })
            .where('id', '=', live.id)
            .execute();
        },
      });
      await expect(attempt).rejects.toThrow(
        `instance count changed while writing: counted ${counted}, wrote ${counted - 1}; generate again`,
      );
      expect(fs.existsSync(outPath)).toBe(false);
    });

    it('fails naming the instance whose stored geometry lacks a field of its type', async () => {
      const fileIds = expectedDirectoryFileIds(changingDemo, 'Luckfrill', true);
      const box = await changing.db
        .selectFrom('instance')
        .select(['id', 'geometry'])
        .where('type', '=', 'box')
        .where('soft_deleted', '=', 0)
        .where('file_id', 'in', fileIds)
        .orderBy('id')
        .limit(1)
        .executeTakeFirstOrThrow();
      const setGeometry = (geometry: string) =>
        changing.db.updateTable('instance').set({ geometry }).where('id', '=', box.id).execute();
      await setGeometry('{"x_min":1,"y_min":2,"x_max":3}');
      try {
        const outPath = path.join(dir, `${dialect}-broken.json.tmp`);
        await expect(
          writeChanging(demoSettings(changingDemo, { directory: 'Luckfrill' }), outPath, {
            pageSize: 2,
          }),
        ).rejects.toThrow(
          `Instance ${box.id} (box) has no "y_max" in its stored geometry; fix or remove the instance.`,
        );
        expect(fs.existsSync(outPath)).toBe(false);
      } finally {
        await setGeometry(box.geometry);
      }
    });

    it('writes only the geometry fields of the type, whatever else is stored', async () => {
      const directoryId = await addDirectory(changing, changingDemo.projectId, 'One', [
        demoFileId(changingDemo, 'street-02.jpg'),
      ]);
      const box = await changing.db
        .selectFrom('instance')
        .select('id')
        .where('type', '=', 'box')
        .where('file_id', '=', demoFileId(changingDemo, 'street-02.jpg'))
        .where('soft_deleted', '=', 0)
        .limit(1)
        .executeTakeFirstOrThrow();
      await changing.db
        .updateTable('instance')
        .set({ geometry: '{"x_min":1,"y_min":2,"x_max":3,"y_max":4,"colour":"red"}' })
        .where('id', '=', box.id)
        .execute();
      const outPath = path.join(dir, `${dialect}-extra.json`);
      await writeChanging(
        { ...demoSettings(changingDemo, { directory: 'Luckfrill' }), sourceId: directoryId },
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
