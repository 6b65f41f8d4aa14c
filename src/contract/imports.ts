import { z } from 'zod';
import { exportSourceRefSchema } from './exports.ts';
import { nameTextSchema, pageQueryFields, textIdSchema } from './request-fields.ts';

// Imports of Diffgram JSON 1.0 files (issue 11). The file is the request body of
// `POST /api/v1/projects/:project/imports?directory=NAME`, streamed to storage; the answer is 202
// with the import's record, which the worker moves through validating and writing to complete or
// failed. The same record is what GET returns while it runs.

/** Where an import stands; `complete` and `failed` are final. */
export const importStatuses = ['queued', 'running', 'complete', 'failed'] as const;
/** Where an import stands. */
export type ImportStatus = (typeof importStatuses)[number];

/** While running: reading every packet (writing nothing yet), or writing. */
export const importStages = ['validating', 'writing'] as const;
/** What a running import is doing. */
export type ImportStage = (typeof importStages)[number];

/** What a bad packet does: `fail` (the default) writes nothing; `skip` imports the rest. */
export const importErrorModes = ['fail', 'skip'] as const;
/** What a bad packet does. */
export type ImportErrorMode = (typeof importErrorModes)[number];

/** True once an import will not change any more. */
export function isFinalImportStatus(status: ImportStatus): boolean {
  return status === 'complete' || status === 'failed';
}

/** One problem found in the imported file. */
export const importProblemSchema = z.object({
  /** The packet's key (the source's file id), or null for a problem outside any packet. */
  packet: z.string().nullable(),
  /** Where inside the packet (or the file), e.g. `instance_list[3] › x_max`; empty for the whole packet. */
  path: z.string(),
  /** What is wrong, in words. */
  message: z.string(),
});
/** One problem found in the imported file. */
export type ImportProblem = z.infer<typeof importProblemSchema>;

/**
 * A problem as one line: `packet 812 › instance_list[3] › x_max: expected a number`. The panel, the
 * CLI and the SDK's errors all show problems this way.
 */
export function formatImportProblem(problem: ImportProblem): string {
  const where = [problem.packet === null ? 'file' : `packet ${problem.packet}`];
  if (problem.path !== '') where.push(problem.path);
  return `${where.join(' › ')}: ${problem.message}`;
}

/** An import's record. */
export const importSchema = z.object({
  /** Its id. */
  id: z.number().int(),
  /** The project it imports into. */
  project_string_id: z.string(),
  /** The directory it imports into, once made or found; null before. */
  directory: exportSourceRefSchema.nullable(),
  /** The directory's name as asked. */
  directory_name: z.string(),
  /** What a bad packet does. */
  on_error: z.enum(importErrorModes),
  /** Where it stands. */
  status: z.enum(importStatuses),
  /** While running, what it does; null otherwise. */
  stage: z.enum(importStages).nullable(),
  /** Why it failed, for a person; null unless failed. */
  status_text: z.string().nullable(),
  /** 0–100 over both stages. */
  percent_complete: z.number().min(0).max(100),
  /** The uploaded file's name, when the client gave one. */
  original_filename: z.string().nullable(),
  /** The uploaded file's size. */
  size_bytes: z.number().int(),
  /** File packets in the file, once validated. */
  packet_count: z.number().int().nullable(),
  /** Files made. */
  files_created: z.number().int(),
  /** Files found from an earlier import of the same file and changed in place (an unchanged one is not counted). */
  files_updated: z.number().int(),
  /** Bad packets left out (`on_error=skip`). */
  files_skipped: z.number().int(),
  /** Instances made. */
  instances_created: z.number().int(),
  /** Instances found from an earlier import and changed. */
  instances_updated: z.number().int(),
  /** Instances of updated files soft-deleted because the file no longer holds them. */
  instances_removed: z.number().int(),
  /** Labels (by name) the project did not have. */
  labels_created: z.number().int(),
  /** Every problem found; `errors` lists the first ones. */
  error_count: z.number().int(),
  /** The first problems found (at most 100). */
  errors: z.array(importProblemSchema),
  /** Who asked for it (an email). */
  created_by: z.string(),
  /** When it was asked for. */
  created_time: z.string(),
  /** When a worker started it. */
  started_time: z.string().nullable(),
  /** When it ended. */
  finished_time: z.string().nullable(),
});
/** An import's record. */
export type Import = z.infer<typeof importSchema>;

/** The query of `POST /api/v1/projects/:project/imports`. */
export const createImportQuerySchema = z.strictObject({
  /** The directory to import into; made when missing. */
  directory: nameTextSchema(200),
  /** What a bad packet does (default `fail`). */
  on_error: z.enum(importErrorModes).default('fail'),
  /** The file's name, shown in the list (the body carries no name). */
  filename: nameTextSchema(1_000).optional(),
});
/** The query of `POST /api/v1/projects/:project/imports`. */
export type CreateImportQuery = z.input<typeof createImportQuerySchema>;

/** The answer to an import's creation and to `GET …/imports/:id`. */
export const importResponseSchema = z.object({
  /** The import. */
  import: importSchema,
});
/** The answer about one import. */
export type ImportResponse = z.infer<typeof importResponseSchema>;

/** `GET /api/v1/projects/:project/imports`: newest first. */
export const listImportsQuerySchema = z.strictObject({ ...pageQueryFields });
/** `GET /api/v1/projects/:project/imports`. */
export type ListImportsQuery = z.input<typeof listImportsQuerySchema>;

/** A page of imports, newest first. */
export const importListResponseSchema = z.object({
  /** This page. */
  imports: z.array(importSchema),
  /** Pass as `cursor` for the next page; null on the last. */
  next_cursor: z.string().nullable(),
});
/** A page of imports. */
export type ImportListResponse = z.infer<typeof importListResponseSchema>;

/** The path parameters naming one import. */
export const importParamsSchema = z.object({
  /** The project's `project_string_id`. */
  project: nameTextSchema(200),
  /** The import's id. */
  id: textIdSchema,
});
