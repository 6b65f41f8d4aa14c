import type { Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { withId } from './id-column.ts';

/**
 * Accounts and who may do what (issue 10): users, their sessions and API keys, project members,
 * one-time sign-up links and the audit trail; and `export.created_by_user_id`, so an editor may
 * archive the exports they made and nobody else's.
 *
 * Secrets are never stored as sent: a password is an scrypt hash with its own salt and parameters,
 * and a session token, an API key's secret and a sign-up token are stored as their SHA-256 (each is
 * 256 random bits, so a fast hash is as safe as a slow one and costs nothing per request). A stolen
 * copy of the database therefore signs nobody in.
 *
 * `app_user`, not `user`: `user` is a reserved word on PostgreSQL.
 * The audit trail keeps the actor's email beside their id and refers to projects without a foreign
 * key, so deleting a user or a project leaves what they did readable.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await withId(db.schema.createTable('app_user'), dialect)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text')
    .addColumn('is_instance_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('password_changed_time', 'text')
    .execute();

  await db.schema
    .createTable('user_session')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) =>
      c.notNull().references('app_user.id').onDelete('cascade'),
    )
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('last_seen_time', 'text', (c) => c.notNull())
    .addColumn('absolute_expires_time', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('user_session_user').on('user_session').column('user_id').execute();

  await withId(db.schema.createTable('api_key'), dialect)
    .addColumn('user_id', 'integer', (c) =>
      c.notNull().references('app_user.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('project_id', 'integer', (c) => c.references('project.id').onDelete('cascade'))
    .addColumn('role', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('last_used_time', 'text')
    .addColumn('revoked_time', 'text')
    .execute();
  await db.schema.createIndex('api_key_user').on('api_key').column('user_id').execute();

  await db.schema
    .createTable('project_member')
    .addColumn('project_id', 'integer', (c) =>
      c.notNull().references('project.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'integer', (c) =>
      c.notNull().references('app_user.id').onDelete('cascade'),
    )
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('added_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_member_pk', ['project_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('project_member_user')
    .on('project_member')
    .column('user_id')
    .execute();

  await withId(db.schema.createTable('sign_up_link'), dialect)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) =>
      c.notNull().references('app_user.id').onDelete('cascade'),
    )
    .addColumn('created_by_user_id', 'integer', (c) =>
      c.references('app_user.id').onDelete('set null'),
    )
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('expires_time', 'text', (c) => c.notNull())
    .addColumn('used_time', 'text')
    .execute();

  await withId(db.schema.createTable('audit_event'), dialect)
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'integer')
    .addColumn('actor_email', 'text')
    .addColumn('via', 'text')
    .addColumn('project_id', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('ip', 'text')
    .execute();
  await db.schema
    .createIndex('audit_event_project')
    .on('audit_event')
    .columns(['project_id', 'id'])
    .execute();

  await db.schema
    .alterTable('export')
    .addColumn('created_by_user_id', 'integer', (c) =>
      c.references('app_user.id').onDelete('set null'),
    )
    .execute();
}
