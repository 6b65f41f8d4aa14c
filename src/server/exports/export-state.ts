import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { ExportStatus } from '../../contract/exports.ts';
import type { ExportChecks } from '../../contract/export-checks.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { Database, ExportRow, NewExport } from '../db/schema.ts';
import type { ExportEvents } from './export-events.ts';
import { chunksOf, findFileOwners, findOrphans } from './export-recovery.ts';
import type { FileOwner, OrphanExport, OrphanRule } from './export-recovery.ts';

/*
 * The one home of an export's status. Every move of a row's `status` (and its `archived` flag) is a
 * method here; no other code of annex writes those columns (test builders aside). Each move is one
 * guarded UPDATE that returns whether it happened, so two actors racing for one row (two workers, a
 * worker and an archiving user) never both win, and the loser learns it lost instead of overwriting.
 *
 * `moves` lists every move with the statuses it may start from and the one it ends in;
 * `allowedMoves` is that table read the other way (from a status, where it may go). A worker's moves
 * on a claimed row all share one guard, `stillHeldBy`: still `running`, still claimed by that worker.
 *
 * Adding a move is small: a line in `moves` and a method of a few lines that runs one UPDATE
 * `where status in moves.<name>.from` and emits `settled`. `cancel` is one: a running worker's next
 * progress write or heartbeat finds the row no longer held and stops writing, and a worker in this
 * process hears the `settled` event at once. A retry is no move of the old row: it queues a new
 * export (`queue`) that names the old one in `retry_of_export_id`; the old one stays as it was.
 *
 * The reads recovery and the file sweep judge by (orphans with a stale heartbeat or a dead PostgreSQL
 * session, the owners of stored files) live in `export-recovery.ts`, which only reads; the moves they
 * lead to (`recover`, `giveUp`) stay here with every other status write. `findOrphans` and
 * `fileOwners` below hand those reads through, so callers keep one state object.
 */

/** A move: the statuses it may start from and the one it ends in. */
interface Move {
  /** Statuses a row must be in for the move to happen. */
  readonly from: readonly ExportStatus[];
  /** The status it is in afterwards. */
  readonly to: ExportStatus;
}

/** Every move an export makes; each method below runs exactly one of them. */
export const moves = {
  /** Created by a user or script. */
  queue: { from: [], to: 'queued' },
  /** A worker takes the oldest queued export. */
  claim: { from: ['queued'], to: 'running' },
  /** The holding worker says it is alive, or writes the file count or its progress. */
  heartbeat: { from: ['running'], to: 'running' },
  /** The holding worker put the file in place. */
  complete: { from: ['running'], to: 'complete' },
  /** The holding worker could not build it. */
  fail: { from: ['running'], to: 'failed' },
  /** The holding worker stops gracefully and gives it back, as if never claimed. */
  requeue: { from: ['running'], to: 'queued' },
  /**
   * A worker finds the holder dead (stale heartbeat, or on PostgreSQL its session gone) and puts it
   * back in the queue; the holder may be that worker itself, for an export it is no longer building.
   */
  recover: { from: ['running'], to: 'queued' },
  /** As `recover`, but the export already cost `maxAttempts` workers: it fails instead. */
  giveUp: { from: ['running'], to: 'failed' },
  /**
   * A user archives it. An unfinished one fails (so no worker completes it afterwards); a final one
   * keeps its status and only leaves the list (`archived = 1`).
   */
  archive: { from: ['queued', 'running'], to: 'failed' },
  /**
   * A user stops an unfinished export. Final: no worker move starts from `cancelled`, so a worker
   * that finishes afterwards finds it no longer held and discards its file.
   */
  cancel: { from: ['queued', 'running'], to: 'cancelled' },
} as const satisfies Record<string, Move>;

/** The name of a move in `moves`. */
export type MoveName = keyof typeof moves;

/** From each status, the statuses a move may take it to (the table above, read by status). */
export const allowedMoves: Record<ExportStatus, ExportStatus[]> = (() => {
  const table: Record<ExportStatus, ExportStatus[]> = {
    queued: [],
    running: [],
    complete: [],
    failed: [],
    cancelled: [],
  };
  for (const move of Object.values(moves) as Move[]) {
    for (const from of move.from) {
      if (!table[from].includes(move.to)) table[from].push(move.to);
    }
  }
  return table;
})();

/** The values a new export is queued with; status and progress are the state module's to set. */
export type QueuedExportValues = Omit<
  NewExport,
  | 'status'
  | 'status_text'
  | 'percent_complete'
  | 'archived'
  | 'claimed_by'
  | 'started_time'
  | 'heartbeat_time'
  | 'finished_time'
  | 'attempt_count'
  | 'owner_session'
>;

/** What a finished file adds to its export. */
export interface CompletedFile {
  /** File packets written. */
  fileCount: number;
  /** Instances written. */
  instanceCount: number;
  /** The file's length. */
  sizeBytes: number;
  /** The file's SHA-256, hex. */
  sha256: string;
  /** The SHA-256 of its content without the export's own record and media links, hex (export-content-hash.ts). */
  contentSha256: string;
  /** The name a download saves it under. */
  fileName: string;
  /** Where storage keeps it. */
  storageKey: string;
  /** The project's change counter in the snapshot the file was read from. */
  snapshotSeq: number;
  /** The check values counted while the file was written; stored as JSON (absent: none, null). */
  checks?: ExportChecks;
}

/**
 * A further condition an archive must meet, checked in the archiving statement itself so that it
 * still holds when the row is archived (the retention sweep's: only a finished export, and never the
 * newest complete one of its source).
 */
export type ArchiveCondition = (eb: ExpressionBuilder<Database, 'export'>) => Expression<SqlBool>;

/** The columns of an export put back in the queue, as if it had never been claimed. */
const requeuedValues = {
  status: moves.requeue.to,
  claimed_by: null,
  started_time: null,
  heartbeat_time: null,
  percent_complete: 0,
  file_list_length: null,
  snapshot_seq: null,
  owner_session: null,
} as const;

/**
 * The guard every move on a claimed export shares: the row is still running and still claimed by
 * `claimant` (null: by nobody). Written once so a new move cannot forget half of it.
 */
function stillHeldBy(claimant: string | null) {
  return (eb: ExpressionBuilder<Database, 'export'>) =>
    eb.and([
      eb('status', '=', 'running'),
      claimant === null ? eb('claimed_by', 'is', null) : eb('claimed_by', '=', claimant),
    ]);
}

/** Runs an export's status moves and tells the in-process listeners the ones that happened. */
export class ExportState {
  constructor(
    private readonly database: AnnexDatabase,
    private readonly events: ExportEvents,
  ) {}

  /** Inserts a queued export and wakes a worker in this process; returns the row. */
  async queue(values: QueuedExportValues): Promise<ExportRow> {
    const row = await this.database.db
      .insertInto('export')
      .values({ ...values, status: moves.queue.to, percent_complete: 0, archived: 0 })
      .returningAll()
      .executeTakeFirstOrThrow();
    this.events.emit('created', row.id);
    return row;
  }

  /**
   * Takes the oldest queued export for `workerId` in one statement; undefined when none is queued.
   * On PostgreSQL the inner select locks the row it picks and skips rows others locked, so several
   * workers on one database never take the same export. `ownerSession` (PostgreSQL) is the key of
   * the worker's own long-lived session, so the claim dies with that session. `excluding` are
   * exports the worker still holds a job for (one whose final write it is retrying): a second claim
   * of one by the same worker would pass the first job's guard.
   */
  async claim(
    workerId: string,
    ownerSession: string | null = null,
    excluding: ReadonlySet<number> = new Set(),
  ): Promise<ExportRow | undefined> {
    const now = new Date().toISOString();
    const db = this.database.db;
    let oldestQueued = db
      .selectFrom('export')
      .select('id')
      .where('status', 'in', moves.claim.from)
      .where('archived', '=', 0)
      .$if(excluding.size > 0, (query) => query.where('id', 'not in', [...excluding]))
      .orderBy('id')
      .limit(1);
    if (this.database.dialect === 'postgres') oldestQueued = oldestQueued.forUpdate().skipLocked();
    const row = await db
      .updateTable('export')
      .set((eb) => ({
        status: moves.claim.to,
        claimed_by: workerId,
        started_time: now,
        heartbeat_time: now,
        percent_complete: 0,
        attempt_count: eb('attempt_count', '+', 1),
        owner_session: ownerSession,
      }))
      .where('id', '=', oldestQueued)
      .where('status', 'in', moves.claim.from)
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) this.events.emit('claimed', row.id);
    return row;
  }

  /**
   * Writes `workerId`'s heartbeat on the exports it is building (`ids`), and its current session key
   * (it changes when the worker had to reconnect); returns the ids it still holds. Only those ids:
   * an export whose final write the worker cannot record must go stale, so someone recovers it.
   */
  async heartbeat(
    workerId: string,
    ids: Iterable<number>,
    ownerSession: string | null = null,
  ): Promise<Set<number>> {
    const held = new Set<number>();
    for (const chunk of chunksOf([...ids])) {
      const rows = await this.database.db
        .updateTable('export')
        .set({ heartbeat_time: new Date().toISOString(), owner_session: ownerSession })
        .where('id', 'in', chunk)
        .where(stillHeldBy(workerId))
        .returning('id')
        .execute();
      for (const row of rows) held.add(row.id);
    }
    return held;
  }

  /**
   * Records what the writer started from: how many files it selected (the check value) and the
   * project's change counter in the snapshot it reads; false when the export is no longer held.
   */
  async recordStart(
    id: number,
    workerId: string,
    fileCount: number,
    snapshotSeq: number,
  ): Promise<boolean> {
    return this.touch(id, workerId, { file_list_length: fileCount, snapshot_seq: snapshotSeq });
  }

  /** Records progress (0–99) and tells listeners; false when the export is no longer held. */
  async recordProgress(id: number, workerId: string, percent: number): Promise<boolean> {
    const held = await this.touch(id, workerId, { percent_complete: percent });
    if (held) this.events.emit('progress', id, percent);
    return held;
  }

  /** Marks a held export complete with its file; false when it was archived or taken over meanwhile. */
  async complete(id: number, workerId: string, file: CompletedFile): Promise<boolean> {
    const result = await this.database.db
      .updateTable('export')
      .set({
        status: moves.complete.to,
        status_text: null,
        percent_complete: 100,
        file_list_length: file.fileCount,
        instance_count: file.instanceCount,
        size_bytes: file.sizeBytes,
        sha256: file.sha256,
        content_sha256: file.contentSha256,
        file_name: file.fileName,
        storage_key: file.storageKey,
        snapshot_seq: file.snapshotSeq,
        checks: file.checks === undefined ? null : JSON.stringify(file.checks),
        finished_time: new Date().toISOString(),
      })
      .where('id', '=', id)
      .where(stillHeldBy(workerId))
      .executeTakeFirst();
    return this.settledIf(result.numUpdatedRows, id, moves.complete.to);
  }

  /** Fails a held export with a reason a person can act on; false when no longer held. */
  async fail(id: number, workerId: string, statusText: string): Promise<boolean> {
    const result = await this.database.db
      .updateTable('export')
      .set({
        status: moves.fail.to,
        status_text: statusText,
        finished_time: new Date().toISOString(),
      })
      .where('id', '=', id)
      .where(stillHeldBy(workerId))
      .executeTakeFirst();
    return this.settledIf(result.numUpdatedRows, id, moves.fail.to);
  }

  /** Gives a held export back to the queue on a graceful stop; false when no longer held. */
  async requeue(id: number, workerId: string): Promise<boolean> {
    const result = await this.database.db
      .updateTable('export')
      .set((eb) => ({
        ...requeuedValues,
        // A graceful stop is no failed attempt.
        attempt_count: eb('attempt_count', '-', 1),
      }))
      .where('id', '=', id)
      .where(stillHeldBy(workerId))
      .executeTakeFirst();
    return this.settledIf(result.numUpdatedRows, id, moves.requeue.to);
  }

  /** Running exports whose worker may be dead; see `findOrphans` in `export-recovery.ts`. */
  async findOrphans(
    workerId: string,
    rule: OrphanRule,
    staleAfterMs: number,
    building: ReadonlySet<number> = new Set(),
  ): Promise<OrphanExport[]> {
    return findOrphans(this.database, workerId, rule, staleAfterMs, building);
  }

  /** The exports the stored files of `ids` were written for; see `findFileOwners`. */
  async fileOwners(ids: readonly number[]): Promise<Map<number, FileOwner>> {
    return findFileOwners(this.database, ids);
  }

  /**
   * Takes an orphan from its dead worker: back to the queue, or failed once it has cost
   * `maxAttempts` workers. Returns the status it moved to, or undefined when it is no longer that
   * worker's running export (someone else recovered it, or the worker was alive after all).
   */
  async recover(orphan: OrphanExport, maxAttempts: number): Promise<ExportStatus | undefined> {
    const exhausted = orphan.attempt_count >= maxAttempts;
    const to = exhausted ? moves.giveUp.to : moves.recover.to;
    const result = await this.database.db
      .updateTable('export')
      .set(
        exhausted
          ? {
              status: to,
              status_text: `Export failed: the worker building it stopped ${orphan.attempt_count} times before finishing (a crash or a kill). Generate it again; if it fails again, check the server log.`,
              finished_time: new Date().toISOString(),
            }
          : requeuedValues,
      )
      .where('id', '=', orphan.id)
      .where(stillHeldBy(orphan.claimed_by))
      .executeTakeFirst();
    return this.settledIf(result.numUpdatedRows, orphan.id, to) ? to : undefined;
  }

  /**
   * Archives an export of the project in one statement: hidden from the list, and when it had not
   * finished it fails so that no worker completes it afterwards (the worker's guarded moves find it
   * no longer held). Returns the archived row (its storage_key names the file to delete), or
   * undefined when the project has no such export, it was already archived, or it does not meet
   * `onlyIf`.
   */
  async archive(
    projectId: number,
    id: number,
    now: Date = new Date(),
    onlyIf?: ArchiveCondition,
  ): Promise<ExportRow | undefined> {
    const unfinished = moves.archive.from;
    const archiving = this.database.db
      .updateTable('export')
      .set((eb) => ({
        archived: 1,
        status: eb
          .case()
          .when('status', 'in', unfinished)
          .then(moves.archive.to)
          .else(eb.ref('status'))
          .end(),
        status_text: eb
          .case()
          .when('status', 'in', unfinished)
          .then('Archived before it finished.')
          .else(eb.ref('status_text'))
          .end(),
        finished_time: eb
          .case()
          .when('status', 'in', unfinished)
          .then(now.toISOString())
          .else(eb.ref('finished_time'))
          .end(),
      }))
      .where('id', '=', id)
      .where('project_id', '=', projectId)
      .where('archived', '=', 0);
    const row = await (onlyIf === undefined ? archiving : archiving.where(onlyIf))
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) this.events.emit('settled', row.id, row.status);
    return row;
  }

  /**
   * Cancels an unfinished export of the project in one guarded statement: `cancelled`, finished now,
   * `status_text` saying who cancelled it. Returns the cancelled row, or undefined when the project has
   * no such export (or it is archived) or it had already finished (the caller re-reads to say which).
   */
  async cancel(
    projectId: number,
    id: number,
    cancelledBy: string,
    now: Date = new Date(),
  ): Promise<ExportRow | undefined> {
    const row = await this.database.db
      .updateTable('export')
      .set({
        status: moves.cancel.to,
        status_text: `Cancelled by ${cancelledBy}.`,
        finished_time: now.toISOString(),
      })
      .where('id', '=', id)
      .where('project_id', '=', projectId)
      .where('archived', '=', 0)
      .where('status', 'in', moves.cancel.from)
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) this.events.emit('settled', row.id, row.status);
    return row;
  }

  /** A heartbeat that also writes progress columns on a held export; false when no longer held. */
  private async touch(
    id: number,
    workerId: string,
    values: { file_list_length?: number; snapshot_seq?: number; percent_complete?: number },
  ): Promise<boolean> {
    const result = await this.database.db
      .updateTable('export')
      .set({ ...values, heartbeat_time: new Date().toISOString() })
      .where('id', '=', id)
      .where(stillHeldBy(workerId))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Tells waiting requests when a move happened; returns whether it did. */
  private settledIf(updatedRows: bigint, id: number, status: ExportStatus): boolean {
    if (updatedRows === 0n) return false;
    this.events.emit('settled', id, status);
    return true;
  }
}
