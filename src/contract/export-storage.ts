import { z } from 'zod';

// How much storage a project's exports take, and the retention that keeps it in check
// (`GET /api/v1/projects/:project/exports/storage`): the panel's "Storage used" line, the SDK's
// `project.export.storage()` and `annex export storage`.

/** The retention settings of the server (EXPORT_RETENTION_DAYS, EXPORT_KEEP_PER_SOURCE); both null: exports are kept for ever. */
export const exportRetentionSchema = z.object({
  /** Finished exports asked for more than this many days ago are archived, files deleted; null when unset. */
  retention_days: z.number().int().positive().nullable(),
  /** Each source keeps at most its newest this many finished exports, older ones archived; null when unset. */
  keep_per_source: z.number().int().positive().nullable(),
});
/** The retention settings of the server. */
export type ExportRetention = z.infer<typeof exportRetentionSchema>;

/** `GET /api/v1/projects/:project/exports/storage`. */
export const exportStorageResponseSchema = z.object({
  /** Bytes the files of the project's exports take in storage; archived exports have none. */
  bytes: z.number().int().nonnegative(),
  /** How many of the project's listed exports have a file (those complete). */
  export_count: z.number().int().nonnegative(),
  /** What archives old exports automatically. */
  retention: exportRetentionSchema,
});
/** `GET /api/v1/projects/:project/exports/storage`. */
export type ExportStorageResponse = z.infer<typeof exportStorageResponseSchema>;

/**
 * The retention policy in words, the same in the panel and the CLI; null when none is set (exports
 * are kept until someone archives them).
 */
export function retentionPolicyText(retention: ExportRetention): string | null {
  const { retention_days: days, keep_per_source: keep } = retention;
  const rules: string[] = [];
  if (days !== null) rules.push(`exports older than ${days} ${days === 1 ? 'day' : 'days'}`);
  if (keep !== null)
    rules.push(
      keep === 1
        ? 'all but the newest export of each source'
        : `all but the newest ${keep} exports of each source`,
    );
  if (rules.length === 0) return null;
  return `Retention: ${rules.join(' and ')} are archived automatically and their files deleted; the newest complete export of each source always stays.`;
}
