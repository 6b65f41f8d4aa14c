import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrator.ts';
import { createTestDatabase, testDialects } from './test-database.ts';
import type { TestDatabase } from './test-database.ts';

describe.each(testDialects)('migrations on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('creates every table once and is a no-op the second time', async () => {
    const tables = await database.db.introspection.getTables();
    // On PostgreSQL introspection lists every schema's tables, and test files run side by side each in
    // a schema of their own: count only this test's.
    const names = tables
      .filter((table) => database.schema === undefined || table.schema === database.schema)
      .map((table) => table.name)
      .filter((name) => !name.startsWith('kysely_'));
    expect(names.sort()).toEqual(
      [
        'attribute_group',
        'attribute_group_label',
        'attribute_template',
        'directory',
        'directory_file',
        'export',
        'file',
        'instance',
        'job',
        'label',
        'project',
        'sequence',
        'task',
        // 0005: accounts
        'api_key',
        'app_user',
        'audit_event',
        'project_member',
        'sign_up_link',
        'user_session',
        // 0006: change tracking and imports
        'import_job',
        'imported_file',
        // 0008: leases on maintenance (the retention sweep)
        'maintenance_lease',
      ].sort(),
    );
    expect(await migrateToLatest(database)).toEqual([]);
  });

  it('gives rows generated ids', async () => {
    const row = await database.db
      .insertInto('project')
      .values({
        project_string_id: 'p1',
        name: 'P1',
        default_directory_id: null,
        created_time: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(row.id).toBeGreaterThan(0);
  });
});
