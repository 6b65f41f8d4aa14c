import { exportStatuses, isFinalStatus } from '../../contract/exports.ts';
import type { ExportRetention } from '../../contract/export-storage.ts';
import type { AppConfig } from '../config/env.ts';
import type { ExportRow } from '../db/schema.ts';
import type { ArchiveCondition } from './export-state.ts';

/*
 * The retention rules: which exports the retention sweep (export-retention-sweep.ts) archives.
 *
 * - EXPORT_RETENTION_DAYS: a finished export asked for (`created_time`) more than this many days ago
 *   is archived (reason `age`).
 * - EXPORT_KEEP_PER_SOURCE: of each source's finished exports, the newest N stay and the older ones
 *   are archived (reason `keep_count`). An export both too old and beyond the count is archived for
 *   its age.
 *
 * A source is what an export reads and how: its project, kind, source kind and that source's id (the
 * directory, job or task), whether it holds completed files only or all of them, and whether it
 * includes removed instances. Exports of one directory with different settings are different data
 * (a pipeline reading "all files" must not lose its newest one to a newer "completed only" export),
 * so each setting is a source of its own.
 *
 * Never archived: a queued or running export (it counts for neither rule: it has no file yet), and
 * the newest complete export of each source, even when it is older than the retention days or beyond
 * the keep count, so every source that ever had a good file keeps one. Failed and cancelled exports
 * are finished exports like complete ones: they count towards the keep count and go with age, since
 * they hold no file and only their reason is worth keeping for a while. Newest means highest id (the
 * order the list shows).
 *
 * The sweep reads each project's exports newest first in batches and judges each as it goes
 * (`RetentionJudge`), so it holds one batch and one small tally per source, never a whole project's
 * exports. The archive itself runs through the one archiving path (export-archive.ts) with
 * `retentionArchiveCondition`, which re-checks in the archiving statement that the export is finished
 * and, when complete, that the newer complete export its source keeps is still listed: a user
 * archiving that one meanwhile never leaves the source without a complete export.
 */

/** The retention settings in force; both null: exports are kept for ever. */
export interface RetentionPolicy {
  /** EXPORT_RETENTION_DAYS, or null when unset. */
  retentionDays: number | null;
  /** EXPORT_KEEP_PER_SOURCE, or null when unset. */
  keepPerSource: number | null;
}

/** The retention policy the configuration sets. */
export function retentionPolicyOf(
  config: Pick<AppConfig, 'EXPORT_RETENTION_DAYS' | 'EXPORT_KEEP_PER_SOURCE'>,
): RetentionPolicy {
  return {
    retentionDays: config.EXPORT_RETENTION_DAYS ?? null,
    keepPerSource: config.EXPORT_KEEP_PER_SOURCE ?? null,
  };
}

/** Whether the policy archives anything at all. */
export function isRetentionOn(policy: RetentionPolicy): boolean {
  return policy.retentionDays !== null || policy.keepPerSource !== null;
}

/** The policy in the contract's shape (`GET …/exports/storage`). */
export function retentionContractOf(policy: RetentionPolicy): ExportRetention {
  return { retention_days: policy.retentionDays, keep_per_source: policy.keepPerSource };
}

/** Why retention archived an export. */
export type RetentionReason = 'age' | 'keep_count';

/** What the judge reads of an export. */
export type RetentionCandidate = Pick<
  ExportRow,
  | 'id'
  | 'project_id'
  | 'kind'
  | 'source'
  | 'directory_id'
  | 'job_id'
  | 'task_id'
  | 'ann_is_complete'
  | 'include_removed'
  | 'status'
  | 'created_time'
>;

/** The columns `RetentionCandidate` reads, for the sweep's select. */
export const retentionCandidateColumns = [
  'id',
  'project_id',
  'kind',
  'source',
  'directory_id',
  'job_id',
  'task_id',
  'ann_is_complete',
  'include_removed',
  'status',
  'created_time',
] as const satisfies readonly (keyof RetentionCandidate)[];

/** An export to archive, and why. */
export interface RetentionVerdict {
  /** The rule that archives it (`age` when both do). */
  reason: RetentionReason;
  /** How many finished exports of its source are newer than it. */
  newerFinished: number;
  /** The newest complete export of its source, which stays; null when the source has none newer. */
  keptCompleteId: number | null;
}

/** The source an export belongs to, as a key; see the module comment for what counts. */
export function retentionSourceKey(row: RetentionCandidate): string {
  return [
    row.project_id,
    row.kind,
    row.source,
    row.directory_id ?? '',
    row.job_id ?? '',
    row.task_id ?? '',
    row.ann_is_complete,
    row.include_removed,
  ].join(':');
}

interface SourceTally {
  /** Finished exports of the source seen so far (all newer than the next one judged). */
  finished: number;
  /** The newest complete one of them, once seen. */
  newestCompleteId: number | null;
}

/**
 * Judges exports one by one, newest first (by id, over every batch of a sweep): each verdict depends
 * only on the newer exports of the same source, which it has seen by then. One judge per pass over
 * a project's exports.
 */
export class RetentionJudge {
  private readonly sources = new Map<string, SourceTally>();
  private readonly cutoff: string | null;
  private lastId = Number.POSITIVE_INFINITY;

  /** `now` is when the sweep began; the age rule counts from it. */
  constructor(
    private readonly policy: RetentionPolicy,
    now: Date,
  ) {
    this.cutoff =
      policy.retentionDays === null
        ? null
        : new Date(now.getTime() - policy.retentionDays * 24 * 60 * 60 * 1000).toISOString();
  }

  /** The verdict on the next export (strictly older than the last one judged): archive it and why, or null to keep it. */
  judge(row: RetentionCandidate): RetentionVerdict | null {
    if (row.id >= this.lastId)
      throw new Error(`Retention judges exports newest first; ${row.id} came after ${this.lastId}`);
    this.lastId = row.id;
    if (!isFinalStatus(row.status)) return null;
    const key = retentionSourceKey(row);
    const tally = this.sources.get(key) ?? { finished: 0, newestCompleteId: null };
    this.sources.set(key, tally);
    const newerFinished = tally.finished;
    const keptCompleteId = tally.newestCompleteId;
    tally.finished += 1;
    if (row.status === 'complete' && keptCompleteId === null) {
      tally.newestCompleteId = row.id;
      return null;
    }
    const verdict = (reason: RetentionReason) => ({ reason, newerFinished, keptCompleteId });
    if (this.cutoff !== null && row.created_time < this.cutoff) return verdict('age');
    if (this.policy.keepPerSource !== null && newerFinished >= this.policy.keepPerSource)
      return verdict('keep_count');
    return null;
  }
}

const finalStatuses = exportStatuses.filter(isFinalStatus);

/**
 * What the archiving statement re-checks for a verdict: the export is finished, and a complete one
 * goes only while the newer complete export its source keeps is still listed (a lookup by id).
 */
export function retentionArchiveCondition(verdict: RetentionVerdict): ArchiveCondition {
  const { keptCompleteId } = verdict;
  return (eb) =>
    eb.and([
      eb('status', 'in', finalStatuses),
      keptCompleteId === null
        ? eb('status', '!=', 'complete')
        : eb.or([
            eb('status', '!=', 'complete'),
            eb.exists(
              eb
                .selectFrom('export as kept')
                .select('kept.id')
                .where('kept.id', '=', keptCompleteId)
                .where('kept.status', '=', 'complete')
                .where('kept.archived', '=', 0),
            ),
          ]),
    ]);
}
