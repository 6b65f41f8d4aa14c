import { recordAudit, retentionActor } from '../audit/audit-log.ts';
import type { AppConfig } from '../config/env.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { MaintenanceLease } from '../db/maintenance-lease.ts';
import type { ExportRow } from '../db/schema.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import { archiveExport, ArchivedFileNotDeletedError } from './export-archive.ts';
import type { ExportEvents } from './export-events.ts';
import type { WorkerLogger } from './export-final-writes.ts';
import {
  isRetentionOn,
  retentionArchiveCondition,
  retentionCandidateColumns,
  RetentionJudge,
  retentionPolicyOf,
} from './export-retention.ts';
import type { RetentionPolicy, RetentionReason, RetentionVerdict } from './export-retention.ts';
import { ExportState } from './export-state.ts';

/*
 * The retention sweep: archives what the retention rules (export-retention.ts) say is old, through
 * the one archiving path (export-archive.ts: the row, then its file), and writes each archive to the
 * audit trail as done by retention, with why.
 *
 * One sweep at a time across every process: a sweep first takes the `export-retention` lease
 * (db/maintenance-lease.ts); a worker that finds it held skips its turn. The holder renews the lease
 * after every batch and releases it at the end; should it crash, the lease runs out after `leaseMs`
 * and the next sweep anywhere takes over. A holder that finds at its renewal that its lease is gone
 * (it stalled longer than `leaseMs` and another took over) stops there. Until then the two may
 * overlap for one batch, which costs nothing but time: each archive is one guarded statement
 * (`archived = 0`), so an export is archived, and audited, once.
 *
 * Batches: projects are read `projectBatchSize` at a time, and each project's listed exports newest
 * first `batchSize` at a time (the `(project_id, archived, id)` index), so a project with 100,000
 * old exports is never loaded at once. An export whose archive finds it changed meanwhile (archived by
 * a user, or the complete export its source keeps archived) is left for the next sweep.
 *
 * Workers schedule it (`RetentionSchedule`): at start and every EXPORT_RETENTION_SWEEP_MINUTES.
 */

/** The lease every process's sweep takes. */
export const retentionLeaseName = 'export-retention';

/** What a sweep is made of. */
export interface RetentionSweepOptions {
  /** The database the exports and the lease live in. */
  database: AnnexDatabase;
  /** Where archived exports' files are deleted from. */
  storage: ExportFileStore;
  /** Tells this process's listeners (waiting requests) an export settled. */
  events: ExportEvents;
  /** What to archive. */
  policy: RetentionPolicy;
  /** Who sweeps: the worker id, unique per process (the lease's holder). */
  holder: string;
  /** Where to log what it archived. */
  logger: WorkerLogger;
  /** Exports read per query (default 500). */
  batchSize?: number;
  /** Projects read per query (default 100). */
  projectBatchSize?: number;
  /** How long the lease lasts after each renewal (default 10 minutes). */
  leaseMs?: number;
  /** The time now; the age rule and the lease count from it. */
  clock?: () => Date;
}

/** How a sweep ended: `off` (no retention set), `busy` (another process holds the lease), `done`, `stopped` (asked to), `lost_lease`. */
export type RetentionSweepOutcome = 'off' | 'busy' | 'done' | 'stopped' | 'lost_lease';

/** What one sweep did. */
export interface RetentionSweepResult {
  outcome: RetentionSweepOutcome;
  /** Exports archived, by reason. */
  archived: Record<RetentionReason, number>;
  /** Archived exports whose file could not be deleted (the file sweep deletes them later). */
  filesLeft: number;
}

/** One retention sweep's work; `run` may be called again for the next one. */
export class ExportRetentionSweep {
  private readonly database: AnnexDatabase;
  private readonly storage: ExportFileStore;
  private readonly state: ExportState;
  private readonly policy: RetentionPolicy;
  private readonly holder: string;
  private readonly logger: WorkerLogger;
  private readonly batchSize: number;
  private readonly projectBatchSize: number;
  private readonly lease: MaintenanceLease;
  private readonly clock: () => Date;

  constructor(options: RetentionSweepOptions) {
    this.database = options.database;
    this.storage = options.storage;
    this.state = new ExportState(options.database, options.events);
    this.policy = options.policy;
    this.holder = options.holder;
    this.logger = options.logger;
    this.batchSize = options.batchSize ?? 500;
    this.projectBatchSize = options.projectBatchSize ?? 100;
    this.clock = options.clock ?? (() => new Date());
    this.lease = new MaintenanceLease({
      db: options.database.db,
      name: retentionLeaseName,
      holder: options.holder,
      ttlMs: options.leaseMs ?? 10 * 60_000,
      clock: this.clock,
    });
    if (this.batchSize < 1 || this.projectBatchSize < 1)
      throw new Error('Retention batches hold at least one row');
  }

  /**
   * Runs one sweep unless retention is off or another process is sweeping; `signal` stops it after
   * the export being archived. The lease is released however it ends.
   */
  async run(signal?: AbortSignal): Promise<RetentionSweepResult> {
    const result: RetentionSweepResult = {
      outcome: 'off',
      archived: { age: 0, keep_count: 0 },
      filesLeft: 0,
    };
    if (!isRetentionOn(this.policy)) return result;
    if (!(await this.lease.tryAcquire())) return { ...result, outcome: 'busy' };
    try {
      result.outcome = await this.sweepProjects(result, signal);
    } finally {
      await this.lease.release();
    }
    this.logResult(result);
    return result;
  }

  private async sweepProjects(
    result: RetentionSweepResult,
    signal: AbortSignal | undefined,
  ): Promise<RetentionSweepOutcome> {
    const startedAt = this.clock();
    let afterProject = 0;
    for (;;) {
      const projects = await this.database.db
        .selectFrom('project')
        .select('id')
        .where('id', '>', afterProject)
        .orderBy('id')
        .limit(this.projectBatchSize)
        .execute();
      if (projects.length === 0) return 'done';
      for (const { id } of projects) {
        if (signal?.aborted === true) return 'stopped';
        const outcome = await this.sweepProject(
          id,
          new RetentionJudge(this.policy, startedAt),
          result,
          signal,
        );
        if (outcome !== 'done') return outcome;
      }
      afterProject = projects.at(-1)?.id ?? afterProject;
    }
  }

  /** One project's listed exports, newest first, a batch at a time; the lease is renewed after each. */
  private async sweepProject(
    projectId: number,
    judge: RetentionJudge,
    result: RetentionSweepResult,
    signal: AbortSignal | undefined,
  ): Promise<RetentionSweepOutcome> {
    let before: number | null = null;
    for (;;) {
      const listed = this.database.db
        .selectFrom('export')
        .select(retentionCandidateColumns)
        .where('project_id', '=', projectId)
        .where('archived', '=', 0);
      const rows = await (before === null ? listed : listed.where('id', '<', before))
        .orderBy('id', 'desc')
        .limit(this.batchSize)
        .execute();
      for (const row of rows) {
        if (signal?.aborted === true) return 'stopped';
        const verdict = judge.judge(row);
        if (verdict !== null) await this.archive(projectId, row.id, verdict, result);
      }
      if (!(await this.lease.renew())) return 'lost_lease';
      if (rows.length < this.batchSize) return 'done';
      before = rows.at(-1)?.id ?? null;
    }
  }

  private async archive(
    projectId: number,
    exportId: number,
    verdict: RetentionVerdict,
    result: RetentionSweepResult,
  ): Promise<void> {
    let archived: ExportRow | undefined;
    let fileLeft = false;
    try {
      archived = await archiveExport(
        { state: this.state, storage: this.storage },
        projectId,
        exportId,
        retentionArchiveCondition(verdict),
      );
    } catch (error) {
      if (!(error instanceof ArchivedFileNotDeletedError)) throw error;
      this.logger.warn(`annex worker ${this.holder}: ${error.message}`);
      archived = error.row;
      fileLeft = true;
    }
    if (archived === undefined) return;
    result.archived[verdict.reason] += 1;
    if (fileLeft) result.filesLeft += 1;
    await recordAudit(this.database.db, retentionActor, {
      action: 'export_archived',
      projectId,
      target: `export ${exportId}`,
      details: this.auditDetails(archived, verdict, fileLeft),
    });
  }

  /** Why retention archived it, in the audit trail's details. */
  private auditDetails(
    row: ExportRow,
    verdict: RetentionVerdict,
    fileLeft: boolean,
  ): Record<string, unknown> {
    const rule =
      verdict.reason === 'age'
        ? { retention_days: this.policy.retentionDays, created_time: row.created_time }
        : { keep_per_source: this.policy.keepPerSource, newer_exports: verdict.newerFinished };
    return {
      reason: verdict.reason,
      ...rule,
      status: row.status,
      file: row.storage_key === null ? 'none' : fileLeft ? 'left for the file sweep' : 'deleted',
    };
  }

  private logResult(result: RetentionSweepResult): void {
    const { age, keep_count: keepCount } = result.archived;
    if (result.outcome === 'lost_lease') {
      this.logger.warn(
        `annex worker ${this.holder}: retention sweep stopped: its lease ran out and another process took it over`,
      );
    }
    if (age + keepCount === 0) return;
    const parts = [
      ...(age > 0 ? [`${age} older than ${this.policy.retentionDays ?? '?'} days`] : []),
      ...(keepCount > 0
        ? [`${keepCount} beyond the newest ${this.policy.keepPerSource ?? '?'} of their source`]
        : []),
    ];
    this.logger.info(
      `annex worker ${this.holder}: retention archived ${age + keepCount} export(s): ${parts.join(', ')}`,
    );
  }
}

/** What schedules sweeps: a sweep's options and how often it runs. */
export interface RetentionScheduleOptions extends RetentionSweepOptions {
  /** Time between two sweeps of this process, in milliseconds. */
  intervalMs: number;
}

/**
 * Runs a worker's retention sweeps: one at start and one every `intervalMs`, never two at once in
 * this process. Does nothing when retention is off.
 */
export class RetentionSchedule {
  private readonly sweep: ExportRetentionSweep;
  private readonly on: boolean;
  private readonly intervalMs: number;
  private readonly logger: WorkerLogger;
  private readonly holder: string;
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionSweepResult | undefined> | undefined;

  constructor(options: RetentionScheduleOptions) {
    this.sweep = new ExportRetentionSweep(options);
    this.on = isRetentionOn(options.policy);
    this.intervalMs = options.intervalMs;
    this.logger = options.logger;
    this.holder = options.holder;
  }

  /** Starts sweeping: one sweep now (not waited for), then every `intervalMs`. */
  start(): void {
    if (!this.on || this.timer !== undefined || this.stopping.signal.aborted) return;
    this.timer = setInterval(() => void this.runNow(), this.intervalMs);
    this.timer.unref();
    void this.runNow();
  }

  /**
   * Runs a sweep now unless one of this process is running (then waits for that one) or the schedule
   * stopped; a sweep that fails is logged and the next one tries again.
   */
  async runNow(): Promise<RetentionSweepResult | undefined> {
    if (this.stopping.signal.aborted) return undefined;
    this.running ??= this.sweep
      .run(this.stopping.signal)
      .catch((error: unknown) => {
        this.logger.error(
          `annex worker ${this.holder}: the retention sweep failed; the next one tries again in ${Math.round(this.intervalMs / 60_000)} min`,
          error,
        );
        return undefined;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Stops sweeping: no new sweep starts, a running one stops after its current export and releases the lease. */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.timer);
    await this.running;
  }
}

/** What a worker hands its retention schedule. */
export interface WorkerRetentionOptions {
  database: AnnexDatabase;
  storage: ExportFileStore;
  events: ExportEvents;
  /** EXPORT_RETENTION_DAYS, EXPORT_KEEP_PER_SOURCE and EXPORT_RETENTION_SWEEP_MINUTES are read from it. */
  config: AppConfig;
  /** The worker id: the lease's holder. */
  workerId: string;
  logger: WorkerLogger;
}

/** A worker's retention schedule, as the configuration sets it. */
export function retentionScheduleFor(options: WorkerRetentionOptions): RetentionSchedule {
  return new RetentionSchedule({
    database: options.database,
    storage: options.storage,
    events: options.events,
    policy: retentionPolicyOf(options.config),
    holder: options.workerId,
    logger: options.logger,
    intervalMs: options.config.EXPORT_RETENTION_SWEEP_MINUTES * 60_000,
  });
}
