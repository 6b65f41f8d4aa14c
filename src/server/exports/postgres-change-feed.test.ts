import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/env.ts';
import { openDatabase } from '../db/database.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { exportChangesChannel } from '../db/migrations/0009-change-notifications.ts';
import { TEST_POSTGRES_URL, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { ImportEvents } from '../imports/import-events.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import { LocalExportStorage } from '../storage/local-export-storage.ts';
import { createTestApp, createTestDataDir } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import type { ExportChange } from './export-change-feed.ts';
import { ExportEvents } from './export-events.ts';
import { createDemoDatabase } from './export-file-fixtures.ts';
import { ExportState } from './export-state.ts';
import { RecordingLogger, requestExport } from './export-test-harness.ts';
import { ExportWorker } from './export-worker.ts';
import { PostgresChangeFeed } from './postgres-change-feed.ts';

/*
 * Two processes on one PostgreSQL database, as the issue runs them: here two connection pools, two
 * sets of in-process events and two change feeds in one test process, so a test can see exactly
 * what each "process" hears. Process A has the API; process B a worker polling only once a minute,
 * which therefore builds an export quickly only when a notification wakes it.
 */

/** Errors nobody caught in this process; a dropped listening connection must add none. */
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => uncaught.push(error);

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A process's side: its pool, its events and its feed, and everything its feed handed on. */
interface Side {
  database: AnnexDatabase;
  events: ExportEvents;
  importEvents: ImportEvents;
  feed: PostgresChangeFeed;
  logger: RecordingLogger;
  changes: ExportChange[];
  created: number[];
  settled: [number, string][];
  importsQueued: number[];
}

describe.skipIf(!testDialects.includes('postgres'))('export changes across processes', () => {
  let database: TestDatabase;
  let demo: DemoProjectSummary;
  let a: Side;
  let b: Side;
  let api: TestApp;
  let admin: pg.Client;
  const listenName = (side: string) => `${database.applicationName ?? 'annex'}-listen-${side}`;

  async function openSide(name: string, pool: AnnexDatabase): Promise<Side> {
    const events = new ExportEvents();
    const importEvents = new ImportEvents();
    const logger = new RecordingLogger();
    const feed = new PostgresChangeFeed({
      url: database.url,
      exportEvents: events,
      importEvents,
      logger,
      applicationName: listenName(name),
      reconnectDelaysMs: [50, 100],
    });
    const side: Side = {
      database: pool,
      events,
      importEvents,
      feed,
      logger,
      changes: [],
      created: [],
      settled: [],
      importsQueued: [],
    };
    feed.subscribe((change) => side.changes.push(change));
    events.on('created', (id) => side.created.push(id));
    events.on('settled', (id, status) => side.settled.push([id, status]));
    importEvents.on('queued', (id) => side.importsQueued.push(id));
    await feed.start();
    return side;
  }

  /** Sends a notification by hand, as a trigger would (or as something else in the database might). */
  async function notifyByHand(payload: string): Promise<void> {
    await admin.query('SELECT pg_notify($1, $2)', [exportChangesChannel, payload]);
  }

  beforeAll(async () => {
    process.on('uncaughtException', recordUncaught);
    process.on('unhandledRejection', recordUncaught);
    ({ database, demo } = await createDemoDatabase('postgres'));
    const poolB = await openDatabase(database.url, {
      poolSize: 3,
      applicationName: `${database.applicationName ?? 'annex'}-b`,
    });
    a = await openSide('a', database);
    b = await openSide('b', poolB);
    api = await createTestApp(database, {
      deps: { exportEvents: a.events, exportChanges: a.feed },
    });
    admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
  }, 60_000);

  afterAll(async () => {
    process.off('uncaughtException', recordUncaught);
    process.off('unhandledRejection', recordUncaught);
    await admin.end();
    await api.close();
    await a.feed.close();
    await b.feed.close();
    await b.database.close();
    await database.drop();
  });

  it('hears on one side an export queued through the other', async () => {
    expect(a.feed.live && b.feed.live).toBe(true);
    const created = await requestExport(api.app, 'demo', {
      source: 'directory',
      directory_id: demo.defaultDirectoryId,
    });
    await until(() => b.changes.some((change) => change.id === created.id), 'B to hear it');
    expect(b.changes.find((change) => change.id === created.id)).toEqual({
      id: created.id,
      projectId: demo.projectId,
      status: 'queued',
      percentComplete: 0,
      archived: false,
    });
    // B's worker would wake: the queued export is `created` in B's own events.
    expect(b.created).toContain(created.id);
    // A hears its own write too, through the same notification (the stream's one source).
    await until(() => a.changes.some((change) => change.id === created.id), 'A to hear it');
  });

  it("tells the other side's waiting requests when an export settles there", async () => {
    const created = await requestExport(api.app, 'demo', {
      source: 'directory',
      directory_id: demo.defaultDirectoryId,
    });
    const waiting = b.events.nextSettled(created.id, 60_000);
    const cancelled = await new ExportState(database, a.events).cancel(
      demo.projectId,
      created.id,
      'someone@example.com',
    );
    expect(cancelled?.status).toBe('cancelled');
    const started = Date.now();
    await waiting;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(b.settled).toContainEqual([created.id, 'cancelled']);
  });

  it('wakes an idle worker of the other side at once, not at its next poll a minute later', async () => {
    const dataDir = createTestDataDir();
    const config = loadConfig({
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      WORKER_POLL_MS: '60000',
    });
    const worker = new ExportWorker({
      database: b.database,
      config,
      storage: LocalExportStorage.forDataDir(dataDir),
      events: b.events,
      workerId: `feed-test-b-${process.pid}`,
      logger: new RecordingLogger(),
    });
    await worker.start();
    try {
      // Its first look at the queue (at start) has found nothing; the next is a minute away.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const queuedAt = Date.now();
      const created = await requestExport(api.app, 'demo', {
        source: 'directory',
        directory_id: demo.defaultDirectoryId,
      });
      await until(
        () => b.changes.some((change) => change.id === created.id && change.status === 'complete'),
        'the export to be built by B',
        15_000,
      );
      expect(Date.now() - queuedAt).toBeLessThan(15_000);
      const row = await database.db
        .selectFrom('export')
        .select(['status', 'claimed_by'])
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'complete', claimed_by: `feed-test-b-${process.pid}` });
    } finally {
      await worker.stop();
    }
  });

  it('wakes the import worker of the other side when an import is queued', async () => {
    const [row] = await database.db
      .insertInto('import_job')
      .values({
        project_id: demo.projectId,
        directory_name: 'Imported',
        on_error: 'skip',
        upload_key: null,
        original_filename: 'x.json',
        size_bytes: 2,
        created_by: 'someone@example.com',
        created_by_user_id: null,
        created_time: new Date().toISOString(),
        status: 'queued',
        percent_complete: 0,
        errors: '[]',
      })
      .returning('id')
      .execute();
    if (row === undefined) throw new Error('no import inserted');
    await until(() => b.importsQueued.includes(row.id), 'B to hear the import');
    // Only a move into the queue wakes anyone: a failure is not a wake-up.
    await database.db
      .updateTable('import_job')
      .set({ status: 'failed' })
      .where('id', '=', row.id)
      .execute();
    await notifyByHand('not json at all'); // a marker: once B logged it, the update was heard too
    await until(
      () => b.logger.lines.some((line) => line.includes('not JSON')),
      'B to hear the marker',
    );
    expect(b.importsQueued.filter((id) => id === row.id)).toHaveLength(1);
  });

  it('says nothing for a write that changes nothing a person sees (a heartbeat)', async () => {
    const created = await requestExport(api.app, 'demo', {
      source: 'directory',
      directory_id: demo.defaultDirectoryId,
    });
    await until(() => b.changes.some((change) => change.id === created.id), 'the queued change');
    await database.db
      .updateTable('export')
      .set({ heartbeat_time: new Date().toISOString() })
      .where('id', '=', created.id)
      .execute();
    await database.db
      .updateTable('export')
      .set({ percent_complete: 0 }) // written, but the same value
      .where('id', '=', created.id)
      .execute();
    await database.db
      .updateTable('export')
      .set({ percent_complete: 40 })
      .where('id', '=', created.id)
      .execute();
    await until(
      () => b.changes.some((change) => change.id === created.id && change.percentComplete === 40),
      'the progress change',
    );
    // Two changes in all: queued, then 40 %; the heartbeat and the same-value write said nothing.
    expect(
      b.changes.filter((change) => change.id === created.id).map((c) => c.percentComplete),
    ).toEqual([0, 40]);
  });

  it("keeps only its own schema's notifications and shrugs off malformed ones", async () => {
    const shape = {
      id: 424_242,
      project_id: demo.projectId,
      status: 'running',
      percent_complete: 5,
      archived: false,
    };
    const ignoredBefore = b.logger.lines.filter((line) => line.includes('ignored')).length;
    await notifyByHand(JSON.stringify({ ...shape, schema: 'another_installation' }));
    await notifyByHand('{"truncated": ');
    await notifyByHand(JSON.stringify({ schema: database.schema, id: 'not a number' }));
    await notifyByHand(JSON.stringify({ ...shape, id: 424_243, schema: database.schema }));
    await until(() => b.changes.some((change) => change.id === 424_243), 'the well-formed one');
    expect(b.changes.map((change) => change.id)).not.toContain(424_242);
    // The two malformed ones are logged; the other installation's is simply not ours.
    expect(b.logger.lines.filter((line) => line.includes('ignored'))).toHaveLength(
      ignoredBefore + 2,
    );
    expect(b.feed.live).toBe(true);
  });

  it('reconnects after its connection is ended, and hears changes again', async () => {
    const liveStates: boolean[] = [];
    const stop = b.feed.onLiveChange((live) => liveStates.push(live));
    try {
      const ended = await admin.query<{ ended: number }>(
        `SELECT count(*)::int AS ended FROM (
           SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1
         ) AS terminated`,
        [listenName('b')],
      );
      expect(ended.rows[0]?.ended).toBe(1);
      await until(() => liveStates.length >= 2, 'the feed to go down and come back');
      expect(liveStates).toEqual([false, true]);
      expect(b.feed.live).toBe(true);
      expect(b.logger.lines.some((line) => line.startsWith('warn: annex: not hearing'))).toBe(true);
      expect(b.logger.lines.some((line) => line.includes('again'))).toBe(true);

      const created = await requestExport(api.app, 'demo', {
        source: 'directory',
        directory_id: demo.defaultDirectoryId,
      });
      await until(() => b.changes.some((change) => change.id === created.id), 'B to hear again');
      expect(uncaught).toEqual([]);
    } finally {
      stop();
    }
  });

  it('keeps trying, without throwing or logging each try, while the database refuses', async () => {
    const logger = new RecordingLogger();
    const feed = new PostgresChangeFeed({
      // Nothing listens on port 1.
      url: 'postgres://postgres@127.0.0.1:1/test',
      exportEvents: new ExportEvents(),
      logger,
      reconnectDelaysMs: [20],
    });
    await feed.start();
    expect(feed.live).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await feed.close();
    expect(logger.lines.filter((line) => line.startsWith('warn:'))).toHaveLength(1);
    expect(uncaught).toEqual([]);
  });
});
