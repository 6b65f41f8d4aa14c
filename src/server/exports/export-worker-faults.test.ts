import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AnnexDatabase } from '../db/database.ts';
import { testDialects } from '../db/test-database.ts';
import {
  databaseDiskFull,
  ExportUpdateFaults,
  failExportWritesWithEnospc,
} from './export-fault-fixtures.ts';
import {
  createExportTestEnv,
  defaultDirectoryExport,
  exportRowOf,
  filesOf,
  finalOf,
  RecordingLogger,
  requestExport,
  untilRow,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';
import { ExportState } from './export-state.ts';

// Faults the export worker must ride out: a disk that fills up under the export file (ENOSPC from
// the write stream) and a database that refuses writes for a while (SQLITE_FULL, PostgreSQL 53100),
// injected into the worker's own connection only, so the app beside it keeps answering. The sweep
// of unowned files is in export-worker-sweep.test.ts, PostgreSQL session recovery in
// export-worker-session-recovery.test.ts.

describe.each(testDialects)('export worker faults on %s', (dialect) => {
  let env: ExportTestEnv;
  let faults: ExportUpdateFaults;
  let faulty: AnnexDatabase;
  const serverDiskFull =
    "Export failed: the server's disk is full. Generate it again; if it fails again, check the server log.";

  beforeAll(async () => {
    env = await createExportTestEnv(dialect);
    faults = new ExportUpdateFaults(() => databaseDiskFull(dialect));
    // The worker's connection with the faults; the app keeps the clean one.
    faulty = { ...env.database, db: env.database.db.withPlugin(faults) };
  }, 60_000);
  afterEach(() => {
    vi.restoreAllMocks();
    faults.failNext(0);
  });
  afterAll(async () => {
    await env.close();
  });

  it('fails an export on a full disk with a message that says so, though recording it failed three times; no file left, the app answering', async () => {
    const logger = new RecordingLogger();
    const worker = await env.startWorker({ database: faulty, logger, finalWriteRetryMs: 20 });
    try {
      // The database's disk is the same full disk: the next three final writes fail too.
      failExportWritesWithEnospc(env.storage.root, () =>
        faults.failNext(3, { setting: 'status_text' }),
      );
      const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
      const final = await finalOf(env, created.id);

      expect(final).toMatchObject({ status: 'failed', status_text: serverDiskFull });
      expect(faults.pending).toBe(0);
      expect(
        logger.lines.filter((line) =>
          line.includes(
            `could not record export ${created.id} as fail (the database's disk is full); trying again`,
          ),
        ),
      ).toHaveLength(3);
      expect(filesOf(env, created.id)).toEqual([]);
      expect(
        (await env.app.inject({ method: 'GET', url: '/api/v1/projects/demo' })).statusCode,
      ).toBe(200);
    } finally {
      await worker.stop();
    }
  });

  it("fails an export whose database runs out of space mid-way with the database's disk in the message", async () => {
    const logger = new RecordingLogger();
    const worker = await env.startWorker({ database: faulty, logger, finalWriteRetryMs: 20 });
    try {
      // The claim gets through; the file count, then the first attempts to record the failure, do not.
      faults.failNext(3, { unless: 'claimed_by' });
      const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
      const final = await finalOf(env, created.id);

      expect(final).toMatchObject({
        status: 'failed',
        status_text:
          "Export failed: the database's disk is full. Generate it again; if it fails again, check the server log.",
      });
      expect(faults.pending).toBe(0);
      expect(filesOf(env, created.id)).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it('completes an export whose completion it could record only on the third try, with its one file', async () => {
    const logger = new RecordingLogger();
    const worker = await env.startWorker({ database: faulty, logger, finalWriteRetryMs: 20 });
    try {
      faults.failNext(2, { setting: 'sha256' });
      const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
      const final = await finalOf(env, created.id);

      expect(final.status).toBe('complete');
      expect(faults.pending).toBe(0);
      const row = await exportRowOf(env, created.id);
      expect(filesOf(env, created.id)).toEqual([row.storage_key]);
      expect(
        logger.lines.filter((line) =>
          line.includes(`could not record export ${created.id} as complete`),
        ),
      ).toHaveLength(2);
    } finally {
      await worker.stop();
    }
  });

  it('keeps the file of an export whose completion was written though its answer was lost', async () => {
    const logger = new RecordingLogger();
    const worker = await env.startWorker({ database: faulty, logger, finalWriteRetryMs: 20 });
    try {
      // The completion commits and only its answer fails (a connection dropped after COMMIT): the
      // retry finds the export no longer running.
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the instance below
      const complete = ExportState.prototype.complete;
      vi.spyOn(ExportState.prototype, 'complete').mockImplementationOnce(async function (
        this: ExportState,
        ...args
      ) {
        await complete.apply(this, args);
        throw databaseDiskFull(dialect);
      });
      const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
      const final = await finalOf(env, created.id);
      // The build ends after the retry: stopping the worker waits for it.
      await worker.stop();

      expect(final.status).toBe('complete');
      const row = await exportRowOf(env, created.id);
      expect(filesOf(env, created.id)).toEqual([row.storage_key]);
      expect(logger.lines.filter((line) => line.includes('its file was discarded'))).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it('takes a new export once claiming it stops failing (a few kilobytes left)', async () => {
    const logger = new RecordingLogger();
    const worker = await env.startWorker({ database: faulty, logger });
    try {
      faults.failNext(3, { setting: 'claimed_by' });
      const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
      const final = await finalOf(env, created.id);

      expect(final.status).toBe('complete');
      expect(faults.pending).toBe(0);
      expect(
        logger.lines.filter((line) => line.includes('could not look for queued exports')),
      ).toHaveLength(3);
      expect((await exportRowOf(env, created.id)).attempt_count).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it('recovers its own export whose failure it cannot record, once it goes stale, and builds it again', async () => {
    const logger = new RecordingLogger();
    const worker = await env.startWorker({
      database: faulty,
      logger,
      finalWriteRetryMs: 50,
      heartbeatMs: 100,
      staleAfterMs: 600,
    });
    try {
      // Every attempt to record the failure fails; re-queueing writes other columns and gets through.
      failExportWritesWithEnospc(env.storage.root, () =>
        faults.failNext(1000, { setting: 'status_text' }),
      );
      const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
      const requeued = await untilRow(
        env,
        created.id,
        // Back in the queue after its first claim, or already claimed again.
        (row) => (row.status === 'queued' && row.attempt_count === 1) || row.attempt_count === 2,
      );
      expect(requeued.status === 'queued' || requeued.claimed_by === worker.workerId).toBe(true);
      // Not claimed again while the first job still holds it (its failure still being retried).
      expect(faults.pending).toBeGreaterThan(0);
      faults.failNext(0);

      const final = await finalOf(env, created.id);
      expect(final.status).toBe('complete');
      const row = await exportRowOf(env, created.id);
      expect(row.attempt_count).toBe(2);
      expect(filesOf(env, created.id)).toEqual([row.storage_key]);
      expect(
        logger.lines.some((line) =>
          line.includes(
            `export ${created.id} was left running by worker ${worker.workerId}; re-queued it`,
          ),
        ),
      ).toBe(true);
    } finally {
      await worker.stop();
    }
  });
});
