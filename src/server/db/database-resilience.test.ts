import { createHash } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightResponse } from '../../contract/exports.ts';
import {
  createExportTestEnv,
  exportFilePathOf,
  exportRowOf,
  RecordingLogger,
  requestExport,
  watchExport,
} from '../exports/export-test-harness.ts';
import type { ExportTestEnv } from '../exports/export-test-harness.ts';
import { seedBulkProject } from '../seed/bulk-project.ts';
import type { BulkProjectSummary } from '../seed/bulk-project.ts';
import { TEST_POSTGRES_URL, testDialects } from './test-database.ts';

/*
 * What a PostgreSQL restart or failover looks like from annex: the server ends every session of the
 * pool, busy or idle, while an export is being built. This test does that to its own sessions only
 * (found by the pool's application_name; other test files share the server) and checks that the
 * process lives on, becomes ready again, answers calls, and that the export still ends complete.
 */

const bulkFiles = 3000;

/** Errors nobody caught in this process; a dropped connection must add none. */
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => uncaught.push(error);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for a progress event of export `id` at or past `percent`. */
function progressPast(env: ExportTestEnv, id: number, percent: number): Promise<void> {
  return new Promise((resolve) => {
    const listener = (exportId: number, reached: number) => {
      if (exportId !== id || reached < percent) return;
      env.events.off('progress', listener);
      resolve();
    };
    env.events.on('progress', listener);
  });
}

describe.skipIf(!testDialects.includes('postgres'))('a dropped PostgreSQL connection', () => {
  let env: ExportTestEnv;
  let bulk: BulkProjectSummary;
  let admin: pg.Client;

  beforeAll(async () => {
    process.on('uncaughtException', recordUncaught);
    process.on('unhandledRejection', recordUncaught);
    env = await createExportTestEnv('postgres');
    bulk = await seedBulkProject(env.database, {
      files: bulkFiles,
      projectStringId: 'bulk',
      seed: 11,
    });
    // A connection of its own, outside the pool under test, with another application_name.
    admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
  }, 120_000);
  afterAll(async () => {
    process.off('uncaughtException', recordUncaught);
    process.off('unhandledRejection', recordUncaught);
    await admin.end();
    await env.close();
  });

  /** Ends every session of this test's pool (and only those); returns how many it ended. */
  async function terminateOurBackends(): Promise<number> {
    const { applicationName } = env.database;
    if (applicationName === undefined) throw new Error('the test pool has no application_name');
    const result = await admin.query<{ ended: number }>(
      `SELECT count(*)::int AS ended FROM (
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = $1 AND pid <> pg_backend_pid()
       ) AS terminated`,
      [applicationName],
    );
    return result.rows[0]?.ended ?? 0;
  }

  /** What the preflight says an export of the whole bulk project holds. */
  async function preflightFileCount(): Promise<number> {
    const preflight = await env.app.inject({
      method: 'GET',
      url: `/api/v1/projects/bulk/exports/preflight?source=directory&directory_id=${bulk.defaultDirectoryId}&ann_is_complete=false`,
    });
    expect(preflight.statusCode).toBe(200);
    return preflight.json<PreflightResponse>().file_count;
  }

  /** An export's status and claim, read on the admin connection (the pool's may be down). */
  async function rowSeenByAdmin(
    id: number,
  ): Promise<{ status: string; started_time: string | null }> {
    const result = await admin.query<{ status: string; started_time: string | null }>(
      `SELECT status, started_time FROM ${env.database.schema ?? 'public'}.export WHERE id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (row === undefined) throw new Error(`export ${id} is gone`);
    return row;
  }

  it('lives on, is ready again within seconds, answers, and completes the export it was building', async () => {
    const logger = new RecordingLogger();
    // Small pages and a progress write on each: the export takes a while, and mostly waits on queries.
    const worker = await env.startWorker({ pageSize: 20, logger });
    try {
      // The check value before anything goes wrong (removed files are left out, so not bulkFiles).
      const fileCount = await preflightFileCount();
      expect(fileCount).toBeGreaterThan(bulkFiles * 0.9);
      const created = await requestExport(env.app, 'bulk', {
        source: 'directory',
        directory_id: bulk.defaultDirectoryId,
        ann_is_complete: false,
      });
      await progressPast(env, created.id, 5);
      expect((await exportRowOf(env, created.id)).status).toBe('running');

      // A restart is not one blow: keep ending the pool's sessions until the build has failed on
      // one (the export is no longer running under its first claim), for at most 10 s.
      const firstClaim = await exportRowOf(env, created.id);
      let ended = 0;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const now = await rowSeenByAdmin(created.id);
        if (now.status !== 'running' || now.started_time !== firstClaim.started_time) break;
        ended += await terminateOurBackends();
        await sleep(50);
      }
      expect(ended).toBeGreaterThan(0);

      // Ready again within a few seconds: the pool opened new sessions on its own.
      const readyBy = Date.now() + 5000;
      let ready = await env.app.inject({ method: 'GET', url: '/readyz' });
      while (ready.statusCode !== 200 && Date.now() < readyBy) {
        await sleep(100);
        ready = await env.app.inject({ method: 'GET', url: '/readyz' });
      }
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ready', database: 'up' });

      // The API answers.
      const project = await env.app.inject({ method: 'GET', url: '/api/v1/projects/bulk' });
      expect(project.statusCode).toBe(200);
      expect(await preflightFileCount()).toBe(fileCount);

      // The export was handed back to the queue, built again, and is complete and whole.
      const final = (await watchExport(env.app, 'bulk', created.id)).at(-1);
      expect(final).toMatchObject({
        status: 'complete',
        percent_complete: 100,
        file_list_length: fileCount,
      });
      const row = await exportRowOf(env, created.id);
      const file = await exportFilePathOf(env, created.id);
      expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(row.sha256);
      expect(await env.storage.listTemps()).toEqual([]);
      // Handed back by the worker that lost the connection (more than once when a later blow hit the
      // build it had started again), never failed.
      expect(
        logger.lines.some((line) =>
          line.includes(`export ${created.id} put back in the queue (database connection lost)`),
        ),
        logger.lines.join('\n'),
      ).toBe(true);
      expect(logger.lines.filter((line) => line.includes(`export ${created.id} failed`))).toEqual(
        [],
      );

      // Nothing escaped: no 'error' event without a listener, no rejection nobody awaited.
      expect(uncaught).toEqual([]);
    } finally {
      await worker.stop();
    }
  }, 120_000);
});

describe.skipIf(!testDialects.includes('sqlite'))('a dropped SQLite connection', () => {
  it.skip('is not tested: SQLite is a file opened in this process, with no connection a server could drop', () => {});
});
