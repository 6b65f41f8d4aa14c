import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';
import type { AnnexDatabase } from './database.ts';
import { migrateToLatest, migrationLockKey, pendingMigrations } from './migrator.ts';
import { TEST_POSTGRES_URL } from './test-database.ts';

// Many processes start at once on one database (N API processes and M workers rolled out together):
// the migrations must run once, whole, and every process must start. PostgreSQL: an advisory lock
// around the run; SQLite: the write lock (BEGIN IMMEDIATE) around it.

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** Every migration this build knows, in order, as a fresh database reports them. */
async function allMigrationNames(): Promise<string[]> {
  const database = await openDatabase(':memory:');
  try {
    return await pendingMigrations(database);
  } finally {
    await database.close();
  }
}

describe('migrations under many starting processes on PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A fresh, unmigrated schema and `count` databases (pools of their own) opened on it. */
  async function freshSchema(count: number): Promise<{ schema: string; pools: AnnexDatabase[] }> {
    const schema = `annex_test_lock_${randomBytes(5).toString('hex')}`;
    cleanups.push(async () => {
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    });
    const pools: AnnexDatabase[] = [];
    // Opened one after another: opening creates the schema, which is not what is under test.
    for (let index = 0; index < count; index += 1) {
      const database = await openDatabase(TEST_POSTGRES_URL, {
        schema,
        poolSize: 3,
        applicationName: `${schema}_${index}`,
      });
      pools.push(database);
      cleanups.push(() => database.close());
    }
    return { schema, pools };
  }

  /** A connection of the test's own, outside every pool under test. */
  async function ownClient(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    cleanups.push(() => client.end());
    return client;
  }

  it('runs each migration once when four processes migrate a fresh schema at once, and all of them succeed', async () => {
    const { schema, pools } = await freshSchema(4);
    const everyName = await allMigrationNames();
    const ran = await Promise.all(pools.map((database) => migrateToLatest(database)));

    // One process ran every migration; the others waited and found nothing left.
    expect(ran.flat().sort()).toEqual([...everyName].sort());
    expect(ran.filter((names) => names.length > 0)).toHaveLength(1);
    const client = await ownClient();
    const recorded = await client.query<{ name: string; times: number }>(
      `select name, count(*)::int as times from ${schema}.kysely_migration group by name order by name`,
    );
    expect(recorded.rows).toEqual(everyName.map((name) => ({ name, times: 1 })));
    for (const database of pools) expect(await pendingMigrations(database)).toEqual([]);
  });

  it('waits while another process holds the migration lock, and migrates once it is released', async () => {
    const { schema, pools } = await freshSchema(1);
    const [database] = pools;
    if (database === undefined) throw new Error('no database');
    const holder = await ownClient();
    await holder.query('select pg_advisory_lock($1::bigint)', [migrationLockKey.toString()]);

    const waits: string[] = [];
    let settled = false;
    const migrating = migrateToLatest(database, { onLockWait: (line) => waits.push(line) }).finally(
      () => {
        settled = true;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false);
    expect(waits).toEqual([expect.stringContaining(migrationLockKey.toString())]);
    // Nothing touched yet, not even Kysely's bookkeeping tables.
    const before = await holder.query<{ found: string | null }>(
      `select to_regclass('${schema}.kysely_migration')::text as found`,
    );
    expect(before.rows[0]?.found).toBeNull();

    await holder.query('select pg_advisory_unlock($1::bigint)', [migrationLockKey.toString()]);
    expect(await migrating).toEqual(await allMigrationNames());
  });

  it('gives up after lockWaitMs with a message naming the lock', async () => {
    const { pools } = await freshSchema(1);
    const [database] = pools;
    if (database === undefined) throw new Error('no database');
    const holder = await ownClient();
    await holder.query('select pg_advisory_lock($1::bigint)', [migrationLockKey.toString()]);
    try {
      await expect(migrateToLatest(database, { lockWaitMs: 300 })).rejects.toThrow(
        /Another process has been migrating the database .*advisory lock 7020670251208370535.*gave up waiting/,
      );
    } finally {
      await holder.query('select pg_advisory_unlock($1::bigint)', [migrationLockKey.toString()]);
    }
    // The connection it waited on (the pool's only one so far) is back to no lock timeout.
    const shown = await sql<{ lock_timeout: string }>`show lock_timeout`.execute(database.db);
    const timeout = shown.rows[0]?.lock_timeout;
    expect(timeout).toBe('0');
  });

  it('releases the lock and leaves nothing half done when a migration fails', async () => {
    const { schema, pools } = await freshSchema(1);
    const [database] = pools;
    if (database === undefined) throw new Error('no database');
    const client = await ownClient();
    // A table in the way of the first migration.
    await client.query(`create table ${schema}.project (id integer)`);

    await expect(migrateToLatest(database)).rejects.toThrow(/^Migration 0001-initial failed/);
    const taken = await client.query<{ taken: boolean }>(
      'select pg_try_advisory_lock($1::bigint) as taken',
      [migrationLockKey.toString()],
    );
    expect(taken.rows[0]?.taken).toBe(true);
    await client.query('select pg_advisory_unlock($1::bigint)', [migrationLockKey.toString()]);
    expect(await pendingMigrations(database)).toEqual(await allMigrationNames());
    const directory = await client.query<{ found: string | null }>(
      `select to_regclass('${schema}.directory')::text as found`,
    );
    expect(directory.rows[0]?.found).toBeNull();
  });
});

describe('migrations under many starting processes on SQLite', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
  });

  function freshFile(): string {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-migrate-'));
    folders.push(folder);
    return path.join(folder, 'annex.db');
  }

  interface MigrateProcess {
    /** Resolves once it says it waits for the lock (or exits without saying so). */
    waiting: Promise<void>;
    /** Resolves with its exit code and the migrations it ran. */
    done: Promise<{ code: number | null; ran: string[] | undefined; output: string }>;
  }

  function startMigrateProcess(file: string): MigrateProcess {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/server/db/migrate-process-fixture.ts', `sqlite:${file}`],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let onWaiting: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => {
      onWaiting = resolve;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('waiting')) onWaiting();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const done = new Promise<{ code: number | null; ran: string[] | undefined; output: string }>(
      (resolve) => {
        child.once('exit', (code) => {
          onWaiting();
          const line = output.split('\n').find((text) => text.startsWith('{'));
          const ran = line === undefined ? undefined : (JSON.parse(line) as { ran: string[] }).ran;
          resolve({ code, ran, output });
        });
      },
    );
    return { waiting, done };
  }

  it('runs each migration once when three processes start at once on a fresh file', async () => {
    const file = freshFile();
    // The test holds the write lock until all three are at the door, so they truly race for it.
    const holder = new SQLite(file);
    holder.pragma('journal_mode = WAL');
    holder.exec('BEGIN IMMEDIATE');
    const processes = [0, 1, 2].map(() => startMigrateProcess(file));
    try {
      await Promise.all(processes.map((started) => started.waiting));
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const results = await Promise.all(processes.map((started) => started.done));
    for (const result of results) expect(result.code, result.output).toBe(0);
    const everyName = await allMigrationNames();
    expect(results.flatMap((result) => result.ran ?? []).sort()).toEqual([...everyName].sort());

    const check = new SQLite(file, { readonly: true });
    try {
      const rows = check
        .prepare('select name, count(*) as times from kysely_migration group by name order by name')
        .all();
      expect(rows).toEqual(everyName.map((name) => ({ name, times: 1 })));
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      check.close();
    }
    // Starting three Node processes with tsx takes seconds on a busy machine.
  }, 60_000);

  it('rolls a failed run back whole: no table of it stays, not even the bookkeeping', async () => {
    const file = freshFile();
    const setup = new SQLite(file);
    setup.exec('create table project (id integer)');
    setup.close();
    const database = await openDatabase(`sqlite:${file}`);
    try {
      await expect(migrateToLatest(database)).rejects.toThrow(/^Migration 0001-initial failed/);
    } finally {
      await database.close();
    }
    const check = new SQLite(file, { readonly: true });
    try {
      const tables = check
        .prepare("select name from sqlite_master where type = 'table' order by name")
        .all();
      expect(tables).toEqual([{ name: 'project' }]);
    } finally {
      check.close();
    }
  });

  it('gives up after lockWaitMs while another connection holds the write lock', async () => {
    const file = freshFile();
    const holder = new SQLite(file);
    holder.pragma('journal_mode = WAL');
    holder.exec('BEGIN IMMEDIATE');
    const database = await openDatabase(`sqlite:${file}`);
    const waits: string[] = [];
    try {
      await expect(
        migrateToLatest(database, { lockWaitMs: 200, onLockWait: (line) => waits.push(line) }),
      ).rejects.toThrow(/held the SQLite database's write lock .*gave up waiting/);
      expect(waits).toHaveLength(1);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    // The connection's own busy timeout is back (openDatabase sets 5 s), and the lock is free again.
    expect(await migrateToLatest(database)).toEqual(await allMigrationNames());
    await database.close();
  });
});
