import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { withId } from './id-column.ts';

/**
 * Data that changes (issue 11): a project-wide change counter, the counter each file and membership
 * was last touched at, the snapshot an export read, and imports of Diffgram JSON files.
 *
 * The counter (`project.change_seq`) advances once per writing transaction
 * (`annotations/file-changes.ts`), which stamps every file it changed with the new value
 * (`file.change_seq`; `file.created_seq` when it made the file). Memberships carry the value they
 * were made at (`directory_file.added_seq`, `task.created_seq`), so "files added to this source
 * since the export" is told apart from "files changed". An export records the counter of the
 * snapshot it read (`export.snapshot_seq`), and `changes_since` reads only files whose
 * `change_seq` is above it, through the index `file_project_change_idx`.
 * Rows written before this migration carry 0: older than any export that records a snapshot.
 *
 * Imports: `imported_file` remembers which file a source file id became in a directory, so
 * importing the same file again updates those files in place; `instance.source_instance_id` does
 * the same for their instances. `import_job` is the durable queue row of one import.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const real = dialect === 'sqlite' ? 'real' : 'double precision';

  await db.schema
    .alterTable('project')
    .addColumn('change_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  for (const column of ['change_seq', 'created_seq']) {
    await db.schema
      .alterTable('file')
      .addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  }
  await db.schema
    .createIndex('file_project_change_idx')
    .on('file')
    .columns(['project_id', 'change_seq'])
    .execute();
  await db.schema
    .alterTable('directory_file')
    .addColumn('added_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('task')
    .addColumn('created_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('export').addColumn('snapshot_seq', 'bigint').execute();

  await db.schema.alterTable('instance').addColumn('source_instance_id', 'bigint').execute();
  await db.schema
    .createIndex('instance_file_source_idx')
    .on('instance')
    .columns(['file_id', 'source_instance_id'])
    .execute();

  await db.schema
    .createTable('imported_file')
    .addColumn('directory_id', 'integer', (c) =>
      c.notNull().references('directory.id').onDelete('cascade'),
    )
    .addColumn('source_file_id', 'bigint', (c) => c.notNull())
    .addColumn('file_id', 'integer', (c) => c.notNull().references('file.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('imported_file_pk', ['directory_id', 'source_file_id'])
    .execute();
  await db.schema
    .createIndex('imported_file_file_idx')
    .on('imported_file')
    .column('file_id')
    .execute();

  await withId(db.schema.createTable('import_job'), dialect)
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('project.id').onDelete('cascade'),
    )
    .addColumn('directory_id', 'integer', (c) => c.references('directory.id').onDelete('set null'))
    .addColumn('directory_name', 'text', (c) => c.notNull())
    .addColumn('on_error', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
    .addColumn('stage', 'text')
    .addColumn('status_text', 'text')
    .addColumn('percent_complete', real, (c) => c.notNull().defaultTo(0))
    .addColumn('upload_key', 'text')
    .addColumn('original_filename', 'text')
    .addColumn('size_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('packet_count', 'integer')
    .addColumn('files_created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('files_updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('files_skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('instances_created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('instances_updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('instances_removed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('labels_created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_user_id', 'integer', (c) =>
      c.references('app_user.id').onDelete('set null'),
    )
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('started_time', 'text')
    .addColumn('finished_time', 'text')
    .addColumn('claimed_by', 'text')
    .addColumn('heartbeat_time', 'text')
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('import_job_status_idx')
    .on('import_job')
    .columns(['status', 'id'])
    .execute();
  await db.schema
    .createIndex('import_job_project_idx')
    .on('import_job')
    .columns(['project_id', 'id'])
    .execute();
}
