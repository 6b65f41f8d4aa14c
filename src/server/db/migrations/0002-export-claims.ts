import type { Kysely } from 'kysely';

/**
 * What the export worker needs to recover from a crash: a heartbeat on the exports a worker runs (a
 * stale one marks a dead worker, whose exports another worker re-queues) and a count of claims, so an
 * export that kills its worker every time fails instead of being re-queued for ever.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('export').addColumn('heartbeat_time', 'text').execute();
  await db.schema
    .alterTable('export')
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
