import type { Kysely } from 'kysely';

/**
 * Trusting an export (issue 13): its check values beyond the file count (`export.checks`, the JSON of
 * `exportChecksSchema`, written with the file), the hash of its content without the fields that
 * differ between two exports of the same data (`export.content_sha256`), and the export a retry was
 * made from (`export.retry_of_export_id`). A cancelled export is one more status (`cancelled`): the
 * status column is text with no list, so it needs no change. Exports made before carry nulls.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('export').addColumn('checks', 'text').execute();
  await db.schema.alterTable('export').addColumn('content_sha256', 'text').execute();
  await db.schema
    .alterTable('export')
    .addColumn('retry_of_export_id', 'integer', (c) => c.references('export.id'))
    .execute();
  await db.schema
    .createIndex('export_retry_of_idx')
    .on('export')
    .column('retry_of_export_id')
    .execute();
}
