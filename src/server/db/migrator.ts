import { Migrator, sql } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';
import type { AnnexDatabase, DialectName } from './database.ts';
import * as initial from './migrations/0001-initial.ts';
import * as exportClaims from './migrations/0002-export-claims.ts';
import * as exportOwnerSession from './migrations/0003-export-owner-session.ts';
import * as maintainedCounts from './migrations/0004-maintained-counts.ts';
import * as accounts from './migrations/0005-accounts.ts';
import * as changesAndImports from './migrations/0006-changes-and-imports.ts';
import * as exportChecksAndRetries from './migrations/0007-export-checks-and-retries.ts';
import * as changeNotifications from './migrations/0008-change-notifications.ts';

// Migrations are code, listed here in order; a name once released is never changed.
const migrations: Record<string, (dialect: DialectName) => Migration> = {
  '0001-initial': (dialect) => ({ up: (db) => initial.up(db, dialect) }),
  '0002-export-claims': () => ({ up: (db) => exportClaims.up(db) }),
  '0003-export-owner-session': () => ({ up: (db) => exportOwnerSession.up(db) }),
  '0004-maintained-counts': (dialect) => ({ up: (db) => maintainedCounts.up(db, dialect) }),
  '0005-accounts': (dialect) => ({ up: (db) => accounts.up(db, dialect) }),
  '0006-changes-and-imports': (dialect) => ({ up: (db) => changesAndImports.up(db, dialect) }),
  '0007-export-checks-and-retries': () => ({ up: (db) => exportChecksAndRetries.up(db) }),
  '0008-change-notifications': (dialect) => ({ up: (db) => changeNotifications.up(db, dialect) }),
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

/** Brings the schema up to date; throws with the failing migration's name and error. */
export async function migrateToLatest(database: AnnexDatabase): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every PostgreSQL schema unless told which one; with
  // several schemas in one database (tests run in parallel, one schema each) it would find another
  // schema's tables and skip creating its own. Pin it to the schema the connection works in.
  const migrationTableSchema =
    database.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db))
          .rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: database.db,
    provider: new ListedMigrations(database.dialect),
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
