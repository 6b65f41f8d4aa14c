import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../database.ts';
import { withId } from './id-column.ts';

/** The initial schema: projects, media, labels and attributes, jobs and tasks, instances, exports. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const real = dialect === 'sqlite' ? 'real' : 'double precision';

  await withId(db.schema.createTable('project'), dialect)
    .addColumn('project_string_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('default_directory_id', 'integer')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('directory'), dialect)
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('project.id').onDelete('cascade'),
    )
    .addColumn('nickname', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addUniqueConstraint('directory_project_nickname_unique', ['project_id', 'nickname'])
    .execute();

  await withId(db.schema.createTable('label'), dialect)
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('project.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('colour_hex', 'text', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('attribute_group'), dialect)
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('project.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('is_global', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('min_value', real)
    .addColumn('max_value', real)
    .addColumn('default_value', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('attribute_group_label')
    .addColumn('group_id', 'integer', (c) =>
      c.notNull().references('attribute_group.id').onDelete('cascade'),
    )
    .addColumn('label_id', 'integer', (c) => c.notNull().references('label.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('attribute_group_label_pk', ['group_id', 'label_id'])
    .execute();

  await withId(db.schema.createTable('attribute_template'), dialect)
    .addColumn('group_id', 'integer', (c) =>
      c.notNull().references('attribute_group.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('display_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await withId(db.schema.createTable('file'), dialect)
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('project.id').onDelete('cascade'),
    )
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('original_filename', 'text', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('rotation_degrees', 'integer')
    .addColumn('frame_rate', real)
    .addColumn('frame_count', 'integer')
    .addColumn('original_fps', real)
    .addColumn('fps_conversion_ratio', real)
    .addColumn('offset_in_seconds', real)
    .addColumn('global_frame_start', 'integer')
    .addColumn('parent_file_id', 'integer', (c) => c.references('file.id'))
    .addColumn('text_tokens', 'text')
    .addColumn('media_url', 'text', (c) => c.notNull())
    .addColumn('ann_is_complete', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('added'))
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('last_modified_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('file_project_idx')
    .on('file')
    .columns(['project_id', 'id'])
    .execute();

  await db.schema
    .createTable('directory_file')
    .addColumn('directory_id', 'integer', (c) =>
      c.notNull().references('directory.id').onDelete('cascade'),
    )
    .addColumn('file_id', 'integer', (c) => c.notNull().references('file.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('directory_file_pk', ['directory_id', 'file_id'])
    .execute();
  await db.schema
    .createIndex('directory_file_file_idx')
    .on('directory_file')
    .column('file_id')
    .execute();

  await withId(db.schema.createTable('job'), dialect)
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('project.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('label_schema', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('task'), dialect)
    .addColumn('job_id', 'integer', (c) => c.notNull().references('job.id').onDelete('cascade'))
    .addColumn('file_id', 'integer', (c) => c.notNull().references('file.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('task_job_idx').on('task').columns(['job_id', 'file_id']).execute();

  await withId(db.schema.createTable('sequence'), dialect)
    .addColumn('file_id', 'integer', (c) => c.notNull().references('file.id').onDelete('cascade'))
    .addColumn('label_id', 'integer', (c) => c.notNull().references('label.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('keyframe_list', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('single_frame', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('sequence_file_idx').on('sequence').column('file_id').execute();

  await withId(db.schema.createTable('instance'), dialect)
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('project.id').onDelete('cascade'),
    )
    .addColumn('file_id', 'integer', (c) => c.notNull().references('file.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('label_id', 'integer', (c) => c.references('label.id'))
    .addColumn('geometry', 'text', (c) => c.notNull())
    .addColumn('attribute_values', 'text')
    .addColumn('frame_number', 'integer')
    .addColumn('sequence_id', 'integer', (c) => c.references('sequence.id').onDelete('set null'))
    .addColumn('local_sequence_number', 'integer')
    .addColumn('interpolated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('soft_deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('last_modified_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('instance_file_idx')
    .on('instance')
    .columns(['file_id', 'soft_deleted'])
    .execute();

  await withId(db.schema.createTable('export'), dialect)
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('project.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('Annotations'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('directory_id', 'integer', (c) => c.references('directory.id').onDelete('set null'))
    .addColumn('job_id', 'integer', (c) => c.references('job.id').onDelete('set null'))
    .addColumn('task_id', 'integer', (c) => c.references('task.id').onDelete('set null'))
    .addColumn('ann_is_complete', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('include_removed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
    .addColumn('status_text', 'text')
    .addColumn('percent_complete', real, (c) => c.notNull().defaultTo(0))
    .addColumn('file_list_length', 'integer')
    .addColumn('instance_count', 'integer')
    .addColumn('expected_file_count', 'integer')
    .addColumn('size_bytes', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('file_name', 'text')
    .addColumn('storage_key', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('started_time', 'text')
    .addColumn('finished_time', 'text')
    .addColumn('claimed_by', 'text')
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('export_project_list_idx')
    .on('export')
    .columns(['project_id', 'archived', 'id'])
    .execute();
  await db.schema.createIndex('export_status_idx').on('export').columns(['status', 'id']).execute();

  // The demo and bulk seeds insert many rows; keep the planner's statistics honest on PostgreSQL.
  if (dialect === 'postgres') await sql`ANALYZE`.execute(db);
}
