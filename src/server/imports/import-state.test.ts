import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { addProject } from '../test-utils/test-records.ts';
import { ImportEvents } from './import-events.ts';
import { problemsOf } from './import-repository.ts';
import { ImportState } from './import-state.ts';
import { countsOf } from './import-test-runners.ts';

describe.each(testDialects)('ImportState on %s', (dialect) => {
  let database: TestDatabase;
  let state: ImportState;
  let events: ImportEvents;
  let projectId: number;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    events = new ImportEvents();
    state = new ImportState(database, events);
    projectId = await addProject(database, 'queue', 'Queue');
  });
  afterAll(async () => {
    await database.drop();
  });

  async function queued(): Promise<number> {
    const row = await state.queue({
      project_id: projectId,
      directory_name: 'Incoming',
      on_error: 'fail',
      upload_key: `${'a'.repeat(32)}.json`,
      original_filename: 'export.json',
      size_bytes: 1234,
      created_by: 'ada@example.com',
      created_by_user_id: null,
      created_time: new Date().toISOString(),
    });
    return row.id;
  }

  /** Claims until the queue is empty, so each test starts from an empty queue. */
  async function drain(): Promise<void> {
    while ((await state.claim('drainer')) !== undefined);
  }

  async function rowOf(id: number) {
    return database.db
      .selectFrom('import_job')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  it('queues a row as queued and tells the worker in this process', async () => {
    const told: number[] = [];
    const listener = (id: number) => told.push(id);
    events.on('queued', listener);
    try {
      const id = await queued();
      expect(told).toEqual([id]);
      expect(await rowOf(id)).toMatchObject({
        status: 'queued',
        percent_complete: 0,
        errors: '[]',
        attempt_count: 0,
        size_bytes: 1234,
      });
    } finally {
      events.off('queued', listener);
      await drain();
    }
  });

  it('claims the oldest queued import first, and none when the queue is empty', async () => {
    const first = await queued();
    const second = await queued();
    expect(await state.claim('w1')).toMatchObject({
      id: first,
      status: 'running',
      claimed_by: 'w1',
      attempt_count: 1,
    });
    expect((await state.claim('w2'))?.id).toBe(second);
    expect(await state.claim('w3')).toBeUndefined();
  });

  it('never hands one import to two workers claiming at once', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => queued()));
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, index) => state.claim(`racer-${index}`)),
    );
    const claimed = claims.flatMap((row) => (row === undefined ? [] : [row.id]));
    expect(claimed.toSorted((a, b) => a - b)).toEqual(ids.toSorted((a, b) => a - b));
    for (const row of claims) {
      if (row !== undefined) expect((await rowOf(row.id)).claimed_by).toBe(row.claimed_by);
    }
  });

  it('refuses every move on a claimed import to a worker that does not hold it', async () => {
    const id = await queued();
    await state.claim('holder');
    const progress = { stage: 'writing' as const, percent: 50, counts: countsOf(3), errors: [] };
    const outcome = {
      status: 'complete' as const,
      statusText: null,
      directoryId: null,
      counts: countsOf(3),
      errors: [],
    };
    expect(await state.heartbeat(id, 'intruder')).toBe(false);
    expect(await state.recordProgress(id, 'intruder', progress)).toBe(false);
    expect(await state.finish(id, 'intruder', outcome)).toBe(false);
    expect(await state.fail(id, 'intruder', 'no')).toBe(false);
    expect(await state.requeue(id, 'intruder')).toBe(false);
    expect(await rowOf(id)).toMatchObject({ status: 'running', claimed_by: 'holder' });

    expect(await state.heartbeat(id, 'holder')).toBe(true);
    expect(await state.finish(id, 'holder', outcome)).toBe(true);
    // Complete is final: not even its holder moves it again.
    expect(await state.fail(id, 'holder', 'late')).toBe(false);
    expect(await state.requeue(id, 'holder')).toBe(false);
  });

  it('records progress: the stage, counts and first problems, the percent held below 100', async () => {
    const id = await queued();
    await state.claim('progressor');
    const problems = Array.from({ length: 130 }, (_, index) => ({
      packet: String(index),
      path: 'instance_list[0] › x_max',
      message: 'expected a number',
    }));
    expect(
      await state.recordProgress(id, 'progressor', {
        stage: 'validating',
        percent: 100,
        counts: countsOf(0, { packet_count: 500, error_count: 130 }),
        errors: problems,
      }),
    ).toBe(true);
    const row = await rowOf(id);
    expect(row).toMatchObject({
      status: 'running',
      stage: 'validating',
      percent_complete: 99,
      packet_count: 500,
      error_count: 130,
    });
    expect(problemsOf(row.errors)).toEqual(problems.slice(0, 100));
  });

  it('maps a complete outcome to the row: 100 %, counts, directory, no upload, finished', async () => {
    const id = await queued();
    await state.claim('finisher');
    const directory = await database.db
      .insertInto('directory')
      .values({ project_id: projectId, nickname: 'Incoming', created_time: '2024-01-01T00:00:00Z' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const counts = countsOf(7, {
      files_updated: 2,
      files_skipped: 1,
      instances_created: 40,
      instances_updated: 3,
      instances_removed: 1,
      labels_created: 4,
      error_count: 1,
    });
    const errors = [{ packet: '9', path: 'file', message: 'no such type' }];
    expect(
      await state.finish(id, 'finisher', {
        status: 'complete',
        statusText: null,
        directoryId: directory.id,
        counts,
        errors,
      }),
    ).toBe(true);
    const row = await rowOf(id);
    expect(row).toMatchObject({
      status: 'complete',
      stage: null,
      status_text: null,
      percent_complete: 100,
      directory_id: directory.id,
      upload_key: null,
      ...counts,
    });
    expect(problemsOf(row.errors)).toEqual(errors);
    expect(row.finished_time).not.toBeNull();
  });

  it('maps a failed outcome to the row with its reason, keeping the percent it reached', async () => {
    const id = await queued();
    await state.claim('failer');
    await state.recordProgress(id, 'failer', {
      stage: 'validating',
      percent: 30,
      counts: countsOf(0),
      errors: [],
    });
    expect(
      await state.finish(id, 'failer', {
        status: 'failed',
        statusText: '2 packets are not valid; nothing was written.',
        directoryId: null,
        counts: countsOf(0, { packet_count: 10, error_count: 2 }),
        errors: [],
      }),
    ).toBe(true);
    expect(await rowOf(id)).toMatchObject({
      status: 'failed',
      status_text: '2 packets are not valid; nothing was written.',
      percent_complete: 30,
      directory_id: null,
      upload_key: null,
      error_count: 2,
    });
  });

  it('gives a stopped import back to the queue as if never claimed, without counting the attempt', async () => {
    await drain();
    const id = await queued();
    await state.claim('stopper');
    expect(await state.requeue(id, 'stopper')).toBe(true);
    expect(await rowOf(id)).toMatchObject({
      status: 'queued',
      claimed_by: null,
      heartbeat_time: null,
      attempt_count: 0,
    });
    expect((await state.claim('next'))?.id).toBe(id);
  });

  it('finds only stale running imports, not those of a live worker, recovers each once and gives up after maxAttempts', async () => {
    await drain();
    const id = await queued();
    await state.claim('dead');
    // Fresh: a live worker's import is no orphan.
    expect((await state.findStale('rescuer', 30_000)).map((row) => row.id)).not.toContain(id);
    await database.db
      .updateTable('import_job')
      .set({ heartbeat_time: new Date(Date.now() - 60_000).toISOString() })
      .where('id', '=', id)
      .execute();
    const [stale] = (await state.findStale('rescuer', 30_000)).filter((row) => row.id === id);
    if (stale === undefined) throw new Error(`import ${id} is not stale`);
    // The worker running it vouches for it, stale heartbeat or not.
    expect(
      (await state.findStale('dead', 30_000, new Set([id]))).map((row) => row.id),
    ).not.toContain(id);
    expect(await state.recover(stale, 2)).toBe('queued');
    expect(await state.recover(stale, 2)).toBeUndefined();

    expect(await state.claim('dead-again')).toMatchObject({ id, attempt_count: 2 });
    expect(await state.recover({ ...stale, claimed_by: 'dead-again', attempt_count: 2 }, 2)).toBe(
      'failed',
    );
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: 'failed', upload_key: null });
    expect(row.status_text).toMatch(/stopped 2 times.*import the same file again/);
  });

  it('tells which upload keys queued or running imports still need', async () => {
    await drain();
    const id = await queued();
    const key = `${'a'.repeat(32)}.json`;
    expect(await state.keysInUse([key, `${'b'.repeat(32)}.json`])).toEqual(new Set([key]));
    await state.claim('keeper');
    await state.fail(id, 'keeper', 'stop');
    await database.db.updateTable('import_job').set({ upload_key: null }).execute();
    expect(await state.keysInUse([key])).toEqual(new Set());
  });
});
