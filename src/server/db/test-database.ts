import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from './database.ts';
import type { AnnexDatabase, DialectName } from './database.ts';
import { migrateToLatest } from './migrator.ts';

/** The PostgreSQL server tests run against; CI starts it when it is down. */
export const TEST_POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Both engines: data-layer tests run once on each (`describe.each(testDialects)`). */
export const testDialects: DialectName[] = ['sqlite', 'postgres'];

/** A fresh, migrated database for one test file, and how to throw it away. */
export interface TestDatabase extends AnnexDatabase {
  /** The URL another process (a second worker, an e2e server) can open the same database with. */
  url: string;
  /** PostgreSQL: the schema holding this test's tables. */
  schema?: string;
  /**
   * PostgreSQL: the `application_name` of this test's pool (the schema's name), so a test can find
   * its own backends in `pg_stat_activity` and end them without touching other tests' (they share
   * the server).
   */
  applicationName?: string;
  /** Closes and deletes everything this test database made. */
  drop(): Promise<void>;
}

/** Makes a fresh, migrated database: a temporary SQLite file, or a new schema on the test PostgreSQL. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-test-'));
    const url = `sqlite:${path.join(dir, 'annex.db')}`;
    const database = await openDatabase(url);
    await migrateToLatest(database);
    return {
      ...database,
      url,
      drop: async () => {
        await database.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `annex_test_${randomBytes(6).toString('hex')}`;
  const database = await openDatabase(TEST_POSTGRES_URL, {
    schema,
    poolSize: 5,
    applicationName: schema,
  });
  await migrateToLatest(database);
  const separator = TEST_POSTGRES_URL.includes('?') ? '&' : '?';
  return {
    ...database,
    schema,
    applicationName: schema,
    url: `${TEST_POSTGRES_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: async () => {
      await database.close();
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
