import { expect } from 'vitest';
import type { TaskStatus } from '../../contract/annotations.ts';
import type { AnnexDatabase } from '../db/database.ts';
import {
  addDirectory,
  addImages,
  addJob,
  addProject,
  addTask,
} from '../test-utils/test-records.ts';
import {
  listDirectorySummaries,
  listJobSummaries,
  recountDirectorySummaries,
  recountJobSummaries,
} from './project-queries.ts';

// What the tests of the maintained counts share (project-counts.test.ts and
// project-counts-sequences.test.ts): the check against a recount, a small project to change, and
// every kind of change a writer can make, made with plain statements.

/** Fails unless every directory's and job's maintained counts equal a recount from the rows. */
export async function expectCountsToMatchRecount(
  database: AnnexDatabase,
  projectId: number,
  after = 'the changes',
): Promise<void> {
  const [directories, recountedDirectories, jobs, recountedJobs] = await Promise.all([
    listDirectorySummaries(database.db, projectId),
    recountDirectorySummaries(database.db, projectId),
    listJobSummaries(database.db, projectId),
    recountJobSummaries(database.db, projectId),
  ]);
  expect(directories, `directory counts after ${after}`).toEqual(recountedDirectories);
  expect(jobs, `job counts after ${after}`).toEqual(recountedJobs);
}

/** One change a writer can make, with indexes into the current files, directories, jobs and tasks. */
export type Change =
  | { kind: 'add to directory'; directory: number; file: number }
  | { kind: 'add to every directory'; file: number }
  | { kind: 'remove from directory'; directory: number; file: number }
  | { kind: 'empty directory'; directory: number }
  | { kind: 'move membership'; directory: number; file: number; to: number }
  | { kind: 'mark complete'; file: number; complete: 0 | 1 }
  | { kind: 'mark every file'; complete: 0 | 1 }
  | { kind: 'set state'; file: number; state: 'added' | 'removed' }
  | { kind: 'set state and complete'; file: number; state: 'added' | 'removed'; complete: 0 | 1 }
  | { kind: 'replace file'; file: number; complete: boolean; state: 'added' | 'removed' }
  | { kind: 'add task'; job: number; file: number; status: TaskStatus }
  | { kind: 'delete task'; task: number }
  | { kind: 'set task status'; task: number; status: TaskStatus }
  | { kind: 'set every task status'; job: number; status: TaskStatus }
  | { kind: 'move task'; task: number; job: number };

const fileCount = 8;

/** A small project the random changes work on: its ids, which `replace file` changes. */
export interface SmallProject {
  projectId: number;
  directoryIds: number[];
  jobIds: number[];
  fileIds: number[];
}

let projectNumber = 0;

/** A fresh small project: some files removed or complete, some memberships and tasks. */
export async function addSmallProject(database: AnnexDatabase): Promise<SmallProject> {
  projectNumber += 1;
  const projectId = await addProject(database, `counts-${projectNumber}`, 'Counts');
  const complete = await addImages(database, projectId, fileCount / 2, true, {
    nameOf: (n) => `complete-${n}.jpg`,
  });
  const open = await addImages(database, projectId, fileCount / 2 - 1, false, {
    nameOf: (n) => `open-${n}.jpg`,
  });
  const removed = await addImages(database, projectId, 1, true, {
    state: 'removed',
    nameOf: (n) => `removed-${n}.jpg`,
  });
  const fileIds = [...complete, ...open, ...removed];
  const directoryIds = [
    await addDirectory(database, projectId, 'all', fileIds),
    await addDirectory(
      database,
      projectId,
      'odd',
      fileIds.filter((_, n) => n % 2 === 1),
    ),
    await addDirectory(database, projectId, 'empty', []),
  ];
  const jobIds = [
    (await addJob(database, projectId, 'first', [[fileIds[0] ?? 0, 'available']])).jobId,
    (await addJob(database, projectId, 'second', [])).jobId,
  ];
  return { projectId, directoryIds, jobIds, fileIds };
}

/** The item at `n`, wrapping around, so any random index picks something; throws on an empty list. */
export function at<T>(list: readonly T[], n: number): T {
  const value = list[n % list.length];
  if (value === undefined) throw new Error(`Nothing at ${n} of an empty list`);
  return value;
}

/** Makes one change the way any writer would: plain statements, no help from annex's code. */
export async function applyChange(
  database: AnnexDatabase,
  project: SmallProject,
  change: Change,
): Promise<void> {
  const { db } = database;
  // In id order, so an index picks the same task on both engines (PostgreSQL moves updated rows).
  const taskIds = async () =>
    (
      await db
        .selectFrom('task')
        .select('id')
        .where('job_id', 'in', project.jobIds)
        .orderBy('id')
        .execute()
    ).map((row) => row.id);
  switch (change.kind) {
    case 'add to directory':
    case 'add to every directory': {
      const directories =
        change.kind === 'add to directory'
          ? [at(project.directoryIds, change.directory)]
          : project.directoryIds;
      const fileId = at(project.fileIds, change.file);
      await db
        .insertInto('directory_file')
        .values(directories.map((directoryId) => ({ directory_id: directoryId, file_id: fileId })))
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      return;
    }
    case 'remove from directory':
      await db
        .deleteFrom('directory_file')
        .where('directory_id', '=', at(project.directoryIds, change.directory))
        .where('file_id', '=', at(project.fileIds, change.file))
        .execute();
      return;
    case 'empty directory':
      await db
        .deleteFrom('directory_file')
        .where('directory_id', '=', at(project.directoryIds, change.directory))
        .execute();
      return;
    case 'move membership': {
      // From one of the file's directories to one it is not in, so the move always happens.
      const fileId = at(project.fileIds, change.file);
      const holding = (
        await db
          .selectFrom('directory_file')
          .select('directory_id')
          .where('file_id', '=', fileId)
          .where('directory_id', 'in', project.directoryIds)
          .orderBy('directory_id')
          .execute()
      ).map((row) => row.directory_id);
      const free = project.directoryIds.filter((id) => !holding.includes(id));
      if (holding.length === 0 || free.length === 0) return;
      await db
        .updateTable('directory_file')
        .set({ directory_id: at(free, change.to) })
        .where('directory_id', '=', at(holding, change.directory))
        .where('file_id', '=', fileId)
        .execute();
      return;
    }
    case 'mark complete':
      await db
        .updateTable('file')
        .set({ ann_is_complete: change.complete })
        .where('id', '=', at(project.fileIds, change.file))
        .execute();
      return;
    case 'mark every file':
      await db
        .updateTable('file')
        .set({ ann_is_complete: change.complete })
        .where('project_id', '=', project.projectId)
        .execute();
      return;
    case 'set state':
      await db
        .updateTable('file')
        .set({ state: change.state })
        .where('id', '=', at(project.fileIds, change.file))
        .execute();
      return;
    case 'set state and complete':
      await db
        .updateTable('file')
        .set({ state: change.state, ann_is_complete: change.complete })
        .where('id', '=', at(project.fileIds, change.file))
        .execute();
      return;
    case 'replace file': {
      // A hard delete: its memberships and tasks go by cascade, and the counts with them.
      const slot = change.file % project.fileIds.length;
      await db.deleteFrom('file').where('id', '=', at(project.fileIds, slot)).execute();
      projectNumber += 1;
      const [fileId] = await addImages(database, project.projectId, 1, change.complete, {
        state: change.state,
        nameOf: () => `replacement-${projectNumber}.jpg`,
      });
      if (fileId === undefined) throw new Error('addImages added no file');
      project.fileIds[slot] = fileId;
      return;
    }
    case 'add task':
      await addTask(
        database,
        at(project.jobIds, change.job),
        at(project.fileIds, change.file),
        change.status,
      );
      return;
    case 'delete task': {
      const ids = await taskIds();
      if (ids.length > 0)
        await db.deleteFrom('task').where('id', '=', at(ids, change.task)).execute();
      return;
    }
    case 'set task status': {
      const ids = await taskIds();
      if (ids.length > 0)
        await db
          .updateTable('task')
          .set({ status: change.status })
          .where('id', '=', at(ids, change.task))
          .execute();
      return;
    }
    case 'set every task status':
      await db
        .updateTable('task')
        .set({ status: change.status })
        .where('job_id', '=', at(project.jobIds, change.job))
        .execute();
      return;
    case 'move task': {
      const ids = await taskIds();
      if (ids.length > 0)
        await db
          .updateTable('task')
          .set({ job_id: at(project.jobIds, change.job) })
          .where('id', '=', at(ids, change.task))
          .execute();
      return;
    }
  }
}
