import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { isFinalStatus } from '../../contract/exports.ts';
import type { Export } from '../../contract/exports.ts';
import type { AppConfig } from '../config/env.ts';
import type { AnnexDatabase, DialectName } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import type { TestDatabase } from '../db/test-database.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import { LocalExportStorage } from '../storage/local-export-storage.ts';
import { createTestApp, createTestDataDir, testLinkSecret } from '../test-utils/test-app.ts';
import { addDirectory, addImages, addJob, addProject } from '../test-utils/test-records.ts';
import { LinkSigner } from './download-links.ts';
import { ExportEvents } from './export-events.ts';
import { createDemoDatabase } from './export-file-fixtures.ts';
import { ExportWorker } from './export-worker.ts';
import type { ExportWorkerOptions, WorkerLogger } from './export-worker.ts';

// What the export tests share: a fresh database with the demo project, a temporary DATA_DIR, the
// app on it, and workers started on demand. Everything is real; only sizes and intervals are small.

/** A worker logger that keeps what it was told, for tests to read. */
export class RecordingLogger implements WorkerLogger {
  /** Every line, prefixed by its level. */
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  error(message: string, error?: unknown): void {
    this.lines.push(`error: ${message}${error instanceof Error ? `: ${error.message}` : ''}`);
  }
}

/** One test file's world. */
export interface ExportTestEnv {
  /** The engine under test. */
  dialect: DialectName;
  /** The fresh database. */
  database: TestDatabase;
  /** The temporary DATA_DIR. */
  dataDir: string;
  /** The configuration app and workers run with. */
  config: AppConfig;
  /** What the demo seed made. */
  demo: DemoProjectSummary;
  /** DATA_DIR/exports (where files go unless the env was made with another `store`). */
  storage: LocalExportStorage;
  /** The storage the app and workers use: `storage`, or the one given (an S3 bucket). */
  store: ExportFileStore;
  /** The channel between the app and in-process workers. */
  events: ExportEvents;
  /** The app's link signer (tests sign old links with it). */
  linkSigner: LinkSigner;
  /** The app, for `inject`: requests act as the test instance admin unless they send credentials. */
  app: FastifyInstance;
  /** The same app with no default credentials. */
  anonymousApp: FastifyInstance;
  /** Starts a worker on this database and DATA_DIR; closed with the env. */
  startWorker(options?: Partial<ExportWorkerOptions>): Promise<ExportWorker>;
  /** Stops every worker started so far (exports asked for now stay queued). */
  stopWorkers(): Promise<void>;
  /** How many started workers are running. */
  workerCount(): number;
  /** Stops workers, closes the app and drops database and DATA_DIR. */
  close(): Promise<void>;
}

let workerCounter = 0;

/** Builds an env: demo project seeded, app built, no worker running yet. */
export async function createExportTestEnv(
  dialect: DialectName,
  env: Record<string, string> = {},
  options: { store?: ExportFileStore } = {},
): Promise<ExportTestEnv> {
  const { database, demo } = await createDemoDatabase(dialect);
  const dataDir = createTestDataDir();
  const storage = LocalExportStorage.forDataDir(dataDir);
  const store = options.store ?? storage;
  const events = new ExportEvents();
  const built = await createTestApp(database, {
    dataDir,
    env: { WORKER_POLL_MS: '50', WAIT_TIMEOUT_SECONDS: '30', ...env },
    deps: { storage: store, exportEvents: events },
  });
  const { app, config } = built;
  // The same secret as the app's, so tests can sign links (old ones, say) the app accepts.
  const linkSigner = new LinkSigner(testLinkSecret, config.LINK_TTL_MINUTES);
  const workers: ExportWorker[] = [];

  return {
    dialect,
    database,
    dataDir,
    config,
    demo,
    storage,
    store,
    events,
    linkSigner,
    app,
    anonymousApp: built.anonymousApp,
    async startWorker(options = {}) {
      workerCounter += 1;
      const worker = new ExportWorker({
        database,
        config,
        storage: store,
        events,
        workerId: `test-worker-${process.pid}-${workerCounter}`,
        heartbeatMs: 200,
        staleAfterMs: 1000,
        progressIntervalMs: 0,
        logger: new RecordingLogger(),
        ...options,
      });
      workers.push(worker);
      await worker.start();
      return worker;
    },
    async stopWorkers() {
      await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    },
    workerCount() {
      return workers.length;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.stop()));
      await built.close();
      await database.drop();
    },
  };
}

/** Polls `GET /:id` until the export is final; returns every state seen on the way, the last one final. */
export async function watchExport(
  app: FastifyInstance,
  project: string,
  id: number,
): Promise<Export[]> {
  const seen: Export[] = [];
  for (;;) {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/projects/${project}/exports/${id}`,
    });
    if (response.statusCode !== 200)
      throw new Error(`GET export ${id} answered ${response.statusCode}: ${response.body}`);
    const record = response.json<Export>();
    seen.push(record);
    if (isFinalStatus(record.status)) return seen;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The create body of an export of the demo's default directory, with the API's defaults. */
export function defaultDirectoryExport(env: ExportTestEnv): Record<string, unknown> {
  return { source: 'directory', directory_id: env.demo.defaultDirectoryId };
}

/** Asks for an export through the API and returns it (expects 202). */
export async function requestExport(
  app: FastifyInstance,
  project: string,
  body: Record<string, unknown>,
): Promise<Export> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/projects/${project}/exports`,
    payload: body,
  });
  if (response.statusCode !== 202)
    throw new Error(`POST export answered ${response.statusCode}: ${response.body}`);
  return response.json<Export>();
}

/** The records of a second project, `other`, that exports of the demo project must not reach. */
export interface OtherProject {
  /** Its directory "Elsewhere", holding its one file. */
  directoryId: number;
  /** Its job "Other job". */
  jobId: number;
  /** The job's one (complete) task. */
  taskId: number;
}

/** Adds a second project, `other`, with a directory, a job and a task of its own. */
export async function addOtherProject(database: AnnexDatabase): Promise<OtherProject> {
  const projectId = await addProject(database, 'other', 'Other');
  const [fileId] = await addImages(database, projectId, 1, true, { nameOf: () => 'other.jpg' });
  if (fileId === undefined) throw new Error('addImages added no file');
  const directoryId = await addDirectory(database, projectId, 'Elsewhere', [fileId]);
  const { jobId, taskIds } = await addJob(database, projectId, 'Other job', [[fileId, 'complete']]);
  const [taskId] = taskIds;
  if (taskId === undefined) throw new Error('addJob added no task');
  return { directoryId, jobId, taskId };
}

/** Builds an env and starts one worker on it, for tests that need exports built. */
export async function createExportTestEnvWithWorker(dialect: DialectName): Promise<ExportTestEnv> {
  const env = await createExportTestEnv(dialect);
  await env.startWorker();
  return env;
}

/** An export's row as stored, archived or not (columns the API does not show: claims, storage key). */
export async function exportRowOf(env: ExportTestEnv, id: number): Promise<ExportRow> {
  return env.database.db
    .selectFrom('export')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** Where a complete export's file is on disk. */
export async function exportFilePathOf(env: ExportTestEnv, id: number): Promise<string> {
  const { storage_key: key } = await exportRowOf(env, id);
  if (key === null) throw new Error(`export ${id} has no file`);
  return env.storage.pathOf(key);
}

/** Polls the API until the export is final, or fails the test after `timeoutMs`. */
export async function finalOf(env: ExportTestEnv, id: number, timeoutMs = 10_000): Promise<Export> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await env.app.inject({
      method: 'GET',
      url: `/api/v1/projects/demo/exports/${id}`,
    });
    expect(response.statusCode).toBe(200);
    const record = response.json<Export>();
    if (isFinalStatus(record.status)) return record;
    if (Date.now() > deadline)
      throw new Error(`export ${id} still ${record.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Polls the row until `done`, or fails the test after `timeoutMs`. */
export async function untilRow(
  env: ExportTestEnv,
  id: number,
  done: (row: ExportRow) => boolean,
  timeoutMs = 10_000,
): Promise<ExportRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await exportRowOf(env, id);
    if (done(row)) return row;
    if (Date.now() > deadline)
      throw new Error(`export ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The files of an export in storage: finished ones and temporary ones. */
export function filesOf(env: ExportTestEnv, id: number): string[] {
  const tempFolder = path.join(env.storage.root, 'tmp');
  return [
    ...fs.readdirSync(env.storage.root).filter((name) => name.startsWith(`${id}-`)),
    ...fs.readdirSync(tempFolder).filter((name) => name.startsWith(`${id}.`)),
  ];
}
