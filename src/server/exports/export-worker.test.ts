import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Export, PreflightResponse } from '../../contract/exports.ts';
import { openDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import { testDialects } from '../db/test-database.ts';
import { seedBulkProject } from '../seed/bulk-project.ts';
import type { BulkProjectSummary } from '../seed/bulk-project.ts';
import { LocalExportStorage } from '../storage/local-export-storage.ts';
import { addDirectory, addExportRow } from '../test-utils/test-records.ts';
import {
  createExportTestEnv,
  exportFilePathOf,
  exportRowOf,
  RecordingLogger,
  requestExport,
  watchExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';
import { killMidExport, startWorkerProcess, tempsOf } from './export-worker-process-fixtures.ts';
import { ExportWorker } from './export-worker.ts';

const bulkFiles = 1500;

async function untilRow(
  env: ExportTestEnv,
  id: number,
  done: (row: ExportRow) => boolean,
): Promise<ExportRow> {
  for (;;) {
    const row = await exportRowOf(env, id);
    if (done(row)) return row;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Waits for the first `progress` event of an export. */
function firstProgress(env: ExportTestEnv, id: number): Promise<number> {
  return new Promise((resolve) => {
    const listener = (exportId: number, percent: number) => {
      if (exportId !== id) return;
      env.events.off('progress', listener);
      resolve(percent);
    };
    env.events.on('progress', listener);
  });
}

describe.each(testDialects)('export worker on %s', (dialect) => {
  let env: ExportTestEnv;
  let bulk: BulkProjectSummary;
  const bulkAll = () => ({
    source: 'directory',
    directory_id: bulk.defaultDirectoryId,
    ann_is_complete: false,
  });

  beforeAll(async () => {
    env = await createExportTestEnv(dialect);
    bulk = await seedBulkProject(env.database, {
      files: bulkFiles,
      projectStringId: 'bulk',
      seed: 7,
    });
  }, 120_000);
  afterAll(async () => {
    await env.close();
  });

  it('takes an export from queued through running, with progress in between, to complete', async () => {
    const worker = await env.startWorker({ pageSize: 25 });
    const progress: number[] = [];
    const onProgress = (_id: number, percent: number) => progress.push(percent);
    env.events.on('progress', onProgress);
    try {
      const created = await requestExport(env.app, 'bulk', bulkAll());
      expect(created.status).toBe('queued');
      const seen = await watchExport(env.app, 'bulk', created.id);
      const final = seen.at(-1);

      const preflight = (
        await env.app.inject({
          method: 'GET',
          url: `/api/v1/projects/bulk/exports/preflight?source=directory&directory_id=${bulk.defaultDirectoryId}&ann_is_complete=false`,
        })
      ).json<PreflightResponse>();
      expect(final).toMatchObject({
        status: 'complete',
        percent_complete: 100,
        file_list_length: preflight.file_count,
      });
      const midway = seen.filter(
        (state) =>
          state.status === 'running' && state.percent_complete > 0 && state.percent_complete < 100,
      );
      expect(midway.length).toBeGreaterThan(0);
      expect(midway.every((state) => state.file_list_length === preflight.file_count)).toBe(true);
      // Written as it goes, in order, never on every file (1,500 files in pages of 25: at most one per page).
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress.length).toBeLessThanOrEqual(preflight.file_count / 25);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(Math.max(...progress)).toBeLessThan(100);

      const row = await exportRowOf(env, created.id);
      expect(row.claimed_by).toBe(worker.workerId);
      expect(row.attempt_count).toBe(1);
      expect(sha256Of(await exportFilePathOf(env, row.id))).toBe(row.sha256);
      expect(await env.storage.listTemps()).toEqual([]);
    } finally {
      env.events.off('progress', onProgress);
      await worker.stop();
    }
  });

  it('fails an export that selects nothing with the reason and what to change, and keeps it failed', async () => {
    const worker = await env.startWorker();
    try {
      const empty = await addDirectory(env.database, env.demo.projectId, 'Nothing here', []);
      const created = await requestExport(env.app, 'demo', {
        source: 'directory',
        directory_id: empty,
      });
      const final = (await watchExport(env.app, 'demo', created.id)).at(-1);
      expect(final?.status).toBe('failed');
      expect(final?.status_text).toBe(
        'No file matches: directory "Nothing here" holds no files. Add files to it or choose another directory.',
      );
      expect(final?.finished_time).not.toBeNull();
      const row = await exportRowOf(env, created.id);
      expect(row.storage_key).toBeNull();
      expect(await env.storage.listTemps()).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it('fails an export whose file cannot be written, says what to do, and never retries it on its own', async () => {
    const worker = await env.startWorker();
    const tempFolder = path.join(env.storage.root, 'tmp');
    try {
      // The temporary folder replaced by a plain file: every write into it fails, as on a broken disk.
      fs.rmSync(tempFolder, { recursive: true, force: true });
      fs.writeFileSync(tempFolder, 'not a folder');
      const created = await requestExport(env.app, 'demo', {
        source: 'directory',
        directory_id: env.demo.defaultDirectoryId,
      });
      const final = (await watchExport(env.app, 'demo', created.id)).at(-1);
      expect(final?.status).toBe('failed');
      expect(final?.status_text).toMatch(
        /^Export failed: the server could not write the export file \(E[A-Z]+\)\. Generate it again; if it fails again, check the server log\.$/,
      );
      expect(final?.status_text).not.toContain(env.dataDir);

      fs.rmSync(tempFolder, { force: true });
      fs.mkdirSync(tempFolder);
      worker.wake();
      const later = await env.app.inject({
        method: 'GET',
        url: `/api/v1/projects/demo/exports/${created.id}`,
      });
      expect(later.json<Export>()).toMatchObject({
        status: 'failed',
        status_text: final?.status_text,
      });
    } finally {
      fs.rmSync(tempFolder, { recursive: true, force: true });
      fs.mkdirSync(tempFolder, { recursive: true });
      await worker.stop();
    }
  });

  it('stops writing an export archived while it runs, and leaves no file behind', async () => {
    const worker = await env.startWorker({ pageSize: 10 });
    try {
      const created = await requestExport(env.app, 'bulk', bulkAll());
      await firstProgress(env, created.id);
      const archived = await env.app.inject({
        method: 'DELETE',
        url: `/api/v1/projects/bulk/exports/${created.id}`,
      });
      expect(archived.statusCode).toBe(204);

      await untilRow(env, created.id, () => worker.activeCount === 0);
      const row = await exportRowOf(env, created.id);
      expect(row).toMatchObject({
        archived: 1,
        status: 'failed',
        status_text: 'Archived before it finished.',
        storage_key: null,
      });
      expect(await env.storage.listTemps()).toEqual([]);
      expect(
        fs.readdirSync(env.storage.root).filter((name) => name.startsWith(`${created.id}-`)),
      ).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it('puts the exports it is building back in the queue when stopped, and another worker finishes them', async () => {
    const first = await env.startWorker({ pageSize: 10 });
    const created = await requestExport(env.app, 'bulk', bulkAll());
    await firstProgress(env, created.id);
    await first.stop();

    const requeued = await exportRowOf(env, created.id);
    expect(requeued).toMatchObject({
      status: 'queued',
      claimed_by: null,
      started_time: null,
      percent_complete: 0,
      attempt_count: 0,
    });
    expect(await env.storage.listTemps()).toEqual([]);

    const second = await env.startWorker();
    try {
      const final = (await watchExport(env.app, 'bulk', created.id)).at(-1);
      expect(final?.status).toBe('complete');
      expect((await exportRowOf(env, created.id)).claimed_by).toBe(second.workerId);
    } finally {
      await second.stop();
    }
  });

  it('recovers an export left running by a worker process killed mid-export, and removes its temporary file', async () => {
    const child = startWorkerProcess(env);
    let exportId: number;
    try {
      await child.ready;
      exportId = (await requestExport(env.app, 'bulk', bulkAll())).id;
      // Running, with its temporary file on disk: the child is in the middle of writing it.
      await untilRow(
        env,
        exportId,
        (row) => row.status === 'running' && tempsOf(env, exportId).length > 0,
      );
      await killMidExport(env, exportId, child.process);
    } finally {
      child.process.kill('SIGKILL');
    }
    const left = await exportRowOf(env, exportId);
    expect(left.status).toBe('running');
    expect(left.claimed_by).toMatch(/^worker-\d+-/);
    expect(tempsOf(env, exportId)).toHaveLength(1);

    const logger = new RecordingLogger();
    const successor = await env.startWorker({ logger });
    try {
      const final = (await watchExport(env.app, 'bulk', exportId)).at(-1);
      expect(final?.status).toBe('complete');
      const row = await exportRowOf(env, exportId);
      expect(row.claimed_by).toBe(successor.workerId);
      expect(row.attempt_count).toBe(2);
      expect(sha256Of(await exportFilePathOf(env, row.id))).toBe(row.sha256);
      expect(await env.storage.listTemps()).toEqual([]);
      expect(
        logger.lines.some((line) =>
          /was left running by worker worker-\d+-\w+; re-queued it, removed 1 temporary file/.test(
            line,
          ),
        ),
      ).toBe(true);
    } finally {
      await successor.stop();
    }
    // Starting a second Node process with tsx takes seconds on a busy machine.
  }, 90_000);

  it(
    dialect === 'sqlite'
      ? 're-queues every running export at start (one worker process per SQLite database)'
      : 'leaves running exports with a fresh heartbeat alone, and re-queues them once the heartbeat is stale',
    async () => {
      const now = new Date().toISOString();
      const row = await addExportRow(env.database, {
        project_id: env.demo.projectId,
        directory_id: env.demo.defaultDirectoryId,
        status: 'running',
        claimed_by: 'live-worker-1',
        started_time: now,
        heartbeat_time: now,
        attempt_count: 1,
      });
      const orphanTemp = await env.storage.newTempPath(row.id, 'live-worker-1');
      fs.writeFileSync(orphanTemp, '{"partial":');

      const worker = await env.startWorker({ staleAfterMs: 60_000, heartbeatMs: 100 });
      try {
        if (dialect === 'postgres') {
          expect((await exportRowOf(env, row.id)).status).toBe('running');
          expect(fs.existsSync(orphanTemp)).toBe(true);
          const old = new Date(Date.now() - 120_000).toISOString();
          await env.database.db
            .updateTable('export')
            .set({ heartbeat_time: old })
            .where('id', '=', row.id)
            .execute();
        }
        const final = (await watchExport(env.app, 'demo', row.id)).at(-1);
        expect(final?.status).toBe('complete');
        expect(fs.existsSync(orphanTemp)).toBe(false);
      } finally {
        await worker.stop();
      }
    },
  );

  it('fails an export whose worker died too many times instead of re-queueing it again', async () => {
    const old = new Date(Date.now() - 600_000).toISOString();
    const row = await addExportRow(env.database, {
      project_id: env.demo.projectId,
      directory_id: env.demo.defaultDirectoryId,
      status: 'running',
      claimed_by: 'dead-worker-1',
      started_time: old,
      heartbeat_time: old,
      attempt_count: 3,
    });
    const worker = await env.startWorker();
    try {
      const final = (await watchExport(env.app, 'demo', row.id)).at(-1);
      expect(final?.status).toBe('failed');
      expect(final?.status_text).toBe(
        'Export failed: the worker building it stopped 3 times before finishing (a crash or a kill). Generate it again; if it fails again, check the server log.',
      );
    } finally {
      await worker.stop();
    }
  });

  // PostgreSQL only: on SQLite one worker process is the supported setup, and a starting worker
  // re-queues every running export (see export-worker.ts).
  it.runIf(dialect === 'postgres')(
    'never lets two workers with their own connections claim the same export',
    async () => {
      const ids: number[] = [];
      for (let index = 0; index < 24; index += 1) {
        ids.push(
          (
            await requestExport(env.app, 'demo', {
              source: 'directory',
              directory_id: env.demo.defaultDirectoryId,
            })
          ).id,
        );
      }
      const connections = await Promise.all([
        openDatabase(env.database.url, { poolSize: 4 }),
        openDatabase(env.database.url, { poolSize: 4 }),
      ]);
      const loggers = [new RecordingLogger(), new RecordingLogger()];
      const workers = connections.map(
        (database, index) =>
          new ExportWorker({
            database,
            config: { ...env.config, WORKER_CONCURRENCY: 4 },
            storage: new LocalExportStorage(env.storage.root),
            workerId: `racing-worker-${index}`,
            logger: loggers[index],
          }),
      );
      try {
        await Promise.all(workers.map((worker) => worker.start()));
        const rows = await Promise.all(
          ids.map((id) =>
            untilRow(env, id, (row) => row.status === 'complete' || row.status === 'failed'),
          ),
        );
        expect(rows.map((row) => row.status)).toEqual(ids.map(() => 'complete'));
        // Each export was claimed exactly once: one attempt, by one of the two.
        expect(rows.map((row) => row.attempt_count)).toEqual(ids.map(() => 1));
        expect(
          rows.every(
            (row) => row.claimed_by === 'racing-worker-0' || row.claimed_by === 'racing-worker-1',
          ),
        ).toBe(true);
        expect(
          loggers
            .flatMap((logger) => logger.lines)
            .filter((line) => /re-queued|archived|failed/.test(line)),
        ).toEqual([]);
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
        await Promise.all(connections.map((database) => database.close()));
      }
    },
  );
});
