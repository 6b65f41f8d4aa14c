import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportStatus } from '../../contract/exports.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { addDirectory, addProject } from '../test-utils/test-records.ts';
import { ExportEvents } from './export-events.ts';
import { ExportState } from './export-state.ts';

// The cancel move: from queued or running only, once, and final: none of a worker's moves (complete,
// fail, requeue, progress, heartbeat, recovery, giving up) brings a cancelled export back.

describe.each(testDialects)('ExportState.cancel on %s', (dialect) => {
  let database: TestDatabase;
  let state: ExportState;
  let events: ExportEvents;
  let projectId: number;
  let directoryId: number;
  const settled: Array<[number, ExportStatus]> = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    events = new ExportEvents();
    events.on('settled', (id, status) => settled.push([id, status]));
    state = new ExportState(database, events);
    projectId = await addProject(database, 'cancels', 'Cancels');
    directoryId = await addDirectory(database, projectId, 'Shelf', []);
  });
  afterAll(async () => {
    await database.drop();
  });

  async function queued(): Promise<number> {
    const row = await state.queue({
      project_id: projectId,
      kind: 'Annotations',
      source: 'directory',
      directory_id: directoryId,
      ann_is_complete: 1,
      include_removed: 0,
      created_by: 'ada@example.com',
      created_time: new Date().toISOString(),
    });
    return row.id;
  }

  async function claimedBy(workerId: string): Promise<number> {
    const id = await queued();
    expect((await state.claim(workerId))?.id).toBe(id);
    return id;
  }

  const file = {
    fileCount: 1,
    instanceCount: 0,
    sizeBytes: 2,
    sha256: 'ab',
    fileName: 'f.json',
    storageKey: 'k',
    snapshotSeq: 0,
    contentSha256: 'cd',
  };

  it('cancels a queued export once, saying who, and no worker claims it afterwards', async () => {
    const id = await queued();
    const now = new Date('2025-03-04T05:06:07.000Z');
    const row = await state.cancel(projectId, id, 'bob@example.com', now);
    expect(row).toMatchObject({
      id,
      status: 'cancelled',
      status_text: 'Cancelled by bob@example.com.',
      finished_time: now.toISOString(),
    });
    expect(settled).toContainEqual([id, 'cancelled']);
    expect(await state.cancel(projectId, id, 'bob@example.com')).toBeUndefined();
    expect(await state.claim('late-worker')).toBeUndefined();
  });

  it('never cancels an export of another project, an archived one, or a final one', async () => {
    const complete = await claimedBy('finisher');
    expect(await state.complete(complete, 'finisher', file)).toBe(true);
    const id = await queued();
    expect(await state.cancel(projectId + 1000, id, 'x@example.com')).toBeUndefined();
    expect(await state.cancel(projectId, complete, 'x@example.com')).toBeUndefined();
    const archived = await queued();
    await state.archive(projectId, archived);
    expect(await state.cancel(projectId, archived, 'x@example.com')).toBeUndefined();
    expect(await state.cancel(projectId, id, 'x@example.com')).toMatchObject({
      status: 'cancelled',
    });
  });

  it("refuses every one of the holding worker's moves on a running export cancelled meanwhile", async () => {
    const id = await claimedBy('holder');
    expect(await state.cancel(projectId, id, 'bob@example.com')).toMatchObject({
      status: 'cancelled',
    });
    expect(await state.recordProgress(id, 'holder', 50)).toBe(false);
    expect(await state.recordStart(id, 'holder', 10, 1)).toBe(false);
    expect(await state.heartbeat('holder', [id])).toEqual(new Set());
    expect(await state.complete(id, 'holder', file)).toBe(false);
    expect(await state.fail(id, 'holder', 'broke')).toBe(false);
    expect(await state.requeue(id, 'holder')).toBe(false);
    // Recovery never sees it as an orphan, and a stale orphan record of it moves nothing.
    const orphans = await state.findOrphans('rescuer', 'all-running', 0);
    expect(orphans.map((orphan) => orphan.id)).not.toContain(id);
    const asOrphan = { id, claimed_by: 'holder', attempt_count: 1 };
    expect(await state.recover(asOrphan, 3)).toBeUndefined();
    expect(await state.recover({ ...asOrphan, attempt_count: 3 }, 3)).toBeUndefined();

    const row = await database.db
      .selectFrom('export')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'cancelled',
      status_text: 'Cancelled by bob@example.com.',
      storage_key: null,
    });
  });
});
