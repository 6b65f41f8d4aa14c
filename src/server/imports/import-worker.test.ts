import fs from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/env.ts';
import type { AppConfig } from '../config/env.ts';
import type { ImportJobRow } from '../db/schema.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { LocalImportUploads } from '../storage/import-uploads.ts';
import { createTestDataDir } from '../test-utils/test-app.ts';
import { addProject } from '../test-utils/test-records.ts';
import { ImportEvents } from './import-events.ts';
import { problemsOf } from './import-repository.ts';
import type { RunImport } from './import-run.ts';
import { ImportState } from './import-state.ts';
import {
  directoryRunner,
  hangingRunner,
  RecordingLogger,
  refusingRunner,
  throwingRunner,
} from './import-test-runners.ts';
import { ImportWorker } from './import-worker.ts';
import type { ImportWorkerOptions } from './import-worker.ts';

// The import worker on the queue: it runs queued imports to their end, records how they ended and
// removes their uploads; a stopped worker gives its import back and another completes it; an import
// left running by a dead worker is recovered (or given up after too many attempts).

const file = JSON.stringify({
  export_info: {},
  '21': { file: { id: 21 } },
  '22': { file: { id: 22 } },
  '23': { file: { id: 23 } },
});

describe.each(testDialects)('import worker on %s', (dialect) => {
  let database: TestDatabase;
  let dataDir: string;
  let config: AppConfig;
  let uploads: LocalImportUploads;
  let events: ImportEvents;
  let state: ImportState;
  let projectId: number;
  const workers: ImportWorker[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    dataDir = createTestDataDir();
    config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: database.url, WORKER_POLL_MS: '50' });
    uploads = LocalImportUploads.forDataDir(dataDir);
    events = new ImportEvents();
    state = new ImportState(database, events);
    projectId = await addProject(database, 'imports', 'Imports');
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A started worker (stopped after the test) running `run`. */
  function startWorker(
    workerId: string,
    run: RunImport,
    options: Partial<ImportWorkerOptions> = {},
  ): ImportWorker {
    const worker = new ImportWorker({
      database,
      config,
      workerId,
      run,
      uploads,
      events,
      logger: new RecordingLogger(),
      heartbeatMs: 100,
      staleAfterMs: 1000,
      ...options,
    });
    workers.push(worker);
    worker.start();
    return worker;
  }

  /** Stores `file` as an upload and queues its import into `directory`; returns the row. */
  async function queueImport(directory: string, onError: 'fail' | 'skip' = 'fail') {
    const stored = await uploads.store(Readable.from([Buffer.from(file)]));
    return state.queue({
      project_id: projectId,
      directory_name: directory,
      on_error: onError,
      upload_key: stored.key,
      original_filename: 'file.json',
      size_bytes: stored.sizeBytes,
      created_by: 'ada@example.com',
      created_by_user_id: null,
      created_time: new Date().toISOString(),
    });
  }

  async function rowOf(id: number): Promise<ImportJobRow> {
    return database.db
      .selectFrom('import_job')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  async function untilRow(id: number, done: (row: ImportJobRow) => boolean) {
    for (;;) {
      const row = await rowOf(id);
      if (done(row)) return row;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const isFinal = (row: ImportJobRow) => row.status === 'complete' || row.status === 'failed';

  async function directoryNamed(name: string) {
    return database.db
      .selectFrom('directory')
      .select('id')
      .where('project_id', '=', projectId)
      .where('nickname', '=', name)
      .executeTakeFirst();
  }

  it('runs a queued import to complete: progress per stage on the way, counts and directory at the end, the upload removed', async () => {
    const seen: { stage: string | null; percent: number }[] = [];
    // The real runner, reading the row back after each progress it reports.
    const watching: RunImport = (db, spec, open, size, hooks) =>
      directoryRunner(db, spec, open, size, {
        ...hooks,
        onProgress: async (progress) => {
          await hooks?.onProgress?.(progress);
          const row = await rowOf(spec.importId);
          seen.push({ stage: row.stage, percent: row.percent_complete });
        },
      });
    const queued = await queueImport('Incoming');
    startWorker('runner', watching);
    const row = await untilRow(queued.id, isFinal);

    const directory = await directoryNamed('Incoming');
    expect(row).toMatchObject({
      status: 'complete',
      status_text: null,
      stage: null,
      percent_complete: 100,
      directory_id: directory?.id,
      packet_count: 3,
      files_created: 3,
      upload_key: null,
      claimed_by: 'runner',
      attempt_count: 1,
    });
    expect(row.finished_time).not.toBeNull();
    expect(seen).toEqual([
      { stage: 'validating', percent: 40 },
      { stage: 'writing', percent: 99 },
    ]);
    await untilGone(queued.upload_key);
  });

  it('starts a queued import at once when told, not at its next poll', async () => {
    startWorker('sleepy', directoryRunner, {
      config: { ...config, WORKER_POLL_MS: 60_000 },
    });
    // Let the first poll find nothing, so only the event can start the import.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const queued = await queueImport('Woken');
    expect((await untilRow(queued.id, isFinal)).status).toBe('complete');
  });

  it('runs the pipeline with IMPORT_MAX_PACKET_BYTES: an upload stored with a larger packet fails, naming it', async () => {
    // Stored before the limit (the route's check would refuse it now).
    const big = JSON.stringify({
      label_map: {},
      '21': { file: { id: 21 }, note: 'x'.repeat(2000) },
    });
    const stored = await uploads.store(Readable.from([Buffer.from(big)]));
    const queued = await state.queue({
      project_id: projectId,
      directory_name: 'Too big',
      on_error: 'skip',
      upload_key: stored.key,
      original_filename: 'big.json',
      size_bytes: stored.sizeBytes,
      created_by: 'ada@example.com',
      created_by_user_id: null,
      created_time: new Date().toISOString(),
    });
    startWorker('pipeline', directoryRunner, {
      run: undefined,
      config: { ...config, IMPORT_MAX_PACKET_BYTES: 1024 },
    });
    const row = await untilRow(queued.id, isFinal);
    expect(row.status).toBe('failed');
    expect(row.status_text).toContain(
      'packet 21 is over 1 KiB, the most a packet may be; split the file or raise IMPORT_MAX_PACKET_BYTES',
    );
    expect(await directoryNamed('Too big')).toBeUndefined();
  });

  it('records a failed outcome with its reason, counts and problems, and removes the upload', async () => {
    const queued = await queueImport('Refused');
    startWorker('refuser', refusingRunner);
    const row = await untilRow(queued.id, isFinal);
    expect(row).toMatchObject({
      status: 'failed',
      status_text: 'Import failed: 1 packet is not valid; nothing was written.',
      packet_count: 3,
      error_count: 1,
      upload_key: null,
    });
    expect(problemsOf(row.errors)).toEqual([
      { packet: '21', path: 'instance_list[3] › x_max', message: 'expected a number' },
    ]);
    await untilGone(queued.upload_key);
  });

  it('fails an import whose run throws with words a person can act on, keeping the directory it made', async () => {
    const queued = await queueImport('Broken');
    const logger = new RecordingLogger();
    startWorker('thrower', throwingRunner, { logger });
    const row = await untilRow(queued.id, isFinal);
    expect(row.status).toBe('failed');
    expect(row.status_text).toMatch(/unexpected error.*server log.*import the same file again/);
    expect(row.directory_id).toBe((await directoryNamed('Broken'))?.id);
    expect(logger.lines).toContain(
      `error: annex import worker thrower: import ${queued.id} failed`,
    );
    await untilGone(queued.upload_key);
  });

  it('fails an import whose upload is gone, saying to upload it again', async () => {
    const queued = await queueImport('Vanished');
    await uploads.remove(queued.upload_key ?? '');
    startWorker('finder', directoryRunner);
    const row = await untilRow(queued.id, isFinal);
    expect(row.status).toBe('failed');
    expect(row.status_text).toMatch(/no longer on the server.*Upload the file again/);
    expect(await directoryNamed('Vanished')).toBeUndefined();
  });

  it('gives its import back to the queue when stopped mid-import, and another worker completes it', async () => {
    const queued = await queueImport('Restarted', 'skip');
    const hanging = hangingRunner();
    const first = startWorker('stopping', hanging.run);
    expect(await hanging.started).toBe(queued.id);
    expect(await rowOf(queued.id)).toMatchObject({ status: 'running', stage: 'validating' });

    await first.stop();
    expect(await rowOf(queued.id)).toMatchObject({
      status: 'queued',
      claimed_by: null,
      stage: null,
      percent_complete: 0,
      attempt_count: 0,
      upload_key: queued.upload_key,
    });
    expect(await uploads.exists(queued.upload_key ?? '')).toBe(true);

    startWorker('successor', directoryRunner);
    expect(await untilRow(queued.id, isFinal)).toMatchObject({
      status: 'complete',
      claimed_by: 'successor',
      files_created: 3,
      attempt_count: 1,
    });
  });

  it('recovers an import left running by a worker that died, and completes it', async () => {
    const queued = await queueImport('Orphaned');
    expect((await state.claim('crashed-worker'))?.id).toBe(queued.id);
    await database.db
      .updateTable('import_job')
      .set({ heartbeat_time: new Date(Date.now() - 60_000).toISOString(), stage: 'writing' })
      .where('id', '=', queued.id)
      .execute();
    const logger = new RecordingLogger();
    startWorker('rescuer', directoryRunner, { logger });
    expect(await untilRow(queued.id, isFinal)).toMatchObject({
      status: 'complete',
      claimed_by: 'rescuer',
      attempt_count: 2,
      files_created: 3,
    });
    expect(logger.lines).toContain(
      `warn: annex import worker rescuer: import ${queued.id} was left running by worker crashed-worker; re-queued it`,
    );
  });

  it('leaves a live worker’s import alone: another worker does not take it', async () => {
    const queued = await queueImport('Busy');
    const hanging = hangingRunner();
    startWorker('busy', hanging.run);
    await hanging.started;
    startWorker('idle', directoryRunner);
    // Several heartbeats and recoveries later, the import is still the busy worker's.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await rowOf(queued.id)).toMatchObject({ status: 'running', claimed_by: 'busy' });
    // Stopped, it goes back and the idle worker completes it.
    await workers[0]?.stop();
    expect(await untilRow(queued.id, isFinal)).toMatchObject({
      status: 'complete',
      claimed_by: 'idle',
    });
  });

  it('gives up on an import that cost too many workers, with a clear reason, and removes its upload', async () => {
    const queued = await queueImport('Cursed');
    await state.claim('crashed-3');
    await database.db
      .updateTable('import_job')
      .set({ heartbeat_time: new Date(Date.now() - 60_000).toISOString(), attempt_count: 3 })
      .where('id', '=', queued.id)
      .execute();
    startWorker('judge', directoryRunner, { maxAttempts: 3 });
    const row = await untilRow(queued.id, isFinal);
    expect(row.status).toBe('failed');
    expect(row.status_text).toMatch(/stopped 3 times before finishing/);
    await untilGone(queued.upload_key);
    expect(await directoryNamed('Cursed')).toBeUndefined();
  });

  it('stops running an import taken from it, and writes nothing over its new holder', async () => {
    const queued = await queueImport('Taken');
    const hanging = hangingRunner();
    startWorker('loser', hanging.run);
    await hanging.started;
    await database.db
      .updateTable('import_job')
      .set({ claimed_by: 'new-holder' })
      .where('id', '=', queued.id)
      .execute();
    // The next heartbeat finds it gone and aborts the run; nothing the run ends with is written.
    await until(() => workers[0]?.runningImportId === undefined);
    expect(await rowOf(queued.id)).toMatchObject({ status: 'running', claimed_by: 'new-holder' });
    await database.db
      .updateTable('import_job')
      .set({ status: 'failed', upload_key: null })
      .where('id', '=', queued.id)
      .execute();
  });

  it('sweeps old uploads no import needs, and keeps the ones queued imports name and recent ones', async () => {
    const needed = await queueImport('Needed');
    // Queued, and no worker runs while the sweep is tested: its upload must stay.
    const orphan = await uploads.store(Readable.from([Buffer.from('{}')]));
    const recent = await uploads.store(Readable.from([Buffer.from('{}')]));
    await uploads.ensureFolders();
    const tempName = `${'c'.repeat(32)}.part`;
    const tempPath = `${uploads.root}/tmp/${tempName}`;
    fs.writeFileSync(tempPath, '{"half');
    const old = new Date(Date.now() - 2 * 60 * 60_000);
    for (const target of [
      uploads.pathOf(needed.upload_key ?? ''),
      uploads.pathOf(orphan.key),
      tempPath,
    ])
      fs.utimesSync(target, old, old);

    const worker = new ImportWorker({
      database,
      config,
      workerId: 'sweeper',
      run: directoryRunner,
      uploads,
      logger: new RecordingLogger(),
    });
    expect(await worker.sweepUploads()).toBe(2);
    expect(await uploads.exists(orphan.key)).toBe(false);
    expect(fs.existsSync(tempPath)).toBe(false);
    expect(await uploads.exists(needed.upload_key ?? '')).toBe(true);
    expect(await uploads.exists(recent.key)).toBe(true);
    await uploads.remove(recent.key);
    await database.db
      .updateTable('import_job')
      .set({ status: 'failed', upload_key: null })
      .where('id', '=', needed.id)
      .execute();
  });

  /** Waits until an upload is removed (just after its import's final write). */
  async function untilGone(key: string | null): Promise<void> {
    while (await uploads.exists(key ?? '')) await new Promise((resolve) => setTimeout(resolve, 10));
  }
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
