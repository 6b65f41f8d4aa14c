import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { addDirectory, addProject } from '../test-utils/test-records.ts';
import { InProcessChangeFeed } from './export-change-feed.ts';
import type { ExportChange } from './export-change-feed.ts';
import { ExportEvents } from './export-events.ts';
import { ExportState } from './export-state.ts';
import { RecordingLogger } from './export-test-harness.ts';

// The feed of a process alone on its database (SQLite; and any app built without a feed): this
// process's own export events, turned into the row's state for the event streams.

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited 5 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(testDialects)('InProcessChangeFeed on %s', (dialect) => {
  let database: TestDatabase;
  let events: ExportEvents;
  let state: ExportState;
  let feed: InProcessChangeFeed;
  let logger: RecordingLogger;
  let projectId: number;
  let directoryId: number;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    events = new ExportEvents();
    state = new ExportState(database, events);
    logger = new RecordingLogger();
    feed = new InProcessChangeFeed(database, events, logger);
    projectId = await addProject(database, 'feed', 'Feed');
    directoryId = await addDirectory(database, projectId, 'Shelf', []);
  });
  afterAll(async () => {
    await feed.close();
    await database.drop();
  });

  async function queue(): Promise<number> {
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

  it('hands on every move of an export as the row stands, with its project', async () => {
    const heard: ExportChange[] = [];
    const stop = feed.subscribe((change) => heard.push(change));
    try {
      const id = await queue();
      await until(() => heard.some((change) => change.id === id), 'the queued change');
      expect(heard.at(-1)).toEqual({
        id,
        projectId,
        status: 'queued',
        percentComplete: 0,
        archived: false,
      });
      const claimed = await state.claim('feed-worker');
      expect(claimed?.id).toBe(id);
      await until(() => heard.at(-1)?.status === 'running', 'the claim');
      await state.recordProgress(id, 'feed-worker', 30);
      await until(() => heard.at(-1)?.percentComplete === 30, 'the progress');
      await state.fail(id, 'feed-worker', 'broke');
      await until(() => heard.at(-1)?.status === 'failed', 'the failure');
      await state.archive(projectId, id);
      await until(() => heard.at(-1)?.archived === true, 'the archiving');
      expect(heard.at(-1)).toMatchObject({ id, status: 'failed', archived: true });
    } finally {
      stop();
    }
  });

  it('reads nothing while nobody listens, and one row for a burst of events', async () => {
    const id = await queue();
    const reads = vi.spyOn(database.db, 'selectFrom');
    events.emit('progress', id, 1);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).not.toHaveBeenCalled();

    const heard: ExportChange[] = [];
    const stop = feed.subscribe((change) => heard.push(change));
    try {
      for (let percent = 1; percent <= 5; percent += 1) events.emit('progress', id, percent);
      await until(() => heard.length > 0, 'the burst');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(heard).toHaveLength(1);
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      stop();
      reads.mockRestore();
    }
  });

  it('keeps handing on to the others when one listener throws', async () => {
    const heard: number[] = [];
    const stopBad = feed.subscribe(() => {
      throw new Error('a broken stream');
    });
    const stopGood = feed.subscribe((change) => heard.push(change.id));
    try {
      const id = await queue();
      await until(() => heard.includes(id), 'the good listener');
      expect(logger.lines.some((line) => line.includes('a broken stream'))).toBe(true);
    } finally {
      stopBad();
      stopGood();
    }
  });

  it('stops listening to the events when closed', async () => {
    const own = new ExportEvents();
    const closing = new InProcessChangeFeed(database, own, logger);
    expect(own.listenerCount('created')).toBe(1);
    await closing.close();
    for (const name of ['created', 'claimed', 'progress', 'settled'] as const)
      expect(own.listenerCount(name)).toBe(0);
    expect(closing.live).toBe(true);
  });
});
