import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { currentChangeSeq, markFilesChanged, nextChangeSeq } from './file-changes.ts';
import { addImages, addProject } from '../test-utils/test-records.ts';

describe.each(testDialects)('the project change counter on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('hands out one new value per call, per project, and stamps the files given', async () => {
    const project = await addProject(database, 'counter', 'Counter');
    const other = await addProject(database, 'counter-other', 'Other');
    const [fileId = 0] = await addImages(database, project, 1, true);
    expect(await currentChangeSeq(database.db, project)).toBe(0);
    const first = await database.db.transaction().execute((trx) => nextChangeSeq(trx, project));
    const second = await nextChangeSeq(database.db, project);
    expect([first, second]).toEqual([1, 2]);
    expect(await nextChangeSeq(database.db, other)).toBe(1);
    await markFilesChanged(database.db, [fileId], second);
    const row = await database.db
      .selectFrom('file')
      .select('change_seq')
      .where('id', '=', fileId)
      .executeTakeFirstOrThrow();
    expect(row.change_seq).toBe(2);
    expect(await currentChangeSeq(database.db, project)).toBe(2);
  });

  it('refuses a project that does not exist', async () => {
    await expect(nextChangeSeq(database.db, 999_999)).rejects.toThrow(/does not exist/);
  });
});
