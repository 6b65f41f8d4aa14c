import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEventsRetryMs } from '../../contract/export-events.ts';
import type { Export } from '../../contract/exports.ts';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import { testDialects } from '../db/test-database.ts';
import type { DialectName } from '../db/database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import { LocalExportStorage } from '../storage/local-export-storage.ts';
import { EventStreamClient, plainGet } from '../test-utils/event-stream-client.ts';
import { createTestApp, createTestDataDir } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import { addTestAccount, testAdminAuthorization } from '../test-utils/test-accounts.ts';
import type { ExportChange, ExportChangeFeed } from './export-change-feed.ts';
import { ExportEvents } from './export-events.ts';
import { createDemoDatabase } from './export-file-fixtures.ts';
import { addOtherProject, RecordingLogger } from './export-test-harness.ts';
import type { OtherProject } from './export-test-harness.ts';
import type { ExportEventStreamTiming } from './export-event-stream.ts';
import { ExportWorker } from './export-worker.ts';
import { openExportChangeFeed } from './open-export-change-feed.ts';

// The live export stream over a real HTTP connection (the app listening on a free port, read with
// Node's fetch as a browser reads it), on both engines: on SQLite the feed relays the process's own
// events, on PostgreSQL it hears the database's notifications.

const admin = { authorization: testAdminAuthorization };

/** A feed a test drives by hand: for what the real ones only do when a database goes away. */
class HandFeed extends EventEmitter implements ExportChangeFeed {
  live = true;
  get subscriberCount(): number {
    return this.listenerCount('change');
  }
  subscribe(listener: (change: ExportChange) => void): () => void {
    this.on('change', listener);
    return () => this.off('change', listener);
  }
  onLiveChange(listener: (live: boolean) => void): () => void {
    this.on('live', listener);
    return () => this.off('live', listener);
  }
  setLive(live: boolean): void {
    this.live = live;
    this.emit('live', live);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(testDialects)(
  'GET /projects/:project/exports/events on %s',
  (dialect: DialectName) => {
    let database: TestDatabase;
    let demo: DemoProjectSummary;
    let other: OtherProject;
    let otherProjectId: number;
    let feed: ExportChangeFeed;
    let events: ExportEvents;
    let built: TestApp;
    let base: string;
    let worker: ExportWorker;
    const extraApps: TestApp[] = [];

    /** Another app on the same database, listening, with its own stream timing (or feed). */
    async function listeningApp(
      deps: { timing?: ExportEventStreamTiming; feed?: ExportChangeFeed } = {},
    ): Promise<{ app: TestApp; base: string }> {
      const app = await createTestApp(database, {
        deps: {
          exportEvents: events,
          exportChanges: deps.feed ?? feed,
          ...(deps.timing === undefined ? {} : { liveStreamTiming: deps.timing }),
        },
      });
      extraApps.push(app);
      return { app, base: await app.anonymousApp.listen({ port: 0, host: '127.0.0.1' }) };
    }

    const eventsPath = (project = 'demo') => `/api/v1/projects/${project}/exports/events`;

    async function queueExport(project: string, directoryId: number): Promise<Export> {
      const response = await built.app.inject({
        method: 'POST',
        url: `/api/v1/projects/${project}/exports`,
        payload: { source: 'directory', directory_id: directoryId, ann_is_complete: false },
      });
      expect(response.statusCode, response.body).toBe(202);
      return response.json<Export>();
    }

    beforeAll(async () => {
      ({ database, demo } = await createDemoDatabase(dialect));
      other = await addOtherProject(database);
      ({ project_id: otherProjectId } = await database.db
        .selectFrom('directory')
        .select('project_id')
        .where('id', '=', other.directoryId)
        .executeTakeFirstOrThrow());
      events = new ExportEvents();
      feed = await openExportChangeFeed(database, {
        url: database.url,
        exportEvents: events,
        logger: new RecordingLogger(),
        applicationName: `${database.applicationName ?? 'annex'}-listen`,
      });
      const dataDir = createTestDataDir();
      const storage = LocalExportStorage.forDataDir(dataDir);
      built = await createTestApp(database, {
        dataDir,
        env: { WORKER_POLL_MS: '50' },
        deps: {
          storage,
          exportEvents: events,
          exportChanges: feed,
          liveStreamTiming: { heartbeatMs: 100 },
        },
      });
      base = await built.anonymousApp.listen({ port: 0, host: '127.0.0.1' });
      worker = new ExportWorker({
        database,
        config: built.config,
        storage,
        events,
        workerId: `events-routes-${process.pid}`,
        progressIntervalMs: 0,
        pageSize: 2,
        logger: new RecordingLogger(),
      });
      await worker.start();
    }, 60_000);

    afterAll(async () => {
      await worker.stop();
      for (const app of extraApps) await app.close();
      await built.close();
      await feed.close();
      await database.drop();
    });

    it('is an event stream: its headers, a retry hint, then heartbeat comments while nothing happens', async () => {
      const stream = await EventStreamClient.connect(`${base}${eventsPath()}`, admin);
      try {
        expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        expect(stream.headers['x-accel-buffering']).toBe('no');
        expect(stream.headers['cache-control']).toBe('no-store');
        // No length and no compression: each event must leave as it is written.
        expect(stream.headers['content-length']).toBeUndefined();
        expect(stream.headers['content-encoding']).toBeUndefined();
        await stream.until(() => stream.retryMs !== undefined, 5000, 'the retry hint');
        expect(stream.retryMs).toBe(exportEventsRetryMs);
        await stream.until(
          () => stream.comments.filter((comment) => comment === 'heartbeat').length >= 2,
          5000,
          'two heartbeats',
        );
      } finally {
        await stream.close();
      }
    });

    it("sends each change of the project's exports as it happens: queued, running, complete", async () => {
      const stream = await EventStreamClient.connect(`${base}${eventsPath()}`, admin);
      try {
        const created = await queueExport('demo', demo.defaultDirectoryId);
        await stream.untilChange(
          (change) => change.id === created.id && change.status === 'complete',
        );
        const statuses = stream
          .exportChanges()
          .filter((change) => change.id === created.id)
          .map((change) => change.status);
        // On PostgreSQL each change is its own notification. On SQLite a change is sent as the row
        // stands when read, a moment later: the worker may have claimed it by then.
        if (dialect === 'postgres') expect(statuses[0]).toBe('queued');
        expect(statuses).toContain('running');
        expect(statuses.at(-1)).toBe('complete');
        // In order: nothing running after it completed, nothing queued after it ran.
        expect(statuses.indexOf('running')).toBeLessThan(statuses.indexOf('complete'));
        expect(statuses.lastIndexOf('queued')).toBeLessThan(statuses.indexOf('running'));
        const last = stream
          .exportChanges()
          .filter((change) => change.id === created.id)
          .at(-1);
        expect(last).toEqual({
          id: created.id,
          project_string_id: 'demo',
          status: 'complete',
          percent_complete: 100,
          archived: false,
        });

        // Archiving is a change too: the export leaves the list.
        const archived = await built.app.inject({
          method: 'DELETE',
          url: `/api/v1/projects/demo/exports/${created.id}`,
        });
        expect(archived.statusCode).toBe(204);
        await stream.untilChange((change) => change.id === created.id && change.archived);
      } finally {
        await stream.close();
      }
    });

    it("sends nothing about another project's exports", async () => {
      const stream = await EventStreamClient.connect(`${base}${eventsPath()}`, admin);
      try {
        const elsewhere = await queueExport('other', other.directoryId);
        const here = await queueExport('demo', demo.defaultDirectoryId);
        // Changes arrive in the order they were made: once the later one is here, the earlier one
        // would be too.
        await stream.untilChange((change) => change.id === here.id && change.status === 'complete');
        expect(stream.exportChanges().map((change) => change.id)).not.toContain(elsewhere.id);
        expect(stream.exportChanges().every((change) => change.project_string_id === 'demo')).toBe(
          true,
        );
      } finally {
        await stream.close();
      }
    });

    it('lets go of its subscription when the client goes away', async () => {
      // The streams of earlier tests were closed by their clients; the server may not have seen it yet.
      await until(() => feed.subscriberCount === 0, 'earlier streams to end');
      const stream = await EventStreamClient.connect(`${base}${eventsPath()}`, admin);
      expect(feed.subscriberCount).toBe(1);
      await stream.close();
      await until(() => feed.subscriberCount === 0, 'the subscription to end');
    });

    it('answers who may not see the project exactly as the export list does', async () => {
      const viewerElsewhere = await addTestAccount(database.db, {
        projects: { [otherProjectId]: 'viewer' },
      });
      const cases: { headers: Record<string, string>; project: string; status: number }[] = [
        { headers: {}, project: 'demo', status: 401 },
        { headers: viewerElsewhere.headers, project: 'demo', status: 404 },
        { headers: admin, project: 'nope', status: 404 },
      ];
      for (const { headers, project, status } of cases) {
        const opened = await EventStreamClient.open(`${base}${eventsPath(project)}`, headers);
        expect(opened, `${project} as ${JSON.stringify(headers)}`).not.toBeInstanceOf(
          EventStreamClient,
        );
        if (opened instanceof EventStreamClient) return;
        const list = await plainGet(`${base}/api/v1/projects/${project}/exports`, headers);
        expect(opened.status).toBe(status);
        expect(list.status).toBe(status);
        expect(opened.errorBody).toBe(list.body);
        expect(errorEnvelopeSchema.safeParse(JSON.parse(opened.errorBody)).success).toBe(true);
      }
      // A viewer of the project may watch it.
      const viewer = await addTestAccount(database.db, {
        projects: { [demo.projectId]: 'viewer' },
      });
      const stream = await EventStreamClient.connect(`${base}${eventsPath()}`, viewer.headers);
      await stream.close();
    });

    it('ends a stream after its lifetime, so the client reconnects through authentication again', async () => {
      const short = await listeningApp({ timing: { lifetimeMs: 300, heartbeatMs: 60_000 } });
      const stream = await EventStreamClient.connect(`${short.base}${eventsPath()}`, admin);
      await stream.untilEnded(5000);
    });

    it('closes open streams on shutdown instead of waiting for their clients', async () => {
      const closing = await listeningApp();
      const stream = await EventStreamClient.connect(`${closing.base}${eventsPath()}`, admin);
      const started = Date.now();
      await closing.app.close();
      expect(Date.now() - started).toBeLessThan(5000);
      await stream.untilEnded(5000);
    });

    it('answers 503 while the feed hears nothing, and ends open streams when it stops hearing', async () => {
      const hand = new HandFeed();
      const withHand = await listeningApp({ feed: hand });
      const stream = await EventStreamClient.connect(`${withHand.base}${eventsPath()}`, admin);
      hand.emit('change', {
        id: 999,
        projectId: demo.projectId,
        status: 'running',
        percentComplete: 12.5,
        archived: false,
      } satisfies ExportChange);
      expect(await stream.untilChange((change) => change.id === 999)).toMatchObject({
        percent_complete: 12.5,
      });

      hand.setLive(false);
      await stream.untilEnded(5000);
      expect(hand.subscriberCount).toBe(0);
      const refused = await EventStreamClient.open(`${withHand.base}${eventsPath()}`, admin);
      expect(refused).not.toBeInstanceOf(EventStreamClient);
      if (refused instanceof EventStreamClient) return;
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.errorBody)).toMatchObject({ error: { code: 'unavailable' } });

      hand.setLive(true);
      const again = await EventStreamClient.connect(`${withHand.base}${eventsPath()}`, admin);
      await again.close();
    });
  },
);
