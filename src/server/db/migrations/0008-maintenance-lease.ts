import type { Kysely } from 'kysely';

/**
 * Leases for maintenance that one process at a time may run across every API and worker process on
 * one database (issue 14: the retention sweep). A row per task: who holds it and until when; a
 * holder renews it while it works and deletes it when done, and a crashed holder's lease simply
 * expires. Plain rows and conditional writes, so the same table works on SQLite and PostgreSQL
 * (`db/maintenance-lease.ts`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('maintenance_lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('acquired_time', 'text', (c) => c.notNull())
    .addColumn('expires_time', 'text', (c) => c.notNull())
    .execute();
}
