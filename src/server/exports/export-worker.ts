import type { ExportStatus } from '../../contract/exports.ts';
import type { AppConfig } from '../config/env.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import { sweepExportFiles } from '../storage/export-file-sweep.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import { exportStoreOf } from '../storage/storage-of-config.ts';
import { ExportBuilder } from './export-build.ts';
import type { AbortReason } from './export-build.ts';
import { ExportEvents } from './export-events.ts';
import { FinalWrites } from './export-final-writes.ts';
import type { WorkerLogger } from './export-final-writes.ts';
import type { ExportBuildMetrics } from '../metrics/annex-metrics.ts';
import { ExportRepository } from './export-repository.ts';
import { retentionScheduleFor } from './export-retention-sweep.ts';
import type { RetentionSchedule } from './export-retention-sweep.ts';
import { ExportState } from './export-state.ts';
import type { OrphanRule } from './export-recovery.ts';
import { WorkerSession } from './export-worker-session.ts';

/*
 * The export worker: builds queued exports into files, a bounded number at a time.
 *
 * It schedules; it never writes an export's status itself. Every move (claim, heartbeat, progress,
 * complete, fail, requeue, recover) is a guarded update in `export-state.ts` that says whether it
 * happened. A worker claims the oldest queued export (on PostgreSQL with FOR UPDATE SKIP LOCKED, so
 * several worker processes on one database never take the same one), writes the file to a temporary
 * name, renames it into place, and only then marks the row complete. A move that finds the export no
 * longer held (archived, cancelled, or taken over by another worker) tells the worker to stop
 * writing it; a cancel in this process tells it at once through `ExportEvents`.
 *
 * Crash recovery. A worker writes `heartbeat_time` on the exports it runs every few seconds. A running
 * export whose heartbeat is older than `staleAfterMs` belongs to a worker that died: any worker
 * re-queues it (checked at start and on every poll) and removes that worker's temporary file. On
 * SQLite, where one worker process is the supported setup, a starting worker re-queues every running
 * export at once, since no other worker can own it. An export whose worker died `maxAttempts` times
 * fails instead of looping for ever. On PostgreSQL each claim also records the worker's own session
 * (a dedicated connection, `export-worker-session.ts`); once that session is gone from
 * `pg_stat_activity` (the process crashed, its host vanished) its exports are recovered at once.
 *
 * No export stays `running` without a worker building it. The heartbeat covers only the exports this
 * worker is building (`building`). When a final write (complete, fail, requeue) fails, say with a
 * full disk, the worker retries it with backoff and stops heartbeating that export meanwhile: if the
 * write never gets through, the export goes stale and whoever can write recovers it, this worker
 * included, since its recovery vouches only for the exports it is building. A claim that fails is
 * simply tried again on the next poll.
 *
 * Files nobody owns (a kill between renaming a file into place and marking its export complete) are
 * swept at start and every few minutes (`export-file-sweep.ts`).
 *
 * A lost database (a restart, a failover) is nobody's fault: progress writes are retried for a few
 * seconds, and an export whose build still fails with a connection error is handed back to the queue
 * once the database answers again (retried until it does, or the worker stops), then built afresh.
 *
 * This module schedules (start, stop, wake, tick, claim, launch, heartbeat, recovery, sweep). The
 * building of one claimed export lives in `export-build.ts`, the retried final writes in
 * `export-final-writes.ts`, and failure wording in `export-failure.ts`; imports flow one way, from
 * here down.
 */

/** Where the worker writes what it does; re-exported since it is part of `ExportWorkerOptions`. */
export type { WorkerLogger } from './export-final-writes.ts';

/** What a worker is made of; everything but database, config and id has a default. */
export interface ExportWorkerOptions {
  /** The database the exports live in. */
  database: AnnexDatabase;
  /** WORKER_CONCURRENCY, WORKER_POLL_MS and DATA_DIR are read from it. */
  config: AppConfig;
  /** This worker's name in `claimed_by`; unique per process. */
  workerId: string;
  /** Where files go; defaults to DATA_DIR/exports. */
  storage?: ExportFileStore;
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
  /** First wait before retrying a final write the database refused; doubles up to 32× (default 500 ms). */
  finalWriteRetryMs?: number;
  /** How often unowned files in storage are swept, after the sweep at start (default 5 min). */
  sweepIntervalMs?: number;
  /** Files younger than this are never swept (default 15 min). */
  sweepGraceMs?: number;
  /**
   * PostgreSQL: the worker's own session its claims are tied to; by default one it opens on
   * DATABASE_URL and closes on stop. Null: none, claims rely on the heartbeat alone.
   */
  session?: WorkerSession | null;
  /** Told of every export this worker completes (duration and size); none by default. */
  metrics?: ExportBuildMetrics;
}

type WorkerState = 'new' | 'started' | 'stopping' | 'stopped';

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
  private readonly storage: ExportFileStore;
  private readonly events: ExportEvents;
  private readonly exports: ExportState;
  private readonly finalWrites: FinalWrites;
  private readonly builder: ExportBuilder;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly maxAttempts: number;
  private readonly logger: WorkerLogger;
  private readonly sweepIntervalMs: number;
  private readonly sweepGraceMs: number;
  private readonly recoverEveryMs: number;
  private readonly session: WorkerSession | null;
  private readonly ownsSession: boolean;
  /** Archives old exports (export-retention-sweep.ts): at start and every EXPORT_RETENTION_SWEEP_MINUTES. */
  private readonly retention: RetentionSchedule;

  private state: WorkerState = 'new';
  private readonly running = new Map<number, RunningExport>();
  /**
   * The exports this worker is building now: those it heartbeats and vouches for in recovery. A
   * subset of `running`: an export whose final write is being retried has left it.
   */
  private readonly building = new Set<number>();
  /** Aborted by stop(), to cut short a final write's wait before its next retry. */
  private readonly stopping = new AbortController();
  private startRecoveryPending = true;
  private lastSweep = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private wakeAgain = false;
  private lastStaleCheck = 0;
  private readonly onCreated = () => this.wake();
  // A cancel in this process stops the write at its next page, without waiting for a progress
  // write or heartbeat to find the export no longer held (those still catch a cancel elsewhere).
  private readonly onSettled = (id: number, status: ExportStatus) => {
    if (status === 'cancelled')
      this.running.get(id)?.controller.abort('cancelled' satisfies AbortReason);
  };

  constructor(options: ExportWorkerOptions) {
    if (!workerIdPattern.test(options.workerId)) {
      throw new Error(`A worker id is 1–80 letters, digits and '-'; got "${options.workerId}"`);
    }
    this.workerId = options.workerId;
    this.database = options.database;
    this.storage = options.storage ?? exportStoreOf(options.config);
    this.events = options.events ?? new ExportEvents();
    this.exports = new ExportState(options.database, this.events);
    this.concurrency = options.config.WORKER_CONCURRENCY;
    this.pollMs = options.config.WORKER_POLL_MS;
    this.heartbeatMs = options.heartbeatMs ?? 5000;
    this.staleAfterMs = options.staleAfterMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.logger = options.logger ?? console;
    this.finalWrites = new FinalWrites({
      exports: this.exports,
      workerId: this.workerId,
      logger: this.logger,
      retryMs: options.finalWriteRetryMs ?? 500,
      isStarted: () => this.state === 'started',
      stopSignal: this.stopping.signal,
      onRefused: (id) => this.building.delete(id),
    });
    this.builder = new ExportBuilder({
      database: options.database,
      storage: this.storage,
      repository: new ExportRepository(options.database),
      exports: this.exports,
      finalWrites: this.finalWrites,
      workerId: this.workerId,
      logger: this.logger,
      progressIntervalMs: options.progressIntervalMs ?? 500,
      pageSize: options.pageSize,
      metrics: options.metrics,
    });
    this.sweepIntervalMs = options.sweepIntervalMs ?? 5 * 60_000;
    this.sweepGraceMs = options.sweepGraceMs ?? 15 * 60_000;
    // On PostgreSQL the check for gone sessions is one cheap query; run it on every poll so a crashed
    // worker's exports are recovered within a poll, not a heartbeat.
    this.recoverEveryMs =
      options.database.dialect === 'postgres'
        ? Math.min(this.pollMs, this.heartbeatMs)
        : this.heartbeatMs;
    this.ownsSession = options.session === undefined;
    this.session =
      options.session !== undefined
        ? options.session
        : options.database.dialect === 'postgres'
          ? new WorkerSession(options.config.DATABASE_URL, this.logger)
          : null;
    if (this.staleAfterMs <= this.heartbeatMs)
      throw new Error('staleAfterMs must be longer than heartbeatMs');
    this.retention = retentionScheduleFor({
      ...options,
      storage: this.storage,
      events: this.events,
      logger: this.logger,
    });
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
    await this.storage.ensureReady();
    await this.session?.ensureOpen();
    await this.recoverAtStart();
    this.lastStaleCheck = Date.now();
    this.events.on('created', this.onCreated);
    this.events.on('settled', this.onSettled);
    this.heartbeatTimer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
    this.retention.start();
    this.wake();
  }

  /** Stops claiming, aborts the exports being built, waits for them and puts them back in the queue. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.stopping.abort();
    this.events.off('created', this.onCreated);
    this.events.off('settled', this.onSettled);
    clearTimeout(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    // The exports being built go back first: maintenance (a sweep listing a slow bucket, retention)
    // must not hold them past the shutdown's grace. A claim made by a tick still running is caught
    // by the second pass.
    const handBack = () => {
      for (const job of this.running.values())
        job.controller.abort('stopping' satisfies AbortReason);
    };
    handBack();
    await Promise.all([this.retention.stop(), this.ticking]);
    handBack();
    await Promise.all([...this.running.values()].map((job) => job.done));
    if (this.ownsSession) await this.session?.close();
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
    await this.sweepWhenDue();
    try {
      await this.session?.ensureOpen();
      if (this.startRecoveryPending) {
        await this.recoverAtStart();
      } else if (Date.now() - this.lastStaleCheck >= this.recoverEveryMs) {
        this.lastStaleCheck = Date.now();
        await this.recover('stale');
      }
      while (this.state === 'started' && this.running.size < this.concurrency) {
        // A claim that fails (a full disk) leaves the export queued; the next poll tries again.
        const row = await this.exports.claim(
          this.workerId,
          this.session?.key ?? null,
          new Set(this.running.keys()),
        );
        if (row === undefined) break;
        if (!this.isClaiming()) {
          await this.finalWrites.requeue(row.id, 'stopping');
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
    const done = this.builder
      .build(row, controller.signal, () =>
        this.running.get(row.id)?.controller.abort('lost' satisfies AbortReason),
      )
      .catch((error: unknown) =>
        this.logger.error(
          `annex worker ${this.workerId}: export ${row.id} was left in a bad state`,
          error,
        ),
      )
      .finally(() => {
        this.running.delete(row.id);
        this.building.delete(row.id);
        this.wake();
      });
    this.running.set(row.id, { controller, done });
    this.building.add(row.id);
  }

  /** Writes this worker's heartbeat on the exports it builds; aborts the ones no longer its own. */
  private async beat(): Promise<void> {
    if (this.building.size === 0) return;
    try {
      const building = [...this.building];
      const stillMine = await this.exports.heartbeat(
        this.workerId,
        building,
        this.session?.key ?? null,
      );
      for (const id of building) {
        if (!stillMine.has(id))
          this.running.get(id)?.controller.abort('lost' satisfies AbortReason);
      }
    } catch (error) {
      this.logger.error(`annex worker ${this.workerId}: could not write its heartbeat`, error);
    }
  }

  /**
   * The recovery a starting worker runs; when the database refuses it (a full disk), the worker
   * starts anyway and the next poll tries again.
   */
  private async recoverAtStart(): Promise<void> {
    try {
      await this.recover(this.database.dialect === 'sqlite' ? 'all-running' : 'stale');
      this.startRecoveryPending = false;
    } catch (error) {
      this.logger.error(
        `annex worker ${this.workerId}: could not recover exports left running; trying again shortly`,
        error,
      );
    }
  }

  /** Sweeps unowned files at the first poll and every `sweepIntervalMs`; a failure waits for the next. */
  private async sweepWhenDue(): Promise<void> {
    if (Date.now() - this.lastSweep < this.sweepIntervalMs) return;
    this.lastSweep = Date.now();
    try {
      await this.sweepFiles();
    } catch (error) {
      this.logger.error(
        `annex worker ${this.workerId}: could not sweep unowned export files; trying again later`,
        error,
      );
    }
  }

  /** Deletes files in storage that no export owns and that are older than `sweepGraceMs`. */
  async sweepFiles(): Promise<void> {
    const swept = await sweepExportFiles(this.storage, {
      graceMs: this.sweepGraceMs,
      ownersOf: (ids) => this.exports.fileOwners(ids),
    });
    const count = swept.finals.length + swept.temps.length;
    if (count > 0) {
      this.logger.warn(
        `annex worker ${this.workerId}: removed ${swept.finals.length} export file(s) and ${swept.temps.length} temporary file(s) no export owns`,
      );
    }
  }

  /**
   * Re-queues exports whose worker died (or fails them after `maxAttempts`), and removes that worker's
   * temporary files. `all-running` takes every running export not held by this worker (SQLite, at start).
   */
  private async recover(rule: OrphanRule): Promise<void> {
    const orphans = await this.exports.findOrphans(
      this.workerId,
      rule,
      this.staleAfterMs,
      this.building,
    );
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
