import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  addSmallProject,
  applyChange,
  at,
  expectCountsToMatchRecount,
} from './project-counts-test-changes.ts';
import type { Change } from './project-counts-test-changes.ts';
import { listDirectorySummaries, listJobSummaries } from './project-queries.ts';

// The maintained counts (migration 0004's triggers) against a fresh recount, on both engines: after a
// seed, after the migration backfills rows that were there before it, and after every kind of change
// a writer can make, singly and in random sequences. Each check compares the whole summary lists, so
// a count off by one anywhere, or a directory or job missing, fails it.
// Random sequences of changes are in project-counts-sequences.test.ts; the changes themselves in
// project-counts-test-changes.ts.

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
