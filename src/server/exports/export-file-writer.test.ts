import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exportFileSchema,
  isFileIdKey,
  isMetadataKey,
  metadataKeys,
} from '../../contract/export-file.ts';
import type { ExportFile } from '../../contract/export-file.ts';
import { currentChangeSeq } from '../annotations/file-changes.ts';
import { testDialects } from '../db/test-database.ts';
import { EmptyExportError, writeExportFile } from './export-file-writer.ts';
import {
  demoFileId,
  demoSettings,
  expectedDirectoryFileIds,
  expectedInstanceCount,
  expectedJobFileIds,
} from './export-file-fixtures.ts';
import { addImages, addTask } from '../test-utils/test-records.ts';
import type { DemoSource } from './export-file-fixtures.ts';
import {
  allInstances,
  createdBy,
  createdTime,
  packetsOf,
  useDemoExports,
} from './export-file-test-builders.ts';
import type { Written } from './export-file-test-builders.ts';
import { previewSelection } from './export-selection.ts';

// The whole write: what the file holds as a whole, its check values against the preflight, the
// stream (pages, progress, hash, abort, cleanup) and data that changes while it is written (the
// file holds the snapshot it started from). The metadata and the packets have tests of their own
// beside their modules.

describe.each(testDialects)('the export file on %s', (dialect) => {
  const demoExports = useDemoExports(dialect);
  const { write, writeDemo } = demoExports;

  describe('conforms to the format page', () => {
    it('has the five metadata keys and otherwise only integer file ids, and the schema accepts it', async () => {
      const { file, text, result } = await writeDemo({ directory: 'Luckfrill' });
      const keys = Object.keys(file);
      for (const key of metadataKeys) expect(keys).toContain(key);
      for (const key of keys) expect(isMetadataKey(key) || isFileIdKey(key)).toBe(true);
      const parsed = exportFileSchema.safeParse(file);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);

      const expected = expectedDirectoryFileIds(demoExports.demo, 'Luckfrill', true);
      expect(
        packetsOf(file)
          .map(([id]) => id)
          .sort((a, b) => a - b),
      ).toEqual(expected);
      expect(result.fileCount).toBe(expected.length);
      expect(result.instanceCount).toBe(expectedInstanceCount(demoExports.demo, expected, false));
      // Compact, metadata first in the stated order, then the packets.
      expect(text).not.toContain('\n');
      expect(text.startsWith('{"readme":{')).toBe(true);
      const positions = metadataKeys.map((key) => text.indexOf(`"${key}":`));
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(text.indexOf(`"${expected[0] ?? 0}":{"file":`)).toBeGreaterThan(positions.at(-1) ?? 0);
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
      expect(ids(completed)).toEqual(expectedDirectoryFileIds(demoExports.demo, 'Luckfrill', true));
      expect(ids(all)).toEqual(expectedDirectoryFileIds(demoExports.demo, 'Luckfrill', false));
      expect(ids(all).length).toBeGreaterThan(ids(completed).length);
      for (const [, packet] of packetsOf(completed.file))
        expect(packet.file.ann_is_complete).toBe(true);
      expect(packetsOf(all.file).some(([, packet]) => !packet.file.ann_is_complete)).toBe(true);
      for (const removed of demoExports.demo.removedFileIds) {
        expect(ids(all)).not.toContain(removed);
        expect(ids(completed)).not.toContain(removed);
      }
      expect(completed.file.export_info.ann_is_complete).toBe(true);
      expect(all.file.export_info.ann_is_complete).toBe(false);
    });

    it('writes a task export as that task file, with the task and its job as source', async () => {
      const task = demoExports.demo.jobs['Video tracking']?.tasks[1];
      if (task === undefined) throw new Error('Video tracking has tasks');
      const { file } = await writeDemo({ taskId: task.id });
      expect(packetsOf(file).map(([id]) => id)).toEqual([task.fileId]);
      expect(file.export_info).toMatchObject({
        source: 'task',
        directory: null,
        job: { id: demoExports.demo.jobs['Video tracking']?.id, name: 'Video tracking' },
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
      const settings = demoSettings(demoExports.demo, source, options);
      const preview = await previewSelection(demoExports.database, settings);
      const { file, result } = await write(settings);
      expect(result.fileCount).toBe(preview.file_count);
      expect(result.instanceCount).toBe(preview.instance_count);
      expect(file.export_info.file_list_length).toBe(preview.file_count);
      expect(file.export_info.instance_count).toBe(preview.instance_count);
      expect(packetsOf(file)).toHaveLength(preview.file_count);
      expect(allInstances(file)).toHaveLength(preview.instance_count);
    });

    it('fails with the reason when nothing is selected, writing no file and never starting', async () => {
      const task = demoExports.demo.jobs['Street scenes, round 1']?.tasks.find(
        (candidate) => candidate.fileId === demoFileId(demoExports.demo, 'street-03.jpg'),
      );
      if (task === undefined) throw new Error('round 1 has a task on street-03');
      const outPath = path.join(demoExports.dir, 'empty.json.tmp');
      const started: number[] = [];
      const attempt = writeExportFile(
        demoExports.database,
        {
          ...demoSettings(demoExports.demo, { taskId: task.id }),
          exportId: 99,
          createdTime,
          createdBy,
        },
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
        demoExports.demo,
        { directory: 'Luckfrill' },
        { annIsComplete: false, includeRemoved: true },
      );
      const small = await write(settings, { pageSize: 3 });
      const large = await write(settings, { pageSize: 500 });
      // Only the export id differs between the two runs.
      expect(
        small.text.replace(`"id":${demoExports.exportId - 1},"export_format_version"`, ''),
      ).toBe(large.text.replace(`"id":${demoExports.exportId},"export_format_version"`, ''));
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
      const outPath = path.join(demoExports.dir, 'aborted.json.tmp');
      let pages = 0;
      const attempt = writeExportFile(
        demoExports.database,
        {
          ...demoSettings(demoExports.demo, { directory: 'Luckfrill' }, { annIsComplete: false }),
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
          demoExports.database,
          {
            ...demoSettings(demoExports.demo, { directory: 'Luckfrill' }),
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
      const settings = demoSettings(demoExports.demo, { directory: 'Luckfrill' });
      const outPath = path.join(demoExports.dir, 'bad-page.json.tmp');
      for (const pageSize of [0, -5, 2.5]) {
        await expect(
          writeExportFile(
            demoExports.database,
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
      const outPath = path.join(demoExports.dir, 'no-such-folder', 'export.json.tmp');
      await expect(
        writeExportFile(
          demoExports.database,
          {
            ...demoSettings(demoExports.demo, { directory: 'Luckfrill' }),
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
    // A demo database of its own, since these tests change the data they export.
    const changing = useDemoExports(dialect);

    it('writes a file in two open tasks of a job once', async () => {
      const job = changing.demo.jobs['Street scenes, round 1'];
      if (job === undefined) throw new Error('the demoExports.demo has round 1');
      const street04 = demoFileId(changing.demo, 'street-04.jpg');
      const street03 = demoFileId(changing.demo, 'street-03.jpg');
      // street-04 had an in_progress task; now a complete one too. street-03 gets a second complete task.
      await addTask(changing.database, job.id, street04, 'complete');
      await addTask(changing.database, job.id, street03, 'complete');
      const outPath = path.join(demoExports.dir, `${dialect}-two-tasks.json`);
      const settings = demoSettings(changing.demo, { job: 'Street scenes, round 1' });
      const result = await changing.writeTo(settings, outPath);
      const text = fs.readFileSync(outPath, 'utf8');
      for (const id of [street03, street04])
        expect(text.split(`"file":{"id":${id},`)).toHaveLength(2);
      const expected = [
        ...new Set([
          ...expectedJobFileIds(changing.demo, 'Street scenes, round 1', true),
          street04,
        ]),
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
        demoFileId(changing.demo, 'street-08.jpg'),
      );
    });

    it('writes the snapshot it started from when a file is added while it writes', async () => {
      const settings = demoSettings(changing.demo, { directory: 'Luckfrill' });
      const selected = (await previewSelection(changing.database, settings)).file_count;
      const seqBefore = await currentChangeSeq(changing.database.db, changing.demo.projectId);
      let added: number | undefined;
      const { file, result } = await changing.write(settings, {
        onStart: async (_count, snapshotSeq) => {
          expect(snapshotSeq).toBe(seqBefore);
          [added] = await addImages(changing.database, changing.demo.projectId, 1, true);
          await changing.database.db
            .insertInto('directory_file')
            .values({ directory_id: changing.demo.defaultDirectoryId, file_id: added ?? 0 })
            .execute();
        },
      });
      expect(added).toBeDefined();
      expect(result).toMatchObject({ fileCount: selected, snapshotSeq: seqBefore });
      expect(file.export_info.file_list_length).toBe(selected);
      expect(packetsOf(file).map(([id]) => id)).not.toContain(added);
      // The next export sees it.
      expect((await previewSelection(changing.database, settings)).file_count).toBe(selected + 1);
    });

    it('writes the snapshot it started from when an instance is soft-deleted while it writes', async () => {
      const settings = demoSettings(changing.demo, { directory: 'Reading room' });
      const counted = (await previewSelection(changing.database, settings)).instance_count;
      const fileIds = expectedDirectoryFileIds(changing.demo, 'Reading room', true);
      const live = await changing.database.db
        .selectFrom('instance')
        .select('id')
        .where('file_id', 'in', fileIds)
        .where('soft_deleted', '=', 0)
        .limit(1)
        .executeTakeFirstOrThrow();
      const { file, result } = await changing.write(settings, {
        onStart: async () => {
          await changing.database.db
            .updateTable('instance')
            .set({ soft_deleted: 1 })
            .where('id', '=', live.id)
            .execute();
        },
      });
      expect(result.instanceCount).toBe(counted);
      expect(file.export_info.instance_count).toBe(counted);
      expect(allInstances(file).map((instance) => instance.id)).toContain(live.id);
      expect((await previewSelection(changing.database, settings)).instance_count).toBe(
        counted - 1,
      );
    });
  });
});
