import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type pg from 'pg';
import type { DatabaseReader } from './database.ts';
import type { Database } from './schema.ts';

/*
 * One consistent, read-only view of the database for a long read (an export's generation), while
 * the API and the writers go on with the main connection.
 *
 * PostgreSQL: a REPEATABLE READ, READ ONLY transaction on a connection of its own (a pool of one,
 * ended afterwards). Its snapshot is taken at its first statement and every later statement sees
 * the same committed data; nothing it reads blocks a writer, and it writes nothing.
 *
 * SQLite: a read transaction on a connection of its own, opened read-only on the same file. The
 * main connection is one connection for the whole process (Kysely queues every query on it), so a
 * transaction there would hold up every request and every progress write until the export ends;
 * in WAL mode (database.ts) a second connection reads the database as of its transaction's first
 * read while the main one keeps writing. The cost: the WAL cannot be checkpointed past that read
 * while it lasts, so it grows by what is written meanwhile and shrinks at the next checkpoint.
 *
 * A `:memory:` database exists only on its own connection and cannot be opened a second time; none
 * of annex's callers uses one (tests and the server open files), so it is refused with the way out.
 */

/**
 * Runs `read` in a PostgreSQL REPEATABLE READ, READ ONLY transaction on `pool` (which it ends
 * afterwards, whatever happens).
 */
export async function readPostgresSnapshot<T>(
  pool: pg.Pool,
  read: (snapshot: DatabaseReader) => Promise<T>,
): Promise<T> {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    return await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute((trx) => read({ db: trx, dialect: 'postgres' }));
  } finally {
    await db.destroy();
  }
}

/**
 * Runs `read` in a read transaction on a new read-only connection to the SQLite database `file`
 * (an absolute path), closed afterwards whatever happens.
 */
export async function readSqliteSnapshot<T>(
  file: string,
  read: (snapshot: DatabaseReader) => Promise<T>,
): Promise<T> {
  if (file === ':memory:' || file === '') {
    throw new Error(
      'An export reads one snapshot of the database on a second connection, and an in-memory SQLite database cannot be opened twice. Point DATABASE_URL at a file (sqlite:path/to/annex.db).',
    );
  }
  const connection = new SQLite(file, { readonly: true, fileMustExist: true });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  try {
    // A writer checkpointing the WAL can briefly keep a new reader waiting.
    connection.pragma('busy_timeout = 5000');
    return await db.transaction().execute(async (trx) => {
      // SQLite's BEGIN is deferred: the snapshot is fixed by the first read, so take it now rather
      // than at whatever `read` happens to query first.
      await sql`select count(*) from sqlite_master`.execute(trx);
      return read({ db: trx, dialect: 'sqlite' });
    });
  } finally {
    // Closes the connection too.
    await db.destroy();
  }
}
