import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../db/test-database.ts';
import { addExportRow } from '../test-utils/test-records.ts';
import { CrashAfterClaim } from './export-fault-fixtures.ts';
import { ownSessionKeyQuery } from './export-recovery.ts';
import {
  createExportTestEnv,
  defaultDirectoryExport,
  exportRowOf,
  finalOf,
  RecordingLogger,
  requestExport,
  untilRow,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';
import { WorkerSession } from './export-worker-session.ts';

// A PostgreSQL worker's claims are tied to its own session: a worker that crashes (its session gone
// from pg_stat_activity) has its exports recovered at once by another, not after a stale heartbeat.
// PostgreSQL only: SQLite has one worker process, and a starting worker recovers every running export.

describe.each(testDialects)('export worker session recovery on %s', (dialect) => {
  let env: ExportTestEnv;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect);
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });

  it.runIf(dialect === 'postgres')(
    'recovers at once the export of a worker whose database session is gone, not after a stale heartbeat',
    async () => {
      // The crashed worker's session: our own connection, closed below as a crash would close it.
      const crashed = new pg.Client({ connectionString: env.database.url });
      await crashed.connect();
      const key = (await crashed.query<{ key: string }>(ownSessionKeyQuery)).rows[0]?.key;
      if (key === undefined) throw new Error('no session key');
      const now = new Date().toISOString();
      const row = await addExportRow(env.database, {
        project_id: env.demo.projectId,
        directory_id: env.demo.defaultDirectoryId,
        status: 'running',
        claimed_by: 'crashed-worker-1',
        owner_session: key,
        started_time: now,
        heartbeat_time: now,
        attempt_count: 1,
      });
      const logger = new RecordingLogger();
      const rescuer = await env.startWorker({ logger, heartbeatMs: 5000, staleAfterMs: 30_000 });
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Its session is alive: the claim stands, whatever the heartbeat.
        expect(await exportRowOf(env, row.id)).toMatchObject({
          status: 'running',
          claimed_by: 'crashed-worker-1',
        });

        await crashed.end();
        const crashedAt = Date.now();
        const final = await finalOf(env, row.id, 5000);
        expect(final.status).toBe('complete');
        expect(Date.now() - crashedAt).toBeLessThan(1500);
        expect((await exportRowOf(env, row.id)).claimed_by).toBe(rescuer.workerId);
      } finally {
        await rescuer.stop();
        await crashed.end().catch(() => undefined);
      }
    },
  );

  it.runIf(dialect === 'postgres')(
    'recovers within a second the export of a worker that crashed right after claiming it',
    async () => {
      const session = new WorkerSession(env.config.DATABASE_URL, new RecordingLogger());
      const crash = new CrashAfterClaim(session);
      const doomed = await env.startWorker({
        database: { ...env.database, db: env.database.db.withPlugin(crash) },
        session,
      });
      try {
        const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
        const left = await untilRow(env, created.id, () => crash.crashedAt !== undefined);
        expect(left).toMatchObject({ status: 'running', claimed_by: doomed.workerId });
        const crashedAt = await crash.crashedAt;
        if (crashedAt === undefined) throw new Error('the worker did not crash');

        // Its heartbeat is fresh for 30 s; the rescuer must not wait for that.
        const rescuer = await env.startWorker({ heartbeatMs: 5000, staleAfterMs: 30_000 });
        const final = await finalOf(env, created.id, 5000);
        expect(final.status).toBe('complete');
        expect(Date.now() - crashedAt).toBeLessThan(1500);
        expect(await exportRowOf(env, created.id)).toMatchObject({
          claimed_by: rescuer.workerId,
          attempt_count: 2,
        });
        await rescuer.stop();
      } finally {
        await doomed.stop();
      }
    },
  );

  it.runIf(dialect === 'postgres')(
    "ties a worker's claim to its own session's key, and clears it when the export goes back to the queue",
    async () => {
      const session = new WorkerSession(env.config.DATABASE_URL, new RecordingLogger());
      // Pages of one file: slow enough to see it running.
      const worker = await env.startWorker({ session, pageSize: 1 });
      try {
        const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
        const claimed = await untilRow(env, created.id, (row) => row.status === 'running');
        expect(claimed.claimed_by).toBe(worker.workerId);
        expect(claimed.owner_session).toMatch(/^\d+:\d+$/);
        expect(claimed.owner_session).toBe(session.key);
        await worker.stop();
        expect(await exportRowOf(env, created.id)).toMatchObject({
          status: 'queued',
          owner_session: null,
        });
      } finally {
        await worker.stop();
        await session.close();
      }
    },
  );
});
