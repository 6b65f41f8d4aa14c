import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import { addDirectory, addImages, addJob } from '../test-utils/test-records.ts';
import {
  createDemoDatabase,
  demoFileId,
  demoSettings,
  expectedDirectoryFileIds,
  expectedInstanceCount,
  expectedJobFileIds,
} from './export-file-fixtures.ts';
import {
  ExportSettingsError,
  ExportSourceNotFoundError,
  listSelectedFilesPage,
  previewSelection,
  resolveExportSelection,
} from './export-selection.ts';
import type { ExportSettings } from './export-settings.ts';

async function selectedIds(
  database: TestDatabase,
  settings: ExportSettings,
  pageSize: number,
): Promise<number[]> {
  const selection = await resolveExportSelection(database, settings);
  const ids: number[] = [];
  for (;;) {
    const page = await listSelectedFilesPage(database, selection, ids.at(-1) ?? 0, pageSize);
    if (page.length === 0) return ids;
    ids.push(...page.map((file) => file.id));
  }
}

describe.each(testDialects)('export selection on %s', (dialect) => {
  let database: TestDatabase;
  let demo: DemoProjectSummary;

  beforeAll(async () => {
    ({ database, demo } = await createDemoDatabase(dialect));
  });
  afterAll(async () => {
    await database.drop();
  });

  describe('a directory', () => {
    it.each([true, false])(
      'holds its top-level files, never removed ones (completed only: %s)',
      async (annIsComplete) => {
        const settings = demoSettings(demo, { directory: 'Luckfrill' }, { annIsComplete });
        const expected = expectedDirectoryFileIds(demo, 'Luckfrill', annIsComplete);
        expect(await selectedIds(database, settings, 4)).toEqual(expected);
        const preview = await previewSelection(database, settings);
        expect(preview).toEqual({
          file_count: expected.length,
          instance_count: expectedInstanceCount(demo, expected, false),
          source_file_count: expectedDirectoryFileIds(demo, 'Luckfrill', false).length,
          empty_reason: null,
        });
        for (const removed of demo.removedFileIds) expect(expected).not.toContain(removed);
      },
    );

    it('counts soft-deleted instances only when they are included', async () => {
      const files = expectedDirectoryFileIds(demo, 'Night drives', false);
      const without = await previewSelection(
        database,
        demoSettings(demo, { directory: 'Night drives' }, { annIsComplete: false }),
      );
      const withRemoved = await previewSelection(
        database,
        demoSettings(
          demo,
          { directory: 'Night drives' },
          { annIsComplete: false, includeRemoved: true },
        ),
      );
      expect(without.instance_count).toBe(expectedInstanceCount(demo, files, false));
      expect(withRemoved.instance_count).toBe(expectedInstanceCount(demo, files, true));
      expect(withRemoved.instance_count).toBeGreaterThan(without.instance_count);
    });

    it('is not the original of a split video, which is in no directory', async () => {
      const ids = await selectedIds(
        database,
        demoSettings(demo, { directory: 'Luckfrill' }, { annIsComplete: false }),
        500,
      );
      expect(ids).not.toContain(demo.splitVideo.parentFileId);
      for (const clip of demo.splitVideo.clipFileIds) expect(ids).toContain(clip);
    });
  });

  describe('a job', () => {
    it('holds the files of its tasks once each, never archived tasks', async () => {
      const settings = demoSettings(
        demo,
        { job: 'Street scenes, round 1' },
        { annIsComplete: false },
      );
      const ids = await selectedIds(database, settings, 2);
      expect(ids).toEqual(expectedJobFileIds(demo, 'Street scenes, round 1', false));
      // street-02 has a complete and an archived task: once. street-08 has only an archived task: never.
      expect(ids.filter((id) => id === demoFileId(demo, 'street-02.jpg'))).toHaveLength(1);
      expect(ids).not.toContain(demoFileId(demo, 'street-08.jpg'));
    });

    it('completed only: keeps files by task status, not by the file flag', async () => {
      const settings = demoSettings(demo, { job: 'Street scenes, round 1' });
      const ids = await selectedIds(database, settings, 500);
      expect(ids).toEqual(expectedJobFileIds(demo, 'Street scenes, round 1', true));
      // Complete tasks on files whose own flag was reset are in; an available task on a complete file is out.
      expect(ids).toContain(demoFileId(demo, 'street-03.jpg'));
      expect(ids).toContain(demoFileId(demo, 'street-09.jpg'));
      expect(ids).not.toContain(demoFileId(demo, 'street-07.jpg'));
      const preview = await previewSelection(database, settings);
      expect(preview.file_count).toBe(ids.length);
      expect(preview.source_file_count).toBe(
        expectedJobFileIds(demo, 'Street scenes, round 1', false).length,
      );
      expect(preview.instance_count).toBe(expectedInstanceCount(demo, ids, false));
    });

    it('skips an archived task on a video', async () => {
      const ids = await selectedIds(
        database,
        demoSettings(demo, { job: 'Video tracking' }, { annIsComplete: false }),
        500,
      );
      expect(ids).toEqual(expectedJobFileIds(demo, 'Video tracking', false));
      expect(ids).not.toContain(demoFileId(demo, 'crossing-night.mp4'));
    });
  });

  describe('a task', () => {
    it('holds its file, kept by the file flag when completed only', async () => {
      const round1 = demo.jobs['Street scenes, round 1'];
      const taskOn = (name: string) => {
        const task = round1?.tasks.find((candidate) => candidate.fileId === demoFileId(demo, name));
        if (task === undefined) throw new Error(`no task on ${name}`);
        return task.id;
      };
      // street-07: an available task on a complete file.
      const available = await previewSelection(
        database,
        demoSettings(demo, { taskId: taskOn('street-07.jpg') }),
      );
      expect(available.file_count).toBe(1);
      expect(
        await selectedIds(database, demoSettings(demo, { taskId: taskOn('street-07.jpg') }), 10),
      ).toEqual([demoFileId(demo, 'street-07.jpg')]);
      // street-03: a complete task on a file not marked complete.
      const incomplete = await previewSelection(
        database,
        demoSettings(demo, { taskId: taskOn('street-03.jpg') }),
      );
      expect(incomplete).toEqual({
        file_count: 0,
        instance_count: 0,
        source_file_count: 1,
        empty_reason: 'No file matches: 1 file, not marked complete. Choose All to export it.',
      });
      const all = await previewSelection(
        database,
        demoSettings(demo, { taskId: taskOn('street-03.jpg') }, { annIsComplete: false }),
      );
      expect(all.file_count).toBe(1);
    });

    it('names the job and the file in its source', async () => {
      const task = demo.jobs['Text review']?.tasks[0];
      if (task === undefined) throw new Error('Text review has tasks');
      const selection = await resolveExportSelection(
        database,
        demoSettings(demo, { taskId: task.id }),
      );
      expect(selection.source.task).toEqual({ id: task.id, name: 'Text review / witness-1.txt' });
      expect(selection.source.job).toEqual({
        id: demo.jobs['Text review']?.id,
        name: 'Text review',
      });
      expect(selection.source.fileNameSourceName).toBe(String(task.id));
    });
  });

  describe('an empty selection says why and what to change', () => {
    it('for files none of which is complete', async () => {
      const ids = await addImages(database, demo.projectId, 40, false);
      const directoryId = await addDirectory(database, demo.projectId, 'Drafts', ids);
      const settings = { ...demoSettings(demo, { directory: 'Luckfrill' }), sourceId: directoryId };
      expect(await previewSelection(database, settings)).toEqual({
        file_count: 0,
        instance_count: 0,
        source_file_count: 40,
        empty_reason: 'No file matches: 40 files, none marked complete. Choose All to export them.',
      });
      expect(
        (await previewSelection(database, { ...settings, annIsComplete: false })).file_count,
      ).toBe(40);
    });

    it('for an empty directory and one holding only removed files', async () => {
      const emptyId = await addDirectory(database, demo.projectId, 'Empty', []);
      const base = demoSettings(demo, { directory: 'Luckfrill' }, { annIsComplete: false });
      expect((await previewSelection(database, { ...base, sourceId: emptyId })).empty_reason).toBe(
        'No file matches: directory "Empty" holds no files. Add files to it or choose another directory.',
      );
      const removedId = await addDirectory(database, demo.projectId, 'Bin', demo.removedFileIds);
      expect(
        (await previewSelection(database, { ...base, sourceId: removedId })).empty_reason,
      ).toBe(
        `No file matches: directory "Bin" holds only removed files (${demo.removedFileIds.length} files), and removed files are never exported. Choose another directory.`,
      );
    });

    it('for jobs with no tasks, only archived tasks, or no complete task', async () => {
      const image = (n: string) => demoFileId(demo, `street-${n}.jpg`);
      const none = await addJob(database, demo.projectId, 'Not started', []);
      const archived = await addJob(database, demo.projectId, 'Old round', [
        [image('01'), 'archived'],
        [image('02'), 'archived'],
      ]);
      const open = await addJob(database, demo.projectId, 'Fresh round', [
        [image('04'), 'available'],
        [image('06'), 'in_progress'],
      ]);
      const reason = async (jobId: number, annIsComplete = true) =>
        (
          await previewSelection(database, {
            ...demoSettings(demo, { job: 'Video tracking' }),
            sourceId: jobId,
            annIsComplete,
          })
        ).empty_reason;
      expect(await reason(none.jobId)).toBe(
        'No file matches: job "Not started" has no tasks. Add tasks to it or choose another job.',
      );
      expect(await reason(archived.jobId, false)).toBe(
        'No file matches: every task of job "Old round" is archived (2), and archived tasks are never exported. Choose another job.',
      );
      expect(await reason(open.jobId)).toBe(
        'No file matches: 2 files in job "Fresh round", none in a task marked complete. Choose All to export them.',
      );
      expect(await reason(open.jobId, false)).toBeNull();

      const [firstRemoved, secondRemoved] = demo.removedFileIds;
      const gone = await addJob(database, demo.projectId, 'Gone round', [
        [image('01'), 'archived'],
        [firstRemoved ?? 0, 'complete'],
        [secondRemoved ?? 0, 'available'],
      ]);
      expect(await reason(gone.jobId, false)).toBe(
        'No file matches: the files of the 2 tasks of job "Gone round" that are not archived were removed from the project (its 1 archived task is never exported). Choose another job.',
      );
    });

    it('for a task whose file was removed', async () => {
      const { taskIds } = await addJob(database, demo.projectId, 'Cleanup', [
        [demoFileId(demo, 'street-05.jpg'), 'complete'],
      ]);
      const taskId = taskIds[0] ?? 0;
      const preview = await previewSelection(
        database,
        demoSettings(demo, { taskId }, { annIsComplete: false }),
      );
      expect(preview.file_count).toBe(0);
      expect(preview.empty_reason).toBe(
        `No file matches: the file of task ${taskId} was removed from the project. Choose another task.`,
      );
    });
  });

  describe('bad settings', () => {
    it('are refused with a message naming what is wrong', async () => {
      const settings = demoSettings(demo, { directory: 'Luckfrill' });
      await expect(previewSelection(database, { ...settings, sourceId: 0 })).rejects.toThrow(
        new ExportSettingsError('A directory export needs a positive directory id, got 0.'),
      );
      await expect(
        previewSelection(database, { ...settings, source: 'folder' as 'job' }),
      ).rejects.toThrow(ExportSettingsError);
      await expect(previewSelection(database, { ...settings, projectId: 0 })).rejects.toThrow(
        ExportSettingsError,
      );
    });

    it('naming a source of another project, or no project, are not found', async () => {
      const other = await database.db
        .insertInto('project')
        .values({
          project_string_id: 'other',
          name: 'Other',
          default_directory_id: null,
          created_time: '2024-03-05T00:00:00.000Z',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const settings = { ...demoSettings(demo, { directory: 'Luckfrill' }), projectId: other.id };
      await expect(previewSelection(database, settings)).rejects.toThrow(
        new ExportSourceNotFoundError(
          `Directory ${demo.defaultDirectoryId} is not in project "other".`,
        ),
      );
      const job = demoSettings(demo, { job: 'Video tracking' });
      await expect(previewSelection(database, { ...job, projectId: other.id })).rejects.toThrow(
        ExportSourceNotFoundError,
      );
      await expect(previewSelection(database, { ...job, sourceId: 999_999 })).rejects.toThrow(
        ExportSourceNotFoundError,
      );
      await expect(previewSelection(database, { ...job, projectId: 999_999 })).rejects.toThrow(
        'Project 999999 does not exist.',
      );
      await expect(
        previewSelection(database, demoSettings(demo, { taskId: 999_999 })),
      ).rejects.toThrow('Task 999999 is not in project "demo".');
    });
  });
});
