import { z } from 'zod';
import { exportChecksSchema } from './export-checks.ts';
import { projectStringIdSchema } from './projects.ts';
import {
  bodyIdSchema,
  maxId,
  pageQueryFields,
  queryBooleanSchema,
  textIdSchema,
} from './request-fields.ts';

/** What an export reads from: a directory, a job's tasks, or one task. */
export const exportSources = ['directory', 'job', 'task'] as const;
/** What an export reads from. */
export type ExportSource = (typeof exportSources)[number];

/** An export's lifecycle; `complete`, `failed` and `cancelled` are final. */
export const exportStatuses = ['queued', 'running', 'complete', 'failed', 'cancelled'] as const;
/** Where an export stands. */
export type ExportStatus = (typeof exportStatuses)[number];

/** True when an export will not change any more. */
export function isFinalStatus(status: ExportStatus): boolean {
  return status === 'complete' || status === 'failed' || status === 'cancelled';
}

/** The source an export read from, by id and the name people know it by. */
export const exportSourceRefSchema = z.object({
  /** The directory's, job's or task's id. */
  id: z.number().int(),
  /** Directory nickname, job name, or for a task its job name and file name. */
  name: z.string(),
});
/** The source an export read from. */
export type ExportSourceRef = z.infer<typeof exportSourceRefSchema>;

/** The name a task goes by in the API, the panel and `export_info`: its job's name and its file's name. */
export function taskRefName(jobName: string, originalFilename: string): string {
  return `${jobName} / ${originalFilename}`;
}

/** The field that carries a source's id: `directory_id`, `job_id` or `task_id`. */
export type SourceIdField = `${ExportSource}_id`;

/** The field that carries the id of `source`. */
export function sourceIdFieldOf(source: ExportSource): SourceIdField {
  return `${source}_id`;
}

/** A source and its ids as a request or query carries them (one of the three ids is set). */
export interface SourceIdFields {
  /** What it reads from. */
  source: ExportSource;
  /** Set when `source` is `directory`. */
  directory_id?: number | undefined;
  /** Set when `source` is `job`. */
  job_id?: number | undefined;
  /** Set when `source` is `task`. */
  task_id?: number | undefined;
}

/** The request fields naming one source by id: `{ job_id: 4 }` for a job. */
export function sourceIdFields(
  source: ExportSource,
  id: number,
): { directory_id: number } | { job_id: number } | { task_id: number } {
  switch (source) {
    case 'directory':
      return { directory_id: id };
    case 'job':
      return { job_id: id };
    case 'task':
      return { task_id: id };
  }
}

/** The id of the chosen source in request fields, or undefined when it is missing. */
export function sourceIdOf(fields: SourceIdFields): number | undefined {
  return fields[sourceIdFieldOf(fields.source)];
}

/**
 * The one-id-per-source rule, for every schema that names a source: the chosen source's id is
 * required and the other two are refused, each as an issue on its own field.
 */
export function refineOneIdPerSource(value: SourceIdFields, ctx: z.RefinementCtx): void {
  const idField = sourceIdFieldOf(value.source);
  if (value[idField] === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [idField],
      message: `${idField} is required when source is "${value.source}"`,
    });
  }
  for (const other of exportSources) {
    const otherField = sourceIdFieldOf(other);
    if (other !== value.source && value[otherField] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [otherField],
        message: `${otherField} does not go with source "${value.source}"`,
      });
    }
  }
}

/**
 * What changed in an export's source since the snapshot it read. Counted from the files' change
 * stamps (an index), never by reading the files. A file counts when it is in the source (its
 * directory; a task of its job, archived tasks included, since archiving one takes its file out;
 * the task's file) whatever the completed-only filter and the include-removed setting, so a file
 * whose completion changed counts even if the export would now leave it out: the counts may name a
 * file that regenerating would not change, never miss one that it would.
 */
export const changesSinceSchema = z.object({
  /** Files of the source, there at the snapshot, changed since (instances, completion, media, tasks). */
  files_changed: z.number().int().min(0),
  /** Files that joined the source since the snapshot. */
  files_added: z.number().int().min(0),
  /** Files of the source at the snapshot removed since. */
  files_removed: z.number().int().min(0),
});
/** What changed in an export's source since its snapshot. */
export type ChangesSince = z.infer<typeof changesSinceSchema>;

/** True when anything in the export's source changed since its snapshot: the panel's "Stale" badge. */
export function isStale(changes: ChangesSince | null): boolean {
  return (
    changes !== null && changes.files_changed + changes.files_added + changes.files_removed > 0
  );
}

/** The export resource: what the API returns, the panel lists and the SDK wraps. */
export const exportSchema = z.object({
  /** Numeric id; the file name starts with it. */
  id: z.number().int(),
  /** The project's `project_string_id`. */
  project_string_id: z.string(),
  /** Always `Annotations`. */
  kind: z.literal('Annotations'),
  /** What it reads from. */
  source: z.enum(exportSources),
  /** The directory it reads, when `source` is `directory`. */
  directory: exportSourceRefSchema.nullable(),
  /** The job it reads, when `source` is `job` (and the task's job, when `task`). */
  job: exportSourceRefSchema.nullable(),
  /** The task it reads, when `source` is `task`. */
  task: exportSourceRefSchema.nullable(),
  /** True: completed files only (the default). False: all files. */
  ann_is_complete: z.boolean(),
  /** Soft-deleted instances are written too, each with `"removed": true`. */
  include_removed: z.boolean(),
  /** Where it stands. */
  status: z.enum(exportStatuses),
  /** Why it failed, in words a user can act on; null unless failed. */
  status_text: z.string().nullable(),
  /** 0–100, moving as file packets are written. */
  percent_complete: z.number().min(0).max(100),
  /** The check value: file packets selected (while running) and written (when complete). */
  file_list_length: z.number().int().nullable(),
  /** Instances written. */
  instance_count: z.number().int().nullable(),
  /** The file count the requester saw before asking (preflight), when it said; lets a panel flag a difference. */
  expected_file_count: z.number().int().nullable(),
  /** Size of the file in bytes, when complete. */
  size_bytes: z.number().int().nullable(),
  /** SHA-256 of the file, hex, when complete. */
  sha256: z.string().nullable(),
  /** The download's file name, when complete. */
  file_name: z.string().nullable(),
  /** When it was asked for (ISO-8601 UTC). */
  created_time: z.string(),
  /** When a worker started it. */
  started_time: z.string().nullable(),
  /** When it completed or failed. */
  finished_time: z.string().nullable(),
  /** Who asked for it (an email). */
  created_by: z.string(),
  /**
   * What changed in its source since the snapshot it read; null until it is complete (and for
   * exports made before change tracking). Any count above 0: the export is stale.
   */
  changes_since: changesSinceSchema.nullable(),
  /** The check values beyond the file count, written with the file; null until complete (and for older exports). */
  checks: exportChecksSchema.nullable(),
  /**
   * SHA-256 of the file's content without what differs between two exports of the same data
   * (`export_info`'s id, time and creator, and each packet's media links and their expiry:
   * `blob_url`, `*_signed_url`, `*_signed_expiry`): two exports with the same value hold the same
   * data. Null until complete (and for older exports).
   */
  content_sha256: z.string().nullable(),
  /** The cancelled or failed export this one retries, when it is a retry. */
  retry_of: z.number().int().nullable(),
  /** The newest export made by retrying this one, when there is one. */
  retried_by: z.number().int().nullable(),
});
/** The export resource. */
export type Export = z.infer<typeof exportSchema>;

/** How a blocking export request wants its result. */
export const returnTypes = ['data', 'url'] as const;
/** How a blocking export request wants its result. */
export type ReturnType = (typeof returnTypes)[number];

const positiveId = bodyIdSchema;
/** An id sent in a path or query string, where it arrives as text: digits only. */
const positiveTextId = textIdSchema;

/** `POST /api/v1/projects/:project/exports`. */
export const createExportRequestSchema = z
  .object({
    /** What to read from. */
    source: z.enum(exportSources),
    /** Required when `source` is `directory`. */
    directory_id: positiveId.optional(),
    /** Required when `source` is `job`. */
    job_id: positiveId.optional(),
    /** Required when `source` is `task`. */
    task_id: positiveId.optional(),
    /** Completed files only (default true) or all (false). */
    ann_is_complete: z.boolean().default(true),
    /** Write soft-deleted instances too (default false). */
    include_removed: z.boolean().default(false),
    /** Wait for the file before answering (up to the server's WAIT_TIMEOUT_SECONDS). */
    wait_for_export_generation: z.boolean().default(false),
    /** With waiting: answer with the file's data (default) or a download URL. */
    return_type: z.enum(returnTypes).default('data'),
    /** The file count the requester was shown before asking, kept to flag a difference later. */
    expected_file_count: z.number().int().min(0).max(maxId).optional(),
  })
  .strict()
  .superRefine(refineOneIdPerSource);
/** `POST /api/v1/projects/:project/exports` body, as sent (defaults optional). */
export type CreateExportRequest = z.input<typeof createExportRequestSchema>;

/** A download link to a complete export's file. */
export const exportLinkSchema = z.object({
  /** Signed URL serving the file; opened in a tab it shows the JSON, `&download=1` saves it. */
  url: z.string(),
  /** When the link stops working (ISO-8601 UTC). */
  expires_at: z.string(),
  /** The export it serves. */
  export: exportSchema,
});
/** A download link to a complete export's file. */
export type ExportLink = z.infer<typeof exportLinkSchema>;

/** `GET /api/v1/projects/:project/exports` query. */
export const listExportsQuerySchema = z
  .object({
    ...pageQueryFields,
    /** Only exports of this source kind. */
    source: z.enum(exportSources).optional(),
  })
  .strict();
/** `GET /api/v1/projects/:project/exports` query. */
export type ListExportsQuery = z.input<typeof listExportsQuerySchema>;

/** One page of a project's exports, newest first. */
export const exportListResponseSchema = z.object({
  /** This page's exports, newest first. */
  exports: z.array(exportSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
  /** How many exports match, over all pages. */
  total: z.number().int(),
});
/** One page of a project's exports. */
export type ExportListResponse = z.infer<typeof exportListResponseSchema>;

/** `GET /api/v1/projects/:project/exports/preflight` query: the settings of an export not yet asked for. */
export const preflightQuerySchema = z
  .object({
    /** What it would read from. */
    source: z.enum(exportSources),
    /** Required when `source` is `directory`. */
    directory_id: positiveTextId.optional(),
    /** Required when `source` is `job`. */
    job_id: positiveTextId.optional(),
    /** Required when `source` is `task`. */
    task_id: positiveTextId.optional(),
    /** `true` (default): completed files only. */
    ann_is_complete: queryBooleanSchema.default(true),
    /** `true`: count soft-deleted instances too. */
    include_removed: queryBooleanSchema.default(false),
  })
  .strict()
  .superRefine(refineOneIdPerSource);
/** Preflight query, as sent. */
export type PreflightQuery = z.input<typeof preflightQuerySchema>;

/** What an export with the given settings would hold right now: the check value before Generate. */
export const preflightResponseSchema = z.object({
  /** File packets it would write. */
  file_count: z.number().int(),
  /** Instances it would write. */
  instance_count: z.number().int(),
  /** Files in the source before the completion filter, to explain a zero. */
  source_file_count: z.number().int(),
  /** Why it would fail and what to change, when it would select no file; else null. */
  empty_reason: z.string().nullable(),
});
/** What an export with the given settings would hold right now. */
export type PreflightResponse = z.infer<typeof preflightResponseSchema>;

/** The `:id` path parameter of one export. */
export const exportParamsSchema = z.object({
  /** The project's `project_string_id`. */
  project: projectStringIdSchema,
  /** The export's id. */
  id: positiveTextId,
});
