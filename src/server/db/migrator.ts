import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { AnnexDatabase, DialectName } from './database.ts';
import type { Database } from './schema.ts';
import * as initial from './migrations/0001-initial.ts';
import * as exportClaims from './migrations/0002-export-claims.ts';
import * as exportOwnerSession from './migrations/0003-export-owner-session.ts';
import * as maintainedCounts from './migrations/0004-maintained-counts.ts';
import * as accounts from './migrations/0005-accounts.ts';
import * as changesAndImports from './migrations/0006-changes-and-imports.ts';
import * as exportChecksAndRetries from './migrations/0007-export-checks-and-retries.ts';
import * as maintenanceLease from './migrations/0008-maintenance-lease.ts';
import * as changeNotifications from './migrations/0009-change-notifications.ts';

// Migrations are code, listed here in order; a name once released is never changed.
const migrations: Record<string, (dialect: DialectName) => Migration> = {
  '0001-initial': (dialect) => ({ up: (db) => initial.up(db, dialect) }),
  '0002-export-claims': () => ({ up: (db) => exportClaims.up(db) }),
  '0003-export-owner-session': () => ({ up: (db) => exportOwnerSession.up(db) }),
  '0004-maintained-counts': (dialect) => ({ up: (db) => maintainedCounts.up(db, dialect) }),
  '0005-accounts': (dialect) => ({ up: (db) => accounts.up(db, dialect) }),
  '0006-changes-and-imports': (dialect) => ({ up: (db) => changesAndImports.up(db, dialect) }),
  '0007-export-checks-and-retries': () => ({ up: (db) => exportChecksAndRetries.up(db) }),
  '0008-maintenance-lease': () => ({ up: (db) => maintenanceLease.up(db) }),
  '0009-change-notifications': (dialect) => ({ up: (db) => changeNotifications.up(db, dialect) }),
};

class ListedMigrations implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}

  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(
      Object.fromEntries(
        Object.entries(migrations).map(([name, make]) => [name, make(this.dialect)]),
      ),
    );
  }
}

/**
 * The PostgreSQL advisory lock a process holds while it migrates: `annexmig` in ASCII read as one
 * 64-bit number (0x616e6e65786d6967). Fixed, so that every annex process (any version) on a database
 * takes the same one; an operator finds a holder with
 * `select pid from pg_locks where locktype = 'advisory' and classid = 1634627173 and objid = 2020436327`
 * (the key's high and low 32 bits). Advisory locks are per database: processes migrating different
 * schemas of one database take turns, which costs a moment and is harmless.
 */
export const migrationLockKey = 7020670251208370535n;

/** How `migrateToLatest` waits for another process that is migrating the same database. */
export interface MigrateOptions {
  /** Told once when another process is migrating and this one waits for it (main.ts prints it). */
  onLockWait?: (message: string) => void;
  /** Longest wait for that other process, in ms, before giving up with an error (default 10 min). */
  lockWaitMs?: number;
}

/**
 * Brings the schema up to date and returns the names of the migrations it ran; throws with the
 * failing migration's name and error. Safe when many processes start at once on one database: the
 * whole run holds a lock (PostgreSQL: a session advisory lock, `migrationLockKey`, on one dedicated
 * connection; SQLite: the database's write lock, `BEGIN IMMEDIATE`), so one process migrates and the
 * others wait, then find nothing left to do. A run that fails leaves nothing half done (one
 * transaction on either engine) and releases the lock.
 */
export async function migrateToLatest(
  database: AnnexDatabase,
  options: MigrateOptions = {},
): Promise<string[]> {
  const lockWaitMs = options.lockWaitMs ?? 10 * 60_000;
  const onLockWait = options.onLockWait ?? (() => undefined);
  // One connection for the lock and the run: a session lock belongs to the connection that took it.
  return database.db
    .connection()
    .execute((connection) =>
      database.dialect === 'postgres'
        ? withPostgresMigrationLock(connection, lockWaitMs, onLockWait, () =>
            runMigrations(connection, 'postgres'),
          )
        : withSqliteWriteLock(connection, lockWaitMs, onLockWait, () =>
            runMigrations(connection, 'sqlite'),
          ),
    );
}

/**
 * The migrations this build knows that the database has not recorded yet, in order (an empty list
 * when the schema is current). Migrations recorded by a newer build are not this build's concern.
 */
export async function pendingMigrations(database: AnnexDatabase): Promise<string[]> {
  // The bookkeeping table is missing until the first run: then every migration is pending.
  const tableExists =
    database.dialect === 'postgres'
      ? (
          await sql<{
            found: string | null;
          }>`select to_regclass('kysely_migration')::text as found`.execute(database.db)
        ).rows[0]?.found != null
      : (
          await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'table' and name = 'kysely_migration'`.execute(
            database.db,
          )
        ).rows.length > 0;
  const recorded = new Set(
    tableExists
      ? (
          await sql<{ name: string }>`select name from kysely_migration`.execute(database.db)
        ).rows.map((row) => row.name)
      : [],
  );
  return Object.keys(migrations).filter((name) => !recorded.has(name));
}

async function runMigrations(
  connection: Kysely<Database>,
  dialect: DialectName,
): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every PostgreSQL schema unless told which one; with
  // several schemas in one database (tests run in parallel, one schema each) it would find another
  // schema's tables and skip creating its own. Pin it to the schema the connection works in.
  const migrationTableSchema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(connection))
          .rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: connection,
    provider: new ListedMigrations(dialect),
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((result) => result.status === 'Error');
  if (error !== undefined) {
    const cause = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`, {
      cause: error,
    });
  }
  return results
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}

/**
 * Runs `run` holding the migration advisory lock on `connection`, waiting up to `lockWaitMs` for
 * another process that holds it. Kysely takes an advisory lock of its own, but only around the
 * migrations proper: its bookkeeping tables are created before it, where concurrent first starts
 * race. This one covers the whole run.
 */
async function withPostgresMigrationLock<T>(
  connection: Kysely<Database>,
  lockWaitMs: number,
  onLockWait: (message: string) => void,
  run: () => Promise<T>,
): Promise<T> {
  const key = migrationLockKey.toString();
  const taken = await sql<{
    taken: boolean;
  }>`select pg_try_advisory_lock(${key}::bigint) as taken`.execute(connection);
  if (taken.rows[0]?.taken !== true) {
    onLockWait(
      `annex: another process is migrating the database; waiting for it (PostgreSQL advisory lock ${key})`,
    );
    // Session-wide while waiting, then back to the connection's default before it returns to the pool.
    await sql`select set_config('lock_timeout', ${String(lockWaitMs)}, false)`.execute(connection);
    try {
      await sql`select pg_advisory_lock(${key}::bigint)`.execute(connection);
    } catch (error) {
      throw new Error(
        `Another process has been migrating the database for ${Math.round(lockWaitMs / 1000)} s (it holds PostgreSQL advisory lock ${key}); gave up waiting. ` +
          `If it is stuck, find it with: select pid from pg_locks where locktype = 'advisory' and classid = 1634627173 and objid = 2020436327`,
        { cause: error },
      );
    } finally {
      await sql`reset lock_timeout`.execute(connection);
    }
  }
  let result: T;
  try {
    result = await run();
  } catch (error) {
    // The run's own error is the one to tell; a failed unlock on a broken connection is released by
    // the server when that session ends.
    await unlockMigrations(connection, key).catch(() => undefined);
    throw error;
  }
  await unlockMigrations(connection, key);
  return result;
}

async function unlockMigrations(connection: Kysely<Database>, key: string): Promise<void> {
  await sql`select pg_advisory_unlock(${key}::bigint)`.execute(connection);
}

/**
 * Runs `run` in one `BEGIN IMMEDIATE` transaction on `connection`. SQLite has one file and one
 * writer at a time, but Kysely runs SQLite migrations outside any transaction and without a lock:
 * two processes starting at once on a fresh file would both create the first tables (one fails
 * half-way, "table already exists"), and a crash mid-migration would leave a schema half changed
 * with the migration unrecorded. Taking the write lock first makes the run atomic and makes a
 * second process wait for it (SQLite's busy timeout, raised to `lockWaitMs` while waiting; the
 * wait blocks this process's event loop, which at start has nothing else to do).
 */
async function withSqliteWriteLock<T>(
  connection: Kysely<Database>,
  lockWaitMs: number,
  onLockWait: (message: string) => void,
  run: () => Promise<T>,
): Promise<T> {
  const busyTimeout = async (ms: number) => {
    await sql.raw(`pragma busy_timeout = ${Math.max(0, Math.trunc(ms))}`).execute(connection);
  };
  const before =
    (await sql<{ timeout: number }>`pragma busy_timeout`.execute(connection)).rows[0]?.timeout ?? 0;
  try {
    await busyTimeout(0);
    try {
      await sql`begin immediate`.execute(connection);
    } catch (error) {
      if (!isSqliteBusy(error)) throw error;
      onLockWait('annex: another process is writing to the SQLite database; waiting for it');
      await busyTimeout(lockWaitMs);
      try {
        await sql`begin immediate`.execute(connection);
      } catch (waitError) {
        if (!isSqliteBusy(waitError)) throw waitError;
        throw new Error(
          `Another process has held the SQLite database's write lock for ${Math.round(lockWaitMs / 1000)} s; gave up waiting to migrate. Is another annex process stuck on this file?`,
          { cause: waitError },
        );
      }
    }
  } finally {
    await busyTimeout(before);
  }
  try {
    const result = await run();
    await sql`commit`.execute(connection);
    return result;
  } catch (error) {
    await sql`rollback`.execute(connection).catch(() => undefined);
    throw error;
  }
}

function isSqliteBusy(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('SQLITE_BUSY')
  );
}
