import type { Kysely } from 'kysely';

/**
 * Ties a running export to its worker's PostgreSQL session (`<backend pid>:<backend start, µs>`), so
 * another worker sees at once that the session is gone from `pg_stat_activity` and recovers the
 * export without waiting for its heartbeat to go stale. Null on SQLite and for unclaimed exports.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('export').addColumn('owner_session', 'text').execute();
}
