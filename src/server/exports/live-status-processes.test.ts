import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import { LocalExportStorage } from '../storage/local-export-storage.ts';
import { EventStreamClient } from '../test-utils/event-stream-client.ts';
import { createTestApp, createTestDataDir } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import { testAdminAuthorization } from '../test-utils/test-accounts.ts';
import type { ExportChangeFeed } from './export-change-feed.ts';
import { ExportEvents } from './export-events.ts';
import { createDemoDatabase } from './export-file-fixtures.ts';
import { RecordingLogger, requestExport } from './export-test-harness.ts';
import { startWorkerProcess } from './export-worker-process-fixtures.ts';
import type { WorkerProcess } from './export-worker-process-fixtures.ts';
import { openExportChangeFeed } from './open-export-change-feed.ts';

/*
 * The deployment the issue describes, on PostgreSQL: this test process is the API alone (as under
 * `--services=api`: no worker of its own), and a real `main.ts --services=worker` process builds the
 * exports, polling only once a minute. An export asked for through the API is woken up in the worker
 * process by its notification, and a browser's event stream on the API sees every status it goes
 * through, each heard from the other process.
 */

describe.skipIf(!testDialects.includes('postgres'))(
  'live status with the API and the worker in separate processes',
  () => {
    let database: TestDatabase;
    let demo: DemoProjectSummary;
    let feed: ExportChangeFeed;
    let api: TestApp;
    let base: string;
    let worker: WorkerProcess;

    beforeAll(async () => {
      ({ database, demo } = await createDemoDatabase('postgres'));
      const dataDir = createTestDataDir();
      const exportEvents = new ExportEvents();
      feed = await openExportChangeFeed(database, {
        url: database.url,
        exportEvents,
        logger: new RecordingLogger(),
      });
      api = await createTestApp(database, {
        dataDir,
        deps: {
          storage: LocalExportStorage.forDataDir(dataDir),
          exportEvents,
          exportChanges: feed,
        },
      });
      base = await api.anonymousApp.listen({ port: 0, host: '127.0.0.1' });
      worker = startWorkerProcess(
        { database, dataDir, config: api.config },
        { WORKER_POLL_MS: '60000' },
      );
      await worker.ready;
    }, 120_000);

    afterAll(async () => {
      const exited = new Promise((resolve) => worker.process.once('exit', resolve));
      if (worker.process.exitCode === null) worker.process.kill('SIGTERM');
      await exited;
      await api.close();
      await feed.close();
      await database.drop();
    }, 60_000);

    it('an export asked for on the API is built at once by the worker process, and the stream sees each status', async () => {
      const stream = await EventStreamClient.connect(
        `${base}/api/v1/projects/demo/exports/events`,
        { authorization: testAdminAuthorization },
      );
      try {
        // The worker's look at the queue when it started found nothing; its next is a minute away.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const askedAt = Date.now();
        const created = await requestExport(api.app, 'demo', {
          source: 'directory',
          directory_id: demo.defaultDirectoryId,
        });
        await stream.untilChange(
          (change) => change.id === created.id && change.status === 'complete',
          20_000,
        );
        expect(Date.now() - askedAt).toBeLessThan(20_000);
        const statuses = stream
          .exportChanges()
          .filter((change) => change.id === created.id)
          .map((change) => change.status);
        expect(statuses[0]).toBe('queued');
        expect(statuses).toContain('running');
        expect(statuses.at(-1)).toBe('complete');
        const row = await database.db
          .selectFrom('export')
          .select('claimed_by')
          .where('id', '=', created.id)
          .executeTakeFirstOrThrow();
        // Built over there, not here: this process has no worker.
        expect(row.claimed_by).toMatch(/^worker-\d+-/);
      } finally {
        await stream.close();
      }
    });
  },
);
