import type { AppConfig } from '../config/env.ts';
import { backoffDelaysMs, isConnectionError, withRetry } from '../db/connection-errors.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import { ExportStorage } from '../storage/export-storage.ts';
import { ExportEvents } from './export-events.ts';
import { exportFileName } from './export-file-name.ts';
import { EmptyExportError, writeExportFile } from './export-file-writer.ts';
import { ExportRepository } from './export-repository.ts';
import { ExportState } from './export-state.ts';
import type { OrphanRule } from './export-state.ts';
import { exportSettingsOf } from './export-settings.ts';

/*
 * The export worker: builds queued exports into files, a bounded number at a time.
 *
 * It schedules; it never writes an export's status itself. Every move (claim, heartbeat, progress,
 * complete, fail, requeue, recover) is a guarded update in `export-state.ts` that says whether it
 * happened. A worker claims the oldest queued export (on PostgreSQL with FOR UPDATE SKIP LOCKED, so
 * several worker processes on one database never take the same one), writes the file to a temporary
 * name, renames it into place, and only then marks the row complete. A move that finds the export no
 * longer held (archived, or taken over by another worker) tells the worker to stop writing it.
 *
 * Crash recovery. A worker writes `heartbeat_time` on the exports it runs every few seconds. A running
 * export whose heartbeat is older than `staleAfterMs` belongs to a worker that died: any worker
 * re-queues it (checked at start and on every poll) and removes that worker's temporary file. On
 * SQLite, where one worker process is the supported setup, a starting worker re-queues every running
 * export at once, since no other worker can own it. An export whose worker died `maxAttempts` times
 * fails instead of looping for ever.
 *
 * A lost database (a restart, a failover) is nobody's fault: progress writes are retried for a few
 * seconds, and an export whose build still fails with a connection error is handed back to the queue
 * once the database answers again (retried until it does, or the worker stops), then built afresh.
 */

/** Where the worker writes what it does; `console` by default. */
export interface WorkerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** What a worker is made of; everything but database, config and id has a default. */
export interface ExportWorkerOptions {
  /** The database the exports live in. */
  database: AnnexDatabase;
  /** WORKER_CONCURRENCY, WORKER_POLL_MS and DATA_DIR are read from it. */
  config: AppConfig;
  /** This worker's name in `claimed_by`; unique per process. */
  workerId: string;
  /** Where files go; defaults to DATA_DIR/exports. */
  storage?: ExportStorage;
  /** The in-process channel to the API (wakes the worker, tells waiting requests). */
  events?: ExportEvents;
  /** How often this worker writes its heartbeat on its running exports (default 5 s). */
  heartbeatMs?: number;
  /** A running export whose heartbeat is older than this is re-queued (default 30 s). */
  staleAfterMs?: number;
  /** Least time between two progress writes of one export (default 500 ms). */
  progressIntervalMs?: number;
  /** Files the writer reads per page; its default when omitted (tests make it small to see progress). */
  pageSize?: number;
  /** After this many crashed attempts an export fails rather than being re-queued again (default 3). */
  maxAttempts?: number;
  /** Where to log; `console` by default. */
  logger?: WorkerLogger;
}

type WorkerState = 'new' | 'started' | 'stopping' | 'stopped';

/** Why a running write was aborted. */
type AbortReason = 'stopping' | 'lost';

interface RunningExport {
  controller: AbortController;
  done: Promise<void>;
}

const workerIdPattern = /^[A-Za-z0-9-]{1,80}$/;

/** Builds queued exports into files in the background; see the module comment for the rules it keeps. */
export class ExportWorker {
  /** This worker's name in `claimed_by`. */
  readonly workerId: string;
  private readonly database: AnnexDatabase;
  private readonly storage: ExportStorage;
  private readonly events: ExportEvents;
  private readonly repository: ExportRepository;
  private readonly exports: ExportState;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly progressIntervalMs: number;
  private readonly pageSize: number | undefined;
  private readonly maxAttempts: number;
  private readonly logger: WorkerLogger;

  private state: WorkerState = 'new';
  private readonly running = new Map<number, RunningExport>();
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private wakeAgain = false;
  private lastStaleCheck = 0;
  private readonly onCreated = () => this.wake();

  constructor(options: ExportWorkerOptions) {
    if (!workerIdPattern.test(options.workerId)) {
      throw new Error(`A worker id is 1–80 letters, digits and '-'; got "${options.workerId}"`);
    }
    this.workerId = options.workerId;
    this.database = options.database;
    this.storage = options.storage ?? ExportStorage.forDataDir(options.config.DATA_DIR);
    this.events = options.events ?? new ExportEvents();
    this.repository = new ExportRepository(options.database);
    this.exports = new ExportState(options.database, this.events);
    this.concurrency = options.config.WORKER_CONCURRENCY;
    this.pollMs = options.config.WORKER_POLL_MS;
    this.heartbeatMs = options.heartbeatMs ?? 5000;
    this.staleAfterMs = options.staleAfterMs ?? 30_000;
    this.progressIntervalMs = options.progressIntervalMs ?? 500;
    this.pageSize = options.pageSize;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.logger = options.logger ?? console;
    if (this.staleAfterMs <= this.heartbeatMs)
      throw new Error('staleAfterMs must be longer than heartbeatMs');
  }

  /** False once stop() began; read after each await, since stop() may run meanwhile. */
  private isClaiming(): boolean {
    return this.state === 'started';
  }

  /** How many exports this worker is building now. */
  get activeCount(): number {
    return this.running.size;
  }

  /** Recovers exports left running by a crash, then starts claiming queued ones. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`Worker ${this.workerId} was already started`);
    this.state = 'started';
    await this.storage.ensureFolders();
    await this.recover(this.database.dialect === 'sqlite' ? 'all-running' : 'stale');
    this.lastStaleCheck = Date.now();
    this.events.on('created', this.onCreated);
    this.heartbeatTimer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
    this.wake();
  }

  /** Stops claiming, aborts the exports being built, waits for them and puts them back in the queue. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.events.off('created', this.onCreated);
    clearTimeout(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    await this.ticking;
    for (const job of this.running.values()) job.controller.abort('stopping' satisfies AbortReason);
    await Promise.all([...this.running.values()].map((job) => job.done));
    this.state = 'stopped';
  }

  /** Looks for queued exports now rather than at the next poll. */
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
    try {
      if (Date.now() - this.lastStaleCheck >= this.heartbeatMs) {
        this.lastStaleCheck = Date.now();
        await this.recover('stale');
      }
      while (this.state === 'started' && this.running.size < this.concurrency) {
        const row = await this.exports.claim(this.workerId);
        if (row === undefined) break;
        if (!this.isClaiming()) {
          await this.requeue(row.id, 'stopping');
          break;
        }
        this.launch(row);
      }
    } catch (error) {
      this.logger.error(
        `annex worker ${this.workerId}: could not look for queued exports; trying again shortly`,
        error,
      );
    }
  }

  private launch(row: ExportRow): void {
    const controller = new AbortController();
    const done = this.build(row, controller.signal)
      .catch((error: unknown) =>
        this.logger.error(
          `annex worker ${this.workerId}: export ${row.id} was left in a bad state`,
          error,
        ),
      )
      .finally(() => {
        this.running.delete(row.id);
        this.wake();
      });
    this.running.set(row.id, { controller, done });
  }

  /** Builds one claimed export; every way out leaves the row final, re-queued, or someone else's. */
  private async build(row: ExportRow, signal: AbortSignal): Promise<void> {
    const id = row.id;
    let tempPath: string | undefined;
    let selected: number | undefined;
    let lastPercent = 0;
    const abortIfLost = (stillMine: boolean) => {
      if (!stillMine) this.running.get(id)?.controller.abort('lost' satisfies AbortReason);
    };

    try {
      const exportRecord = await this.repository.toContractOne(row);
      const sourceName =
        row.source === 'task'
          ? (row.task_id ?? 'task')
          : (exportRecord[row.source]?.name ?? row.source);
      const fileName = exportFileName({
        exportId: id,
        source: row.source,
        sourceName,
        createdTime: row.created_time,
      });
      tempPath = await this.storage.newTempPath(id, this.workerId);

      // The writer awaits these hooks, so progress rows are written in order and a lost claim stops
      // the write at its next page.
      const result = await writeExportFile(
        this.database,
        {
          ...exportSettingsOf(row),
          exportId: id,
          createdTime: row.created_time,
          createdBy: row.created_by,
        },
        tempPath,
        {
          signal,
          progressIntervalMs: this.progressIntervalMs,
          ...(this.pageSize === undefined ? {} : { pageSize: this.pageSize }),
          onStart: async (fileCount) => {
            selected = fileCount;
            // Guarded writes of the same values: safe to run again after a dropped connection.
            abortIfLost(
              await withRetry(() => this.exports.recordFileCount(id, this.workerId, fileCount), {
                signal,
              }),
            );
          },
          onProgress: async (filesWritten, fileCount) => {
            // 100 is kept for the moment the file is in place and the row complete.
            const percent = Math.min(99, Math.floor((filesWritten / fileCount) * 100));
            if (percent <= lastPercent) return;
            lastPercent = percent;
            abortIfLost(
              await withRetry(() => this.exports.recordProgress(id, this.workerId, percent), {
                signal,
              }),
            );
          },
        },
      );
      signal.throwIfAborted();
      if (selected !== undefined && result.fileCount !== selected) {
        throw new Error(`it selected ${selected} files but wrote ${result.fileCount} file packets`);
      }

      const key = await this.storage.commit(tempPath, id);
      tempPath = undefined;
      const completed = await this.exports.complete(id, this.workerId, {
        fileCount: result.fileCount,
        instanceCount: result.instanceCount,
        sizeBytes: result.sizeBytes,
        sha256: result.sha256,
        fileName,
        storageKey: key,
      });
      if (!completed) {
        // Archived or taken over while it was written: the file belongs to no export.
        await this.storage.remove(key);
        this.logger.warn(
          `annex worker ${this.workerId}: export ${id} was archived or re-queued while it ran; its file was discarded`,
        );
      }
    } catch (error) {
      const reason: unknown = signal.aborted ? signal.reason : undefined;
      if (reason === 'stopping') {
        await this.requeue(id, 'stopping');
      } else if (reason === 'lost') {
        this.logger.warn(
          `annex worker ${this.workerId}: export ${id} was archived or re-queued while it ran; stopped writing it`,
        );
      } else if (isConnectionError(error)) {
        await this.handBack(id, signal, error);
      } else {
        if (!(error instanceof EmptyExportError)) {
          this.logger.error(`annex worker ${this.workerId}: export ${id} failed`, error);
        }
        await this.exports.fail(id, this.workerId, statusTextOf(error));
      }
    } finally {
      if (tempPath !== undefined) {
        await this.storage.removeTemp(tempPath).catch((error: unknown) => {
          this.logger.error(
            `annex worker ${this.workerId}: could not remove the temporary file of export ${id}`,
            error,
          );
        });
      }
    }
  }

  /** Gives an export this worker holds back to the queue and says so. */
  private async requeue(id: number, why: 'stopping'): Promise<void> {
    if (await this.exports.requeue(id, this.workerId)) {
      this.logger.info(
        `annex worker ${this.workerId}: export ${id} put back in the queue (${why})`,
      );
    }
  }

  /**
   * Gives back an export whose build lost the database connection, retrying until the database
   * answers (it must not stay `running` under a worker that no longer builds it) or the worker stops;
   * then the stale-heartbeat recovery of a worker started later takes it.
   */
  private async handBack(id: number, signal: AbortSignal, cause: unknown): Promise<void> {
    this.logger.warn(
      `annex worker ${this.workerId}: export ${id} lost its database connection (${cause instanceof Error ? cause.message : String(cause)}); handing it back to the queue once the database answers`,
    );
    try {
      const handedBack = await withRetry(() => this.exports.requeue(id, this.workerId), {
        delaysMs: backoffDelaysMs(),
        signal,
      });
      if (handedBack) {
        this.logger.info(
          `annex worker ${this.workerId}: export ${id} put back in the queue (database connection lost)`,
        );
      }
    } catch (error) {
      this.logger.error(
        `annex worker ${this.workerId}: export ${id} could not be handed back (the worker is stopping, or the database refused); it is recovered once its heartbeat is stale`,
        error,
      );
    }
  }

  /** Writes this worker's heartbeat on its exports; aborts the ones that are no longer its own. */
  private async beat(): Promise<void> {
    if (this.running.size === 0) return;
    try {
      const stillMine = await this.exports.heartbeat(this.workerId);
      for (const [id, job] of this.running) {
        if (!stillMine.has(id)) job.controller.abort('lost' satisfies AbortReason);
      }
    } catch (error) {
      this.logger.error(`annex worker ${this.workerId}: could not write its heartbeat`, error);
    }
  }

  /**
   * Re-queues exports whose worker died (or fails them after `maxAttempts`), and removes that worker's
   * temporary files. `all-running` takes every running export not held by this worker (SQLite, at start).
   */
  private async recover(rule: OrphanRule): Promise<void> {
    const orphans = await this.exports.findOrphans(this.workerId, rule, this.staleAfterMs);
    for (const orphan of orphans) {
      const movedTo = await this.exports.recover(orphan, this.maxAttempts);
      if (movedTo === undefined) continue;
      const removed =
        orphan.claimed_by !== null && workerIdPattern.test(orphan.claimed_by)
          ? await this.storage.removeTempsOf(orphan.id, orphan.claimed_by)
          : 0;
      this.logger.warn(
        `annex worker ${this.workerId}: export ${orphan.id} was left running by worker ${orphan.claimed_by ?? '(none)'}; ` +
          `${movedTo === 'failed' ? 'failed it after too many attempts' : 're-queued it'}, removed ${removed} temporary file(s)`,
      );
    }
  }
}

/** The `status_text` of a failed export: what happened and what to do, for a person. */
export function statusTextOf(error: unknown): string {
  if (error instanceof EmptyExportError) return error.message;
  return `Export failed: ${reasonOf(error)}. Generate it again; if it fails again, check the server log.`;
}

function reasonOf(error: unknown): string {
  if (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    'syscall' in error
  ) {
    // A file-system error: say what went wrong without showing the server's paths.
    if (error.code === 'ENOSPC') return "the server's disk is full";
    return `the server could not write the export file (${error.code})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().replace(/[.\s]+$/, '') || 'an unknown error';
}
