import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

/** Which engine a database runs on; the few dialect-specific statements branch on it. */
export type DialectName = 'sqlite' | 'postgres';

/** An open database and the engine behind it. */
export interface AnnexDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Closes the connection (SQLite) or the pool (PostgreSQL). */
  close(): Promise<void>;
}

// PostgreSQL returns int8 (count(*), sums) as strings; every such value annex reads fits a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number.parseFloat(value));

/** Options for opening a database. */
export interface OpenDatabaseOptions {
  /** PostgreSQL only: the schema to work in (tests use one per file); created when missing. */
  schema?: string;
  /** PostgreSQL only: most connections the pool opens. */
  poolSize?: number;
}

/** Opens the database a `DATABASE_URL` names: `postgres://…` or `sqlite:<path>` / a bare path. */
export async function openDatabase(
  url: string,
  options: OpenDatabaseOptions = {},
): Promise<AnnexDatabase> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return openPostgres(url, options);
  }
  return openSqlite(url.replace(/^sqlite:/, ''));
}

function openSqlite(file: string): AnnexDatabase {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL lets the API read while the worker writes; foreign keys are off by default in SQLite.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<AnnexDatabase> {
  const { schema } = options;
  if (schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema))
      throw new Error(`Invalid PostgreSQL schema name "${schema}"`);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}
