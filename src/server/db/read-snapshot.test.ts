import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProject } from '../test-utils/test-records.ts';
import { openDatabase } from './database.ts';
import { createTestDatabase, testDialects } from './test-database.ts';
import type { TestDatabase } from './test-database.ts';

// The snapshot an export reads: one consistent view, however much is committed meanwhile, that
// leaves the main connection free for writers and cannot write itself.

describe.each(testDialects)('a read snapshot on %s', (dialect) => {
  let database: TestDatabase;
  let projectId: number;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    projectId = await addProject(database, 'snapshots', 'Snapshots');
  });
  afterAll(async () => {
    await database.drop();
  });

  const counterOf = async (db: TestDatabase['db']) =>
    (
      await db
        .selectFrom('project')
        .select('change_seq')
        .where('id', '=', projectId)
        .executeTakeFirstOrThrow()
    ).change_seq;

  const advance = () =>
    database.db
      .updateTable('project')
      .set((eb) => ({ change_seq: eb('change_seq', '+', 1) }))
      .where('id', '=', projectId)
      .execute();

  it('keeps seeing the data of its first read while the main connection commits writes', async () => {
    const before = await counterOf(database.db);
    const seen = await database.readSnapshot(async (snapshot) => {
      const first = await counterOf(snapshot.db);
      // Writes on the main connection go through at once: the snapshot holds nothing they wait for.
      await advance();
      await advance();
      expect(await counterOf(database.db)).toBe(before + 2);
      return [first, await counterOf(snapshot.db)];
    });
    expect(seen).toEqual([before, before]);
    expect(await counterOf(database.db)).toBe(before + 2);
  });

  // SQLite's BEGIN takes no snapshot until the first read; the helper reads at once so that the
  // snapshot is the database as of the call. (PostgreSQL takes it at the transaction's first query.)
  it.runIf(dialect === 'sqlite')(
    'is fixed when it opens, before the reader queries it',
    async () => {
      const before = await counterOf(database.db);
      let release: () => void = () => undefined;
      const waiting = new Promise<void>((resolve) => {
        release = resolve;
      });
      let opened: () => void = () => undefined;
      const open = new Promise<void>((resolve) => {
        opened = resolve;
      });
      const reading = database.readSnapshot(async (snapshot) => {
        opened();
        await waiting;
        return counterOf(snapshot.db);
      });
      await open;
      await advance();
      release();
      expect(await reading).toBe(before);
    },
  );

  it('refuses writes, and leaves nothing open after it ends', async () => {
    await expect(
      database.readSnapshot((snapshot) =>
        snapshot.db
          .updateTable('project')
          .set({ name: 'Renamed' })
          .where('id', '=', projectId)
          .execute(),
      ),
    ).rejects.toThrow(dialect === 'sqlite' ? /readonly/ : /read-only transaction/);
    const project = await database.db
      .selectFrom('project')
      .select('name')
      .where('id', '=', projectId)
      .executeTakeFirstOrThrow();
    expect(project.name).toBe('Snapshots');

    const failure = new Error('the reader failed');
    await expect(database.readSnapshot(() => Promise.reject(failure))).rejects.toBe(failure);
    if (dialect === 'postgres') {
      // The snapshot's own session holds its transaction while the reader runs, and is gone after.
      // (Counting all of the pool's sessions instead is racy: the main pool closes idle ones.)
      const sessionOf = async (pid: number) =>
        (
          await sql<{
            state: string | null;
          }>`select state from pg_stat_activity where pid = ${pid}`.execute(database.db)
        ).rows[0];
      let stateInside: string | null | undefined;
      const pid = await database.readSnapshot(async (snapshot) => {
        const own = (
          await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(snapshot.db)
        ).rows[0]?.pid;
        if (own === undefined) throw new Error('no backend pid');
        stateInside = (await sessionOf(own))?.state;
        return own;
      });
      expect(stateInside).toMatch(/^idle in transaction/);
      const deadline = Date.now() + 5000;
      while ((await sessionOf(pid)) !== undefined && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await sessionOf(pid)).toBeUndefined();
    }
  });

  it.runIf(dialect === 'sqlite')(
    'refuses an in-memory SQLite database with the way out',
    async () => {
      const memory = await openDatabase('sqlite::memory:');
      try {
        await expect(memory.readSnapshot(() => Promise.resolve(1))).rejects.toThrow(
          'Point DATABASE_URL at a file (sqlite:path/to/annex.db).',
        );
      } finally {
        await memory.close();
      }
    },
  );
});
