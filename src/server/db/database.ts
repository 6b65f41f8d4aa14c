import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { readPostgresSnapshot, readSqliteSnapshot } from './read-snapshot.ts';
import type { Database } from './schema.ts';

/** Which engine a database runs on; the few dialect-specific statements branch on it. */
export type DialectName = 'sqlite' | 'postgres';

/**
 * What queries run on and the engine behind it: the database itself, or one read snapshot of it.
 * Code that only reads takes this, so it runs unchanged inside `AnnexDatabase.readSnapshot`.
 */
export interface DatabaseReader {
  db: Kysely<Database>;
  dialect: DialectName;
}

/** An open database and the engine behind it. */
export interface AnnexDatabase extends DatabaseReader {
  /** Closes the connection (SQLite) or the pool (PostgreSQL). */
  close(): Promise<void>;
  /**
   * Runs `read` against one consistent, read-only snapshot of the database and returns what it
   * returns: every query on the snapshot sees the data as of the snapshot's first read, whatever is
   * committed meanwhile, and the main `db` stays free for other work (writes included) while `read`
   * runs. Writing through the snapshot fails. See read-snapshot.ts for how each engine does it.
   */
  readSnapshot<T>(read: (snapshot: DatabaseReader) => Promise<T>): Promise<T>;
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
  /**
   * PostgreSQL only: the `application_name` the pool's sessions show in `pg_stat_activity` (default
   * `annex`), so an operator (or a test) can tell annex's backends from others.
   */
  applicationName?: string;
  /**
   * PostgreSQL only: how long a query may wait for a connection (a new one, or a free one of a full
   * pool) before it fails as a connection error (default 30 s).
   */
  connectionTimeoutMs?: number;
  /**
   * PostgreSQL only: told when the server closes an idle pooled connection (a restart, a failover,
   * `pg_terminate_backend`). The pool has already dropped it and opens a new one when next needed;
   * this is for the log. Default: one line on stderr.
   */
  onIdleConnectionError?: (error: Error) => void;
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

/**
 * Runs `SELECT 1` and resolves when the database answered within `timeoutMs`; rejects otherwise (a
 * timeout with code ETIMEDOUT, so it counts as a connection error). For readiness checks: it says
 * whether a query can run now, and never waits long to say no.
 */
export async function pingDatabase(database: AnnexDatabase, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`the database did not answer within ${timeoutMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([sql`select 1`.execute(database.db), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function openSqlite(file: string): AnnexDatabase {
  const inMemory = file === ':memory:';
  // Resolved now: a snapshot opens the file again later, whatever the working directory is then.
  const absolute = inMemory ? file : path.resolve(file);
  if (!inMemory) fs.mkdirSync(path.dirname(absolute), { recursive: true });
  const sqlite = new SQLite(absolute);
  // WAL lets the API read while the worker writes; foreign keys are off by default in SQLite.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    close: () => db.destroy(),
    readSnapshot: (read) => readSqliteSnapshot(absolute, read),
  };
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
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: newPool(url, options, options.poolSize ?? 10) }),
  });
  return {
    db,
    dialect: 'postgres',
    close: () => db.destroy(),
    // A pool of one of its own rather than a connection of the main pool: a snapshot is held for a
    // whole export, and exports running at once (WORKER_CONCURRENCY, up to 32) could otherwise take
    // every pooled connection and leave their own progress writes, and the API, waiting for one.
    readSnapshot: (read) => readPostgresSnapshot(newPool(url, options, 1), read),
  };
}

function newPool(url: string, options: OpenDatabaseOptions, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: options.applicationName ?? 'annex',
    // Without it a connect to a server that does not answer (a failover in progress) waits on the OS's
    // TCP timeout, minutes, with a request or the worker behind it. It also bounds the wait for a free
    // pooled connection, hence generous: a busy pool must not turn into errors.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 30_000,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An 'error' event nobody listens to ends the process (Node's EventEmitter rule), and a server that
  // closes connections sends them to idle and busy clients alike. Idle ones: the pool emits the error
  // after dropping the client. Busy ones (checked out by Kysely, between or during queries): the pool
  // stops listening while they are out, so each client gets a listener of its own; the query in
  // flight fails on its own with the same error, and on release the pool drops the broken client.
  const onIdleConnectionError =
    options.onIdleConnectionError ??
    ((error: Error) =>
      console.error(
        `annex: the database closed an idle connection (${error.message}); a new one is opened when needed`,
      ));
  pool.on('error', (error) => onIdleConnectionError(error));
  pool.on('connect', (client) => {
    client.on('error', ignoreBusyClientError);
  });
  return pool;
}

// A busy client's error also fails its query, where the caller sees it; logging it here too would say
// everything twice.
function ignoreBusyClientError(): void {}
