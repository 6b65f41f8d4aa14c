import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { Migrator, sql } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskStatuses } from '../../contract/annotations.ts';
import type { TaskStatus } from '../../contract/annotations.ts';
import { openDatabase } from '../db/database.ts';
import type { AnnexDatabase, DialectName } from '../db/database.ts';
import * as initial from '../db/migrations/0001-initial.ts';
import * as exportClaims from '../db/migrations/0002-export-claims.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { TEST_POSTGRES_URL, createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { seedBulkProject } from '../seed/bulk-project.ts';
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

// The maintained counts (migration 0004's triggers) against a fresh recount, on both engines: after a
// seed, after the migration backfills rows that were there before it, and after every kind of change
// a writer can make, singly and in random sequences. Each check compares the whole summary lists, so
// a count off by one anywhere, or a directory or job missing, fails it.

/** Fails unless every directory's and job's maintained counts equal a recount from the rows. */
async function expectCountsToMatchRecount(
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
type Change =
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

const index = fc.nat({ max: 99 });
const flag = fc.constantFrom<0 | 1>(0, 1);
const state = fc.constantFrom<'added' | 'removed'>('added', 'removed');
const status = fc.constantFrom<TaskStatus>(...taskStatuses);
const changeArbitrary: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('add to directory'), directory: index, file: index }),
  fc.record({ kind: fc.constant('add to every directory'), file: index }),
  fc.record({ kind: fc.constant('remove from directory'), directory: index, file: index }),
  fc.record({ kind: fc.constant('empty directory'), directory: index }),
  fc.record({ kind: fc.constant('move membership'), directory: index, file: index, to: index }),
  fc.record({ kind: fc.constant('mark complete'), file: index, complete: flag }),
  fc.record({ kind: fc.constant('mark every file'), complete: flag }),
  fc.record({ kind: fc.constant('set state'), file: index, state }),
  fc.record({ kind: fc.constant('set state and complete'), file: index, state, complete: flag }),
  fc.record({ kind: fc.constant('replace file'), file: index, complete: fc.boolean(), state }),
  fc.record({ kind: fc.constant('add task'), job: index, file: index, status }),
  fc.record({ kind: fc.constant('delete task'), task: index }),
  fc.record({ kind: fc.constant('set task status'), task: index, status }),
  fc.record({ kind: fc.constant('set every task status'), job: index, status }),
  fc.record({ kind: fc.constant('move task'), task: index, job: index }),
);

/** A small project the random changes work on: its ids, which `replace file` changes. */
interface SmallProject {
  projectId: number;
  directoryIds: number[];
  jobIds: number[];
  fileIds: number[];
}

let projectNumber = 0;

/** A fresh small project: some files removed or complete, some memberships and tasks. */
async function addSmallProject(database: AnnexDatabase): Promise<SmallProject> {
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

function at<T>(list: readonly T[], n: number): T {
  const value = list[n % list.length];
  if (value === undefined) throw new Error(`Nothing at ${n} of an empty list`);
  return value;
}

/** Makes one change the way any writer would: plain statements, no help from annex's code. */
async function applyChange(
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

describe.each(testDialects)('maintained project counts on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('equal a recount after a bulk seed', async () => {
    const bulk = await seedBulkProject(database, { files: 1_000, projectStringId: 'counts-bulk' });
    await expectCountsToMatchRecount(database, bulk.projectId, 'the seed');
    // Not equal because both are empty: the seed's own tally says what the default directory holds.
    const directories = await listDirectorySummaries(database.db, bulk.projectId);
    const luckfrill = directories.find((directory) => directory.id === bulk.defaultDirectoryId);
    expect(luckfrill?.file_count).toBe(bulk.counts.files - bulk.counts.removedFiles);
    const jobs = await listJobSummaries(database.db, bulk.projectId);
    expect(jobs.reduce((sum, job) => sum + job.task_count, 0)).toBe(bulk.counts.tasks);
  });

  it('follow each kind of change, with the numbers a reader expects', async () => {
    const project = await addSmallProject(database);
    const all = at(project.directoryIds, 0);
    const counts = async () => {
      await expectCountsToMatchRecount(database, project.projectId);
      const directories = await listDirectorySummaries(database.db, project.projectId);
      const directory = directories.find((row) => row.id === all);
      const [job] = await listJobSummaries(database.db, project.projectId);
      return {
        files: directory?.file_count,
        completed: directory?.completed_file_count,
        tasks: job?.task_counts,
      };
    };
    // 8 files: 4 complete, 3 open, 1 removed (and complete): 7 counted, 4 of them complete.
    expect(await counts()).toMatchObject({ files: 7, completed: 4 });
    const steps: [Change, { files: number; completed: number }][] = [
      [
        { kind: 'mark complete', file: 4, complete: 1 },
        { files: 7, completed: 5 },
      ],
      [
        { kind: 'mark complete', file: 0, complete: 0 },
        { files: 7, completed: 4 },
      ],
      [
        { kind: 'set state', file: 1, state: 'removed' },
        { files: 6, completed: 3 },
      ],
      [
        { kind: 'set state', file: 7, state: 'added' },
        { files: 7, completed: 4 },
      ],
      [
        { kind: 'remove from directory', directory: 0, file: 2 },
        { files: 6, completed: 3 },
      ],
      [
        { kind: 'add to directory', directory: 0, file: 2 },
        { files: 7, completed: 4 },
      ],
      [
        { kind: 'replace file', file: 3, complete: false, state: 'added' },
        { files: 6, completed: 3 },
      ],
      [
        { kind: 'add to directory', directory: 0, file: 3 },
        { files: 7, completed: 3 },
      ],
      // File 0 is in `all` only, added and (since above) open: moving it to `empty` takes one off `all`.
      [
        { kind: 'move membership', directory: 0, file: 0, to: 1 },
        { files: 6, completed: 3 },
      ],
    ];
    for (const [change, expected] of steps) {
      await applyChange(database, project, change);
      expect(await counts(), change.kind).toMatchObject(expected);
    }
    const taskSteps: [Change, Record<TaskStatus, number>][] = [
      [
        { kind: 'add task', job: 0, file: 1, status: 'in_progress' },
        { available: 1, in_progress: 1, complete: 0, archived: 0 },
      ],
      [
        { kind: 'set task status', task: 0, status: 'complete' },
        { available: 0, in_progress: 1, complete: 1, archived: 0 },
      ],
      [
        { kind: 'delete task', task: 1 },
        { available: 0, in_progress: 0, complete: 1, archived: 0 },
      ],
    ];
    for (const [change, expected] of taskSteps) {
      await applyChange(database, project, change);
      expect((await counts()).tasks, change.kind).toEqual(expected);
    }
  });

  it('follow any sequence of changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(changeArbitrary, { maxLength: 12 }), async (changes) => {
        const project = await addSmallProject(database);
        await expectCountsToMatchRecount(database, project.projectId, 'setting up');
        for (const [n, change] of changes.entries()) {
          await applyChange(database, project, change);
          await expectCountsToMatchRecount(
            database,
            project.projectId,
            `change ${n + 1}: ${JSON.stringify(change)}`,
          );
        }
      }),
      { numRuns: 30 },
    );
  });

  // Last: it empties every project's memberships and tasks.
  it.runIf(dialect === 'postgres')(
    'are zero after TRUNCATE, which fires no row triggers',
    async () => {
      const project = await addSmallProject(database);
      await sql`TRUNCATE directory_file, task CASCADE`.execute(database.db);
      await expectCountsToMatchRecount(database, project.projectId, 'TRUNCATE');
      const [directory] = await listDirectorySummaries(database.db, project.projectId);
      expect(directory?.file_count).toBe(0);
    },
  );
});

describe.each(testDialects)('the counts migration on %s', (dialect) => {
  it('counts the rows already there when it runs', async () => {
    const before = await createDatabaseBeforeCounts(dialect);
    try {
      const bulk = await seedBulkProject(before, { files: 300, projectStringId: 'before-counts' });
      expect(await migrateToLatest(before)).toContain('0004-maintained-counts');
      await expectCountsToMatchRecount(before, bulk.projectId, 'the migration');
      const directories = await listDirectorySummaries(before.db, bulk.projectId);
      expect(directories.map((directory) => directory.file_count)).toEqual([
        bulk.counts.files - bulk.counts.removedFiles,
        expect.any(Number),
      ]);
      expect(directories.every((directory) => directory.completed_file_count > 0)).toBe(true);
    } finally {
      await before.close();
      await before.dropStore();
    }
  });
});

/**
 * A fresh database migrated only up to 0002, as one made before the counts existed stands. Not
 * `createTestDatabase`, which migrates to the latest; the store is made the same way (a temporary
 * SQLite file, or a schema of its own on the test PostgreSQL).
 */
async function createDatabaseBeforeCounts(
  dialect: DialectName,
): Promise<AnnexDatabase & { dropStore(): Promise<void> }> {
  let database: AnnexDatabase;
  let schema: string | undefined;
  let dropStore: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-test-'));
    database = await openDatabase(`sqlite:${path.join(dir, 'annex.db')}`);
    dropStore = () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true }));
  } else {
    schema = `annex_test_${randomBytes(6).toString('hex')}`;
    const dropSchema = schema;
    database = await openDatabase(TEST_POSTGRES_URL, { schema, poolSize: 2 });
    dropStore = async () => {
      const admin = await openDatabase(TEST_POSTGRES_URL);
      try {
        await sql.raw(`DROP SCHEMA IF EXISTS ${dropSchema} CASCADE`).execute(admin.db);
      } finally {
        await admin.close();
      }
    };
  }
  const provider: MigrationProvider = {
    getMigrations: (): Promise<Record<string, Migration>> =>
      Promise.resolve({
        '0001-initial': { up: (db) => initial.up(db, dialect) },
        '0002-export-claims': { up: (db) => exportClaims.up(db) },
      }),
  };
  const { error } = await new Migrator({
    db: database.db,
    provider,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  }).migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  return { ...database, dropStore };
}
