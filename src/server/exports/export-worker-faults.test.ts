import fs from 'node:fs';
import path from 'node:path';
import { ColumnNode, TableNode, UpdateQueryNode } from 'kysely';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Export } from '../../contract/exports.ts';
import type { AnnexDatabase, DialectName } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import { testDialects } from '../db/test-database.ts';
import { addExportRow } from '../test-utils/test-records.ts';
import { ownSessionKeyQuery } from './export-recovery.ts';
import {
  createExportTestEnv,
  exportRowOf,
  RecordingLogger,
  requestExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';
import { WorkerSession } from './export-worker-session.ts';

// Faults the export worker must ride out: a disk that fills up under the export file (ENOSPC from
// the write stream) and a database that refuses writes for a while (SQLITE_FULL, PostgreSQL 53100),
// injected into the worker's own connection only, so the app beside it keeps answering. And a
// PostgreSQL worker that crashes, whose claims another worker must recover at once.

/** What the database says when its disk is full, as each engine says it. */
function databaseDiskFull(dialect: DialectName): Error {
  if (dialect === 'sqlite')
    return new SQLite.SqliteError('database or disk is full', 'SQLITE_FULL');
  const error = new pg.DatabaseError(
    'could not extend file "base/16384/16402": No space left on device',
    0,
    'error',
  );
  error.code = '53100';
  return error;
}

/** Which UPDATEs of the export table fail: every one, or only those writing a column. */
interface FaultRule {
  /** Only UPDATEs that set this column (`status_text`: the final moves complete, fail, give up). */
  setting?: string;
  /** Only UPDATEs that do not set this column (`claimed_by`: all but a claim). */
  unless?: string;
}

/** A Kysely plugin that makes the next matching UPDATEs of the export table throw `error`. */
class ExportUpdateFaults implements KyselyPlugin {
  private remaining = 0;
  private rule: FaultRule = {};

  constructor(private readonly makeError: () => Error) {}

  /** The next `count` matching UPDATEs throw. */
  failNext(count: number, rule: FaultRule = {}): void {
    this.remaining = count;
    this.rule = rule;
  }

  /** Faults armed and not yet thrown. */
  get pending(): number {
    return this.remaining;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    if (this.remaining === 0 || !UpdateQueryNode.is(node) || !this.matches(node)) return node;
    this.remaining -= 1;
    throw this.makeError();
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }

  private matches(node: UpdateQueryNode): boolean {
    const table = node.table;
    if (table === undefined || !TableNode.is(table) || table.table.identifier.name !== 'export')
      return false;
    const sets = (column: string) =>
      (node.updates ?? []).some(
        (update) => ColumnNode.is(update.column) && update.column.column.name === column,
      );
    const { setting, unless } = this.rule;
    return (setting === undefined || sets(setting)) && (unless === undefined || !sets(unless));
  }
}

/**
 * A worker process that dies right after its claim, as far as the database can tell: from its first
 * write after claiming (the file count) every query of its connection throws, and its own session is
 * closed, as the kernel closes a killed process's sockets.
 */
class CrashAfterClaim implements KyselyPlugin {
  private crashed = false;
  /** When the crash closed the session. */
  crashedAt: Promise<number> | undefined;

  constructor(private readonly session: WorkerSession) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    const countsFiles =
      UpdateQueryNode.is(node) &&
      (node.updates ?? []).some(
        (update) =>
          ColumnNode.is(update.column) && update.column.column.name === 'file_list_length',
      );
    if (!this.crashed && countsFiles) {
      this.crashed = true;
      this.crashedAt = this.session.close().then(() => Date.now());
    }
    if (this.crashed) throw new Error('Connection terminated unexpectedly');
    return node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The export file's write stream fails with ENOSPC on its first write, as on a full disk. */
function failExportWritesWithEnospc(storageRoot: string, onFull: () => void = () => undefined) {
  const createWriteStream = fs.createWriteStream.bind(fs);
  let armed = true;
  return vi.spyOn(fs, 'createWriteStream').mockImplementation((file, options) => {
    if (!armed || typeof file !== 'string' || !file.startsWith(storageRoot))
      return createWriteStream(file, options);
    armed = false;
    const full = (callback: (error: NodeJS.ErrnoException) => void) => {
      onFull();
      const error: NodeJS.ErrnoException = new Error('ENOSPC: no space left on device, write');
      error.code = 'ENOSPC';
      error.errno = -28;
      error.syscall = 'write';
      callback(error);
    };
    // `fsync` is not in Node's type for this option, but a stream with `flush: true` calls it.
    const fullDisk = {
      open: fs.open,
      close: fs.close,
      fsync: fs.fsync,
      write: (...args: unknown[]) => full(args.at(-1) as (error: NodeJS.ErrnoException) => void),
      writev: (...args: unknown[]) => full(args.at(-1) as (error: NodeJS.ErrnoException) => void),
    };
    return createWriteStream(file, {
      ...(typeof options === 'object' ? options : {}),
      fs: fullDisk,
    });
  });
}

/** Polls the API until the export is final, or fails the test after `timeoutMs`. */
async function finalOf(env: ExportTestEnv, id: number, timeoutMs = 10_000): Promise<Export> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await env.app.inject({
      method: 'GET',
      url: `/api/v1/projects/demo/exports/${id}`,
    });
    expect(response.statusCode).toBe(200);
    const record = response.json<Export>();
    if (record.status === 'complete' || record.status === 'failed') return record;
    if (Date.now() > deadline)
      throw new Error(`export ${id} still ${record.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Polls the row until `done`, or fails the test after `timeoutMs`. */
async function untilRow(
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
function filesOf(env: ExportTestEnv, id: number): string[] {
  const tempFolder = path.join(env.storage.root, 'tmp');
  return [
    ...fs.readdirSync(env.storage.root).filter((name) => name.startsWith(`${id}-`)),
    ...fs.readdirSync(tempFolder).filter((name) => name.startsWith(`${id}.`)),
  ];
}

describe.each(testDialects)('export worker faults on %s', (dialect) => {
  let env: ExportTestEnv;
  let faults: ExportUpdateFaults;
  let faulty: AnnexDatabase;
  const demoAll = () => ({ source: 'directory', directory_id: env.demo.defaultDirectoryId });
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
      const created = await requestExport(env.app, 'demo', demoAll());
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
      const created = await requestExport(env.app, 'demo', demoAll());
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
      const created = await requestExport(env.app, 'demo', demoAll());
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

  it('takes a new export once claiming it stops failing (a few kilobytes left)', async () => {
    const logger = new RecordingLogger();
    const worker = await env.startWorker({ database: faulty, logger });
    try {
      faults.failNext(3, { setting: 'claimed_by' });
      const created = await requestExport(env.app, 'demo', demoAll());
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
      const created = await requestExport(env.app, 'demo', demoAll());
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

  it('sweeps at start the files no export owns, and keeps a complete export’s file and fresh files', async () => {
    const builder = await env.startWorker();
    const complete = await finalOf(env, (await requestExport(env.app, 'demo', demoAll())).id);
    await builder.stop();
    expect(complete.status).toBe('complete');
    const completeKey = (await exportRowOf(env, complete.id)).storage_key;

    const failedRow = await addExportRow(env.database, {
      project_id: env.demo.projectId,
      directory_id: env.demo.defaultDirectoryId,
      status: 'failed',
    });
    const long = new Date(Date.now() - 3_600_000);
    const strayFinal = path.join(env.storage.root, `${failedRow.id}-0123456789abcdef.json`);
    const strayOfCompleteExport = path.join(
      env.storage.root,
      `${complete.id}-00000000deadbeef.json`,
    );
    const strayTemp = await env.storage.newTempPath(failedRow.id, 'gone-worker-1');
    const freshTemp = await env.storage.newTempPath(failedRow.id, 'gone-worker-2');
    for (const file of [strayFinal, strayOfCompleteExport, strayTemp, freshTemp]) {
      fs.writeFileSync(file, '{"partial":');
    }
    for (const file of [strayFinal, strayOfCompleteExport, strayTemp])
      fs.utimesSync(file, long, long);

    const logger = new RecordingLogger();
    const sweeper = await env.startWorker({ logger, sweepGraceMs: 60_000 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(fs.existsSync(strayFinal)).toBe(false);
      expect(fs.existsSync(strayOfCompleteExport)).toBe(false);
      expect(fs.existsSync(strayTemp)).toBe(false);
      expect(fs.existsSync(freshTemp)).toBe(true);
      if (completeKey === null) throw new Error('the complete export has no file');
      expect(fs.existsSync(env.storage.pathOf(completeKey))).toBe(true);
      expect(logger.lines).toContain(
        `warn: annex worker ${sweeper.workerId}: removed 2 export file(s) and 1 temporary file(s) no export owns`,
      );
    } finally {
      await sweeper.stop();
      fs.rmSync(freshTemp, { force: true });
    }
  });

  // PostgreSQL only: SQLite has one worker process, and a starting worker recovers every running export.
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
        const created = await requestExport(env.app, 'demo', demoAll());
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
        const created = await requestExport(env.app, 'demo', demoAll());
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
