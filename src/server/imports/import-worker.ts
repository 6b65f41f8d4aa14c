import type { AppConfig } from '../config/env.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { isConnectionError } from '../db/connection-errors.ts';
import type { ImportJobRow } from '../db/schema.ts';
import type { WorkerLogger } from '../exports/export-worker.ts';
import { importUploadsOf } from '../storage/storage-of-config.ts';
import type { ImportUploadStorage } from '../storage/import-uploads.ts';
import { ImportEvents } from './import-events.ts';
import { runImportWith } from './import-pipeline.ts';
import type { ImportHooks, ImportOutcome, ImportProgress, RunImport } from './import-run.ts';
import { ImportState } from './import-state.ts';

/*
 * The import worker: claims the oldest queued import, runs it (`RunImport`, the pipeline) with the
 * upload opened once per pass, writes its progress and heartbeat, records how it ended and deletes
 * the upload once the import is final. Every status write is a guarded move of `ImportState`; this
 * module only schedules.
 *
 * One import at a time per worker: an import writes pages of thousands of rows in big transactions,
 * and two at once would only compete for the same database. Several workers (processes) share the
 * queue; a claim never hands one import to two of them.
 *
 * Imports survive a restart. A graceful stop aborts the run between pages and gives the import back
 * to the queue; a crash (or a lost database) leaves the row `running` with a heartbeat that stops,
 * and a worker (another, or this one after a restart) re-queues it once the heartbeat is older than
 * `staleAfterMs`, or fails it after `maxAttempts` claims. A re-run completes it without duplicates:
 * the pipeline matches files on their source ids.
 *
 * Uploads no import needs any more (a crash between a final write and the file's removal, or an
 * upload cut off by a crash) are swept at start and every few minutes, once older than a grace time.
 */

/** What an import worker is made of; everything but database, config and id has a default. */
export interface ImportWorkerOptions {
  /** The database imports live in. */
  database: AnnexDatabase;
  /** WORKER_POLL_MS and DATA_DIR are read from it. */
  config: AppConfig;
  /** This worker's name in `claimed_by`; unique per process. */
  workerId: string;
  /** Runs one import; the pipeline (`runImportWith`, with IMPORT_MAX_PACKET_BYTES) by default. */
  run?: RunImport;
  /** Where uploads are kept; defaults to DATA_DIR/imports. */
  uploads?: ImportUploadStorage;
  /** The in-process channel from the import routes (wakes the worker). */
  events?: ImportEvents;
  /** How often the worker writes its heartbeat on the running import (default 5 s). */
  heartbeatMs?: number;
  /** A running import whose heartbeat is older than this is re-queued (default 30 s). */
  staleAfterMs?: number;
  /** Least time between two progress writes of one stage (default 500 ms). */
  progressIntervalMs?: number;
  /** After this many claims that did not finish, an import fails instead of being re-queued (default 3). */
  maxAttempts?: number;
  /** How often uploads no import needs are swept, after the sweep at start (default 5 min). */
  sweepIntervalMs?: number;
  /** Uploads younger than this are never swept, so one still arriving is left alone (default 1 h). */
  sweepGraceMs?: number;
  /** Where to log; `console` by default. */
  logger?: WorkerLogger;
}

/** Why a run was aborted: the worker is stopping, or the import is no longer its own. */
type AbortReason = 'stopping' | 'lost';

interface CurrentImport {
  id: number;
  controller: AbortController;
  done: Promise<void>;
}

type WorkerState = 'new' | 'started' | 'stopping' | 'stopped';

const workerIdPattern = /^[A-Za-z0-9-]{1,80}$/;

/** Runs queued imports in the background; see the module comment for the rules it keeps. */
export class ImportWorker {
  /** This worker's name in `claimed_by`. */
  readonly workerId: string;
  private readonly database: AnnexDatabase;
  private readonly run: RunImport;
  private readonly uploads: ImportUploadStorage;
  private readonly events: ImportEvents;
  private readonly imports: ImportState;
  private readonly pollMs: number;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly progressIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly sweepIntervalMs: number;
  private readonly sweepGraceMs: number;
  private readonly logger: WorkerLogger;

  private state: WorkerState = 'new';
  private current: CurrentImport | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private wakeAgain = false;
  private lastRecovery = 0;
  private lastSweep = 0;
  private readonly onQueued = () => this.wake();

  constructor(options: ImportWorkerOptions) {
    if (!workerIdPattern.test(options.workerId)) {
      throw new Error(`A worker id is 1–80 letters, digits and '-'; got "${options.workerId}"`);
    }
    this.workerId = options.workerId;
    this.database = options.database;
    const maxPacketBytes = options.config.IMPORT_MAX_PACKET_BYTES;
    this.run = options.run ?? ((...args) => runImportWith({ maxPacketBytes }, ...args));
    this.uploads = options.uploads ?? importUploadsOf(options.config);
    this.events = options.events ?? new ImportEvents();
    this.imports = new ImportState(options.database, this.events);
    this.pollMs = options.config.WORKER_POLL_MS;
    this.heartbeatMs = options.heartbeatMs ?? 5000;
    this.staleAfterMs = options.staleAfterMs ?? 30_000;
    this.progressIntervalMs = options.progressIntervalMs ?? 500;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 5 * 60_000;
    this.sweepGraceMs = options.sweepGraceMs ?? 60 * 60_000;
    this.logger = options.logger ?? console;
    if (this.staleAfterMs <= this.heartbeatMs)
      throw new Error('staleAfterMs must be longer than heartbeatMs');
  }

  /** False once stop() began; read after each await, since stop() may run meanwhile. */
  private isClaiming(): boolean {
    return this.state === 'started';
  }

  /** The import this worker is running now, if any. */
  get runningImportId(): number | undefined {
    return this.current?.id;
  }

  /** Starts claiming queued imports; stale ones are recovered and old uploads swept at the first poll. */
  start(): void {
    if (this.state !== 'new') throw new Error(`Worker ${this.workerId} was already started`);
    this.state = 'started';
    this.events.on('queued', this.onQueued);
    this.heartbeatTimer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
    this.wake();
  }

  /** Stops claiming, aborts the running import, waits for it and gives it back to the queue. */
  async stop(): Promise<void> {
    if (this.state === 'new' || this.state === 'stopped') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.events.off('queued', this.onQueued);
    clearTimeout(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    await this.ticking;
    const current = this.current;
    if (current !== undefined) {
      current.controller.abort('stopping' satisfies AbortReason);
      await current.done;
    }
    this.state = 'stopped';
  }

  /** Looks for a queued import now rather than at the next poll. */
  wake(): void {
    if (this.state !== 'started') return;
    if (this.ticking !== undefined) {
      this.wakeAgain = true;
      return;
    }
    clearTimeout(this.pollTimer);
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (this.state !== 'started') return;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      } else {
        this.pollTimer = setTimeout(() => this.wake(), this.pollMs);
      }
    });
  }

  private async tick(): Promise<void> {
    await this.sweepWhenDue();
    try {
      if (Date.now() - this.lastRecovery >= this.heartbeatMs) {
        await this.recoverStale();
        this.lastRecovery = Date.now();
      }
      if (this.current !== undefined || !this.isClaiming()) return;
      const row = await this.imports.claim(this.workerId);
      if (row === undefined) return;
      if (!this.isClaiming()) {
        await this.imports.requeue(row.id, this.workerId);
        return;
      }
      this.launch(row);
    } catch (error) {
      this.logger.error(
        `annex import worker ${this.workerId}: could not look for queued imports; trying again shortly`,
        error,
      );
    }
  }

  private launch(row: ImportJobRow): void {
    const controller = new AbortController();
    const done = this.runClaimed(row, controller)
      .catch((error: unknown) =>
        // A final write the database refused: the row stays running, goes stale and is recovered.
        this.logger.error(
          `annex import worker ${this.workerId}: could not record how import ${row.id} ended; it will be recovered`,
          error,
        ),
      )
      .finally(() => {
        this.current = undefined;
        this.wake();
      });
    this.current = { id: row.id, controller, done };
  }

  /** Runs one claimed import to its end and records it; see the module comment. */
  private async runClaimed(row: ImportJobRow, controller: AbortController): Promise<void> {
    const { id } = row;
    const key = row.upload_key;
    if (key === null || !(await this.uploads.exists(key))) {
      await this.imports.fail(
        id,
        this.workerId,
        'Import failed: its uploaded file is no longer on the server (DATA_DIR/imports was emptied or moved). Upload the file again.',
      );
      return;
    }
    const lose = () => controller.abort('lost' satisfies AbortReason);
    let lastStage: ImportProgress['stage'] | undefined;
    let lastWrite = 0;
    const hooks: ImportHooks = {
      signal: controller.signal,
      onProgress: async (progress) => {
        // A new stage is always written, so the panel never shows `validating` at 60 % of writing.
        const now = Date.now();
        if (progress.stage === lastStage && now - lastWrite < this.progressIntervalMs) return;
        lastStage = progress.stage;
        lastWrite = now;
        if (!(await this.imports.recordProgress(id, this.workerId, progress))) lose();
      },
      onDirectory: async (directoryId) => {
        if (!(await this.imports.recordDirectory(id, this.workerId, directoryId))) lose();
      },
    };
    let outcome: ImportOutcome;
    try {
      outcome = await this.run(
        this.database,
        {
          importId: id,
          projectId: row.project_id,
          directoryName: row.directory_name,
          onError: row.on_error,
        },
        () => this.uploads.openRead(key),
        row.size_bytes,
        hooks,
      );
    } catch (error) {
      await this.afterThrow(row, key, controller.signal, error);
      return;
    }
    if (controller.signal.reason === ('lost' satisfies AbortReason)) return;
    if (await this.imports.finish(id, this.workerId, outcome)) await this.uploads.remove(key);
  }

  /** A run that threw: given back (stopping), left (lost, or the database is gone), or failed. */
  private async afterThrow(
    row: ImportJobRow,
    key: string,
    signal: AbortSignal,
    error: unknown,
  ): Promise<void> {
    const reason = signal.aborted ? (signal.reason as AbortReason) : undefined;
    if (reason === 'stopping') {
      await this.imports.requeue(row.id, this.workerId);
      return;
    }
    if (reason === 'lost') {
      this.logger.warn(
        `annex import worker ${this.workerId}: import ${row.id} was taken from this worker while it ran; stopped running it`,
      );
      return;
    }
    if (isConnectionError(error)) {
      // Nothing can be written now; the heartbeat stops with the run, so the row goes stale and
      // is re-queued (and re-run without duplicates) once the database answers again.
      this.logger.error(
        `annex import worker ${this.workerId}: lost the database while running import ${row.id}; it will be re-queued`,
        error,
      );
      return;
    }
    this.logger.error(`annex import worker ${this.workerId}: import ${row.id} failed`, error);
    const failed = await this.imports.fail(
      row.id,
      this.workerId,
      'Import failed: an unexpected error on the server stopped it (the server log has the details). What was written stays; import the same file again into the same directory to complete it without duplicates.',
    );
    if (failed) await this.uploads.remove(key);
  }

  /** Writes the heartbeat of the running import; aborts it when it is no longer this worker's. */
  private async beat(): Promise<void> {
    const current = this.current;
    if (current === undefined) return;
    try {
      if (!(await this.imports.heartbeat(current.id, this.workerId)))
        current.controller.abort('lost' satisfies AbortReason);
    } catch (error) {
      this.logger.error(
        `annex import worker ${this.workerId}: could not write its heartbeat`,
        error,
      );
    }
  }

  /** Re-queues imports whose worker stopped beating (or fails them after `maxAttempts`). */
  private async recoverStale(): Promise<void> {
    const running = new Set(this.current === undefined ? [] : [this.current.id]);
    for (const stale of await this.imports.findStale(this.workerId, this.staleAfterMs, running)) {
      const movedTo = await this.imports.recover(stale, this.maxAttempts);
      if (movedTo === undefined) continue;
      if (movedTo === 'failed' && stale.upload_key !== null)
        await this.uploads.remove(stale.upload_key);
      this.logger.warn(
        `annex import worker ${this.workerId}: import ${stale.id} was left running by worker ${stale.claimed_by ?? '(none)'}; ` +
          (movedTo === 'failed' ? 'failed it after too many attempts' : 're-queued it'),
      );
    }
  }

  /** Sweeps uploads at the first poll and every `sweepIntervalMs`; a failure waits for the next. */
  private async sweepWhenDue(): Promise<void> {
    if (this.lastSweep !== 0 && Date.now() - this.lastSweep < this.sweepIntervalMs) return;
    this.lastSweep = Date.now();
    try {
      await this.sweepUploads();
    } catch (error) {
      this.logger.error(
        `annex import worker ${this.workerId}: could not sweep unneeded uploads; trying again later`,
        error,
      );
    }
  }

  /** Deletes uploads older than `sweepGraceMs` that no queued or running import names. */
  async sweepUploads(): Promise<number> {
    const before = Date.now() - this.sweepGraceMs;
    const old = (await this.uploads.list()).filter(
      (listing) => listing.modifiedTime.getTime() < before,
    );
    const inUse = await this.imports.keysInUse(
      old.filter((listing) => !listing.temporary).map((listing) => listing.name),
    );
    const unneeded = old.filter((listing) => listing.temporary || !inUse.has(listing.name));
    for (const listing of unneeded) await this.uploads.removeListed(listing);
    if (unneeded.length > 0)
      this.logger.warn(
        `annex import worker ${this.workerId}: removed ${unneeded.length} upload(s) no import needs`,
      );
    return unneeded.length;
  }
}
