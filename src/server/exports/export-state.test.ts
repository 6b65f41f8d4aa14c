import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { addDirectory, addProject } from '../test-utils/test-records.ts';
import { ExportEvents } from './export-events.ts';
import { allowedMoves, ExportState } from './export-state.ts';

describe('allowedMoves', () => {
  it('lets only an unfinished export move, and never out of a final status', () => {
    expect(allowedMoves).toEqual({
      queued: ['running', 'failed', 'cancelled'],
      running: ['running', 'complete', 'failed', 'queued', 'cancelled'],
      complete: [],
      failed: [],
      cancelled: [],
    });
  });
});

describe.each(testDialects)('ExportState on %s', (dialect) => {
  let database: TestDatabase;
  let state: ExportState;
  let events: ExportEvents;
  let projectId: number;
  let directoryId: number;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    events = new ExportEvents();
    state = new ExportState(database, events);
    projectId = await addProject(database, 'moves', 'Moves');
    directoryId = await addDirectory(database, projectId, 'Shelf', []);
  });
  afterAll(async () => {
    await database.drop();
  });

  /** Queues an export and lets `workerId` claim it; the claim must take that very export. */
  async function claimedBy(workerId: string): Promise<number> {
    const queued = await state.queue({
      project_id: projectId,
      kind: 'Annotations',
      source: 'directory',
      directory_id: directoryId,
      ann_is_complete: 1,
      include_removed: 0,
      created_by: 'ada@example.com',
      created_time: new Date().toISOString(),
    });
    const claimed = await state.claim(workerId);
    expect(claimed?.id).toBe(queued.id);
    return queued.id;
  }

  const file = {
    fileCount: 1,
    instanceCount: 0,
    sizeBytes: 2,
    sha256: 'ab',
    contentSha256: 'cd',
    fileName: 'f.json',
    storageKey: 'k',
    snapshotSeq: 7,
  };

  /** The export's row as stored. */
  const rowOf = (id: number) =>
    database.db.selectFrom('export').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it("refuses every move on a claimed export to a worker that does not hold it, and the holder's succeed", async () => {
    const id = await claimedBy('holder');
    expect(await state.recordStart(id, 'intruder', 5, 3)).toBe(false);
    expect(await state.recordProgress(id, 'intruder', 50)).toBe(false);
    expect(await state.complete(id, 'intruder', file)).toBe(false);
    expect(await state.fail(id, 'intruder', 'no')).toBe(false);
    expect(await state.requeue(id, 'intruder')).toBe(false);
    expect(await state.heartbeat('intruder', [id])).not.toContain(id);

    expect(await rowOf(id)).toMatchObject({ file_list_length: null, snapshot_seq: null });

    expect(await state.heartbeat('holder', [id])).toContain(id);
    expect(await state.recordStart(id, 'holder', 5, 3)).toBe(true);
    expect(await rowOf(id)).toMatchObject({ file_list_length: 5, snapshot_seq: 3 });
    expect(await state.recordProgress(id, 'holder', 50)).toBe(true);
    expect(await state.complete(id, 'holder', file)).toBe(true);
    expect(await rowOf(id)).toMatchObject({
      status: 'complete',
      snapshot_seq: 7,
      sha256: 'ab',
      content_sha256: 'cd',
    });
    // Complete is final: not even its holder moves it again.
    expect(await state.fail(id, 'holder', 'late')).toBe(false);
  });

  it('forgets the snapshot of an export it gives back to the queue', async () => {
    const id = await claimedBy('stopping');
    expect(await state.recordStart(id, 'stopping', 5, 3)).toBe(true);
    expect(await state.requeue(id, 'stopping')).toBe(true);
    expect(await rowOf(id)).toMatchObject({
      status: 'queued',
      file_list_length: null,
      snapshot_seq: null,
    });
    // Out of the queue again, so the next test's claim takes its own export.
    expect(await state.claim('stopping')).toMatchObject({ id });
    expect(await state.fail(id, 'stopping', 'done with it')).toBe(true);
  });

  it('takes a running export from its worker when it is archived, and archives it once', async () => {
    const id = await claimedBy('builder');
    const settled: number[] = [];
    const onSettled = (exportId: number) => settled.push(exportId);
    events.on('settled', onSettled);
    try {
      const archived = await state.archive(projectId, id);
      expect(archived).toMatchObject({ archived: 1, status: 'failed' });
      expect(await state.complete(id, 'builder', file)).toBe(false);
      expect(await state.archive(projectId, id)).toBeUndefined();
      expect(settled).toEqual([id]);
    } finally {
      events.off('settled', onSettled);
    }
  });

  it('recovers an orphan once, and gives up on one that cost too many workers', async () => {
    const id = await claimedBy('dead-worker');
    const [orphan] = (await state.findOrphans('rescuer', 'all-running', 0)).filter(
      (row) => row.id === id,
    );
    if (orphan === undefined) throw new Error(`export ${id} is no orphan`);
    expect(await state.recover(orphan, 3)).toBe('queued');
    // A second rescuer with the same (now stale) view of it finds nothing to take.
    expect(await state.recover(orphan, 3)).toBeUndefined();

    expect(await state.claim('dead-again')).toMatchObject({ id, attempt_count: 2 });
    expect(await state.recover({ ...orphan, claimed_by: 'dead-again', attempt_count: 2 }, 2)).toBe(
      'failed',
    );
  });

  it('vouches in recovery only for the exports a worker is building, and never claims one it still holds', async () => {
    const id = await claimedBy('busy-worker');
    const orphanIds = async (building: Set<number>) =>
      (await state.findOrphans('busy-worker', 'all-running', 0, building)).map((row) => row.id);
    // Its own export is no orphan while it builds it, and is one as soon as it does not.
    expect(await orphanIds(new Set([id]))).not.toContain(id);
    expect(await orphanIds(new Set())).toContain(id);

    const [orphan] = (await state.findOrphans('busy-worker', 'all-running', 0)).filter(
      (row) => row.id === id,
    );
    if (orphan === undefined) throw new Error(`export ${id} is no orphan`);
    expect(await state.recover(orphan, 3)).toBe('queued');
    expect(await state.claim('busy-worker', null, new Set([id]))).toBeUndefined();
    expect(await state.claim('busy-worker', null, new Set())).toMatchObject({ id });
  });
});
