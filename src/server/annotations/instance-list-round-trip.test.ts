import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceListResponseSchema } from '../../contract/annotation-writes.ts';
import { testDialects } from '../db/test-database.ts';
import { createDemoDatabase } from '../exports/export-file-fixtures.ts';
import type { DemoDatabase } from '../exports/export-file-fixtures.ts';
import { currentChangeSeq } from './file-changes.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';

// What a script reads it may send back: on the demo project (every file type and instance type,
// video sequences and split clips, text tokens, attribute answers), each file's instance list as
// GET gives it, PUT back unchanged, changes nothing and leaves the change counter where it was.

describe.each(testDialects)('the demo’s instance lists sent back as read on %s', (dialect) => {
  let demo: DemoDatabase;
  let built: TestApp;

  beforeAll(async () => {
    demo = await createDemoDatabase(dialect);
    built = await createTestApp(demo.database);
  });
  afterAll(async () => {
    await built.close();
    await demo.database.drop();
  });

  it('keeps every instance of every file, and the counter', async () => {
    const { db } = demo.database;
    const { projectId, projectStringId } = demo.demo;
    const files = await db
      .selectFrom('file')
      .select(['id', 'type'])
      .where('project_id', '=', projectId)
      .where('state', '=', 'added')
      .orderBy('id')
      .execute();
    expect(new Set(files.map((file) => file.type))).toEqual(new Set(['image', 'video', 'text']));
    const before = await currentChangeSeq(db, projectId);
    let instances = 0;
    for (const file of files) {
      const path = `/api/v1/projects/${projectStringId}/files/${file.id}/instances`;
      const read = await built.app.inject({ method: 'GET', url: path });
      expect(read.statusCode, read.body).toBe(200);
      const { instance_list: list } = instanceListResponseSchema.parse(read.json());
      instances += list.length;
      const written = await built.app.inject({
        method: 'PUT',
        url: path,
        payload: { instance_list: list },
      });
      expect(written.statusCode, `file ${file.id}: ${written.body}`).toBe(200);
      const answer = instanceListResponseSchema.parse(written.json());
      expect(answer.changes, `file ${file.id}`).toEqual({
        created: 0,
        updated: 0,
        removed: 0,
        unchanged: list.length,
      });
      expect(answer.instance_list).toEqual(list);
    }
    expect(instances).toBeGreaterThan(0);
    expect(await currentChangeSeq(db, projectId)).toBe(before);
  });
});
