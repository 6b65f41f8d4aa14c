import type { ExpressionBuilder, Insertable } from 'kysely';
import type { ImportStatus } from '../../contract/imports.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { Database, ImportJobRow, ImportJobTable } from '../db/schema.ts';
import type { ImportEvents } from './import-events.ts';
import type { ImportCounts, ImportOutcome, ImportProgress } from './import-run.ts';

/*
 * The one home of an import's status: the durable queue of `import_job` rows. Every move of a row's
 * `status` is a method here, one guarded UPDATE that returns whether it happened, so two workers
 * racing for one row never both win and the loser learns it lost (as `exports/export-state.ts` does
 * for exports). The moves a worker makes on a row it claimed all share one guard, `stillHeldBy`:
 * still `running`, still claimed by that worker.
 *
 * A worker that dies leaves its row `running` with a heartbeat that stops advancing; another worker
 * finds it (`findStale`) and puts it back in the queue, or fails it once it has cost `maxAttempts`
 * workers. Re-running is safe: the pipeline matches files on their source ids, so a second run
 * updates what the first one wrote instead of duplicating it.
 */

/** A move: the statuses it may start from and the one it ends in. */
interface Move {
  /** Statuses a row must be in for the move to happen. */
  readonly from: readonly ImportStatus[];
  /** The status it is in afterwards. */
  readonly to: ImportStatus;
}

/** Every move an import makes; each method below runs exactly one of them. */
export const moves = {
  /** Uploaded by a user or script. */
  queue: { from: [], to: 'queued' },
  /** A worker takes the oldest queued import. */
  claim: { from: ['queued'], to: 'running' },
  /** The holding worker says it is alive, or writes its progress or directory. */
  heartbeat: { from: ['running'], to: 'running' },
  /** The holding worker's run ended with every packet written (bad ones skipped with `skip`). */
  complete: { from: ['running'], to: 'complete' },
  /** The holding worker's run ended failed, or threw. */
  fail: { from: ['running'], to: 'failed' },
  /** The holding worker stops gracefully and gives it back, as if never claimed. */
  requeue: { from: ['running'], to: 'queued' },
  /** A worker finds the holder dead (stale heartbeat) and puts it back in the queue. */
  recover: { from: ['running'], to: 'queued' },
  /** As `recover`, but the import already cost `maxAttempts` workers: it fails instead. */
  giveUp: { from: ['running'], to: 'failed' },
} as const satisfies Record<string, Move>;

/** The values an import is queued with; status, progress and the claim are this module's to set. */
export type QueuedImportValues = Pick<
  Insertable<ImportJobTable>,
  | 'project_id'
  | 'directory_name'
  | 'on_error'
  | 'upload_key'
  | 'original_filename'
  | 'size_bytes'
  | 'created_by'
  | 'created_by_user_id'
  | 'created_time'
>;

/** A running import whose worker may be dead, as `findStale` reads it. */
export interface StaleImport {
  /** The import. */
  id: number;
  /** The worker that held it, or null. */
  claimed_by: string | null;
  /** How many workers claimed it so far. */
  attempt_count: number;
  /** Its uploaded file, removed when it is given up. */
  upload_key: string | null;
}

/** The columns of an import put back in the queue, as if it had never been claimed. */
const requeuedValues = {
  status: moves.requeue.to,
  claimed_by: null,
  started_time: null,
  heartbeat_time: null,
  stage: null,
  percent_complete: 0,
} as const;

/** Problems kept in `errors` (the contract's "first ones"); `error_count` counts them all. */
export const maxStoredProblems = 100;

/** The counts' columns. */
function countColumns(counts: ImportCounts) {
  return {
    packet_count: counts.packet_count,
    files_created: counts.files_created,
    files_updated: counts.files_updated,
    files_skipped: counts.files_skipped,
    instances_created: counts.instances_created,
    instances_updated: counts.instances_updated,
    instances_removed: counts.instances_removed,
    labels_created: counts.labels_created,
    error_count: counts.error_count,
  };
}

/**
 * The guard every move on a claimed import shares: the row is still running and still claimed by
 * `claimant` (null: by nobody). Written once so a new move cannot forget half of it.
 */
function stillHeldBy(claimant: string | null) {
  return (eb: ExpressionBuilder<Database, 'import_job'>) =>
    eb.and([
      eb('status', '=', 'running'),
      claimant === null ? eb('claimed_by', 'is', null) : eb('claimed_by', '=', claimant),
    ]);
}

/** Runs an import's status moves; see the module comment. */
export class ImportState {
  constructor(
    private readonly database: AnnexDatabase,
    private readonly events: ImportEvents,
  ) {}

  /** Inserts a queued import and wakes a worker in this process; returns the row. */
  async queue(values: QueuedImportValues): Promise<ImportJobRow> {
    const row = await this.database.db
      .insertInto('import_job')
      .values({ ...values, status: moves.queue.to, percent_complete: 0, errors: '[]' })
      .returningAll()
      .executeTakeFirstOrThrow();
    this.events.emit('queued', row.id);
    return row;
  }

  /**
   * Takes the oldest queued import for `workerId` in one statement; undefined when none is queued.
   * On PostgreSQL the inner select locks the row it picks and skips rows others locked, so several
   * workers on one database never take the same import (the outer guard on `status` keeps SQLite,
   * whose writes are serial, just as safe).
   */
  async claim(workerId: string): Promise<ImportJobRow | undefined> {
    const now = new Date().toISOString();
    const db = this.database.db;
    let oldestQueued = db
      .selectFrom('import_job')
      .select('id')
      .where('status', 'in', moves.claim.from)
      .orderBy('id')
      .limit(1);
    if (this.database.dialect === 'postgres') oldestQueued = oldestQueued.forUpdate().skipLocked();
    return db
      .updateTable('import_job')
      .set((eb) => ({
        status: moves.claim.to,
        claimed_by: workerId,
        started_time: now,
        heartbeat_time: now,
        stage: null,
        percent_complete: 0,
        attempt_count: eb('attempt_count', '+', 1),
      }))
      .where('id', '=', oldestQueued)
      .where('status', 'in', moves.claim.from)
      .returningAll()
      .executeTakeFirst();
  }

  /** Writes the holder's heartbeat; false when the import is no longer its own. */
  async heartbeat(id: number, workerId: string): Promise<boolean> {
    return this.touch(id, workerId, {});
  }

  /** Records the directory the run made or found; false when no longer held. */
  async recordDirectory(id: number, workerId: string, directoryId: number): Promise<boolean> {
    return this.touch(id, workerId, { directory_id: directoryId });
  }

  /**
   * Records where a running import is (stage, percent, counts, first problems); false when no longer
   * held. The percent stops at 99: 100 is for a complete import only.
   */
  async recordProgress(id: number, workerId: string, progress: ImportProgress): Promise<boolean> {
    return this.touch(id, workerId, {
      stage: progress.stage,
      percent_complete: Math.min(99, Math.max(0, progress.percent)),
      ...countColumns(progress.counts),
      errors: JSON.stringify(progress.errors.slice(0, maxStoredProblems)),
    });
  }

  /**
   * Records how a run ended: complete or failed, with its counts, problems and directory, and the
   * upload no longer named (the caller removes the file once this returned true). False when the
   * import is no longer held, and then nothing is written.
   */
  async finish(id: number, workerId: string, outcome: ImportOutcome): Promise<boolean> {
    const to = outcome.status === 'complete' ? moves.complete.to : moves.fail.to;
    const result = await this.database.db
      .updateTable('import_job')
      .set((eb) => ({
        status: to,
        stage: null,
        status_text:
          outcome.status === 'complete' ? null : (outcome.statusText ?? 'Import failed.'),
        percent_complete: outcome.status === 'complete' ? 100 : eb.ref('percent_complete'),
        directory_id: outcome.directoryId ?? eb.ref('directory_id'),
        ...countColumns(outcome.counts),
        errors: JSON.stringify(outcome.errors.slice(0, maxStoredProblems)),
        upload_key: null,
        heartbeat_time: null,
        finished_time: new Date().toISOString(),
      }))
      .where('id', '=', id)
      .where(stillHeldBy(workerId))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Fails a held import whose run could not end on its own terms (it threw, its file is gone) with a
   * reason a person can act on; the upload is no longer named. False when no longer held.
   */
  async fail(id: number, workerId: string, statusText: string): Promise<boolean> {
    const result = await this.database.db
      .updateTable('import_job')
      .set({
        status: moves.fail.to,
        stage: null,
        status_text: statusText,
        upload_key: null,
        heartbeat_time: null,
        finished_time: new Date().toISOString(),
      })
      .where('id', '=', id)
      .where(stillHeldBy(workerId))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Gives a held import back to the queue on a graceful stop; false when no longer held. */
  async requeue(id: number, workerId: string): Promise<boolean> {
    const result = await this.database.db
      .updateTable('import_job')
      .set((eb) => ({
        ...requeuedValues,
        // A graceful stop is no failed attempt.
        attempt_count: eb('attempt_count', '-', 1),
      }))
      .where('id', '=', id)
      .where(stillHeldBy(workerId))
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    this.events.emit('queued', id);
    return true;
  }

  /**
   * Running imports whose heartbeat (or start, before the first heartbeat) is older than
   * `staleAfterMs`: their worker died or lost the database. `running` are the ids `workerId` is
   * running right now, the only ones it vouches for.
   */
  async findStale(
    workerId: string,
    staleAfterMs: number,
    running: ReadonlySet<number> = new Set(),
  ): Promise<StaleImport[]> {
    const staleBefore = new Date(Date.now() - staleAfterMs).toISOString();
    let query = this.database.db
      .selectFrom('import_job')
      .select(['id', 'claimed_by', 'attempt_count', 'upload_key'])
      .where('status', '=', 'running')
      .where((eb) =>
        eb.or([
          eb('heartbeat_time', '<', staleBefore),
          eb.and([eb('heartbeat_time', 'is', null), eb('started_time', '<', staleBefore)]),
        ]),
      );
    if (running.size > 0) {
      query = query.where((eb) =>
        eb.or([
          eb('claimed_by', 'is', null),
          eb('claimed_by', '!=', workerId),
          eb('id', 'not in', [...running]),
        ]),
      );
    }
    return query.orderBy('id').execute();
  }

  /**
   * Takes a stale import from its dead worker: back to the queue, or failed once it has cost
   * `maxAttempts` workers. Returns the status it moved to, or undefined when it is no longer that
   * worker's running import (someone else recovered it, or the worker was alive after all).
   */
  async recover(stale: StaleImport, maxAttempts: number): Promise<ImportStatus | undefined> {
    const exhausted = stale.attempt_count >= maxAttempts;
    const to = exhausted ? moves.giveUp.to : moves.recover.to;
    const result = await this.database.db
      .updateTable('import_job')
      .set(
        exhausted
          ? {
              status: to,
              stage: null,
              status_text: `Import failed: the worker running it stopped ${stale.attempt_count} times before finishing (a crash, a kill or a lost database). What was written stays; import the same file again into the same directory to complete it without duplicates, and if it fails again, check the server log.`,
              upload_key: null,
              heartbeat_time: null,
              finished_time: new Date().toISOString(),
            }
          : requeuedValues,
      )
      .where('id', '=', stale.id)
      .where(stillHeldBy(stale.claimed_by))
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return undefined;
    if (to === 'queued') this.events.emit('queued', stale.id);
    return to;
  }

  /** The upload keys rows still need (queued or running), of those given; for the upload sweep. */
  async keysInUse(keys: readonly string[]): Promise<Set<string>> {
    const inUse = new Set<string>();
    for (let start = 0; start < keys.length; start += 500) {
      const rows = await this.database.db
        .selectFrom('import_job')
        .select('upload_key')
        .where('upload_key', 'in', keys.slice(start, start + 500))
        .execute();
      for (const row of rows) if (row.upload_key !== null) inUse.add(row.upload_key);
    }
    return inUse;
  }

  /** A heartbeat that also writes progress columns on a held import; false when no longer held. */
  private async touch(
    id: number,
    workerId: string,
    values: Partial<Omit<ImportJobRow, 'id' | 'status' | 'claimed_by'>>,
  ): Promise<boolean> {
    const result = await this.database.db
      .updateTable('import_job')
      .set({ ...values, heartbeat_time: new Date().toISOString() })
      .where('id', '=', id)
      .where(stillHeldBy(workerId))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
