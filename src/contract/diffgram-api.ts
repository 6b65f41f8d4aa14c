import { z } from 'zod';
import { exportSchema } from './exports.ts';
import { projectStringIdSchema } from './projects.ts';
import { bodyIdSchema, maxId, nameTextSchema, textIdSchema } from './request-fields.ts';

// Diffgram's own HTTP API, as its Python SDK (0.15.0) calls it for the export flow: the paths, bodies
// and answers of ../shared/docs/diffgram-api.md. These schemas are lenient where annex's own are
// strict, because the SDK sends keys annex has no use for (`kind`, `masks`, `file_comparison_mode`)
// and nulls for "not given": unknown keys pass, a null means the default. The answers avoid the key
// names the SDK copies onto its own objects and would shadow a method (`client`, `list`, `new`…).

/** What a null or missing value means: absent. */
function orNull<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

/** The export kinds the SDK can ask for; annex writes annotations only. */
export const diffgramSupportedKind = 'Annotations';

/** The most file ids one `file/list` page holds (the SDK asks for 5,000). */
export const diffgramMaxFileListLimit = 5000;

/** The path parameter naming a project, as Diffgram spells it. */
export const diffgramProjectParamsSchema = z.object({ project_string_id: projectStringIdSchema });

/** The path parameter of `POST /api/v1/job/:job_id/builder/info`. */
export const diffgramJobParamsSchema = z.object({ job_id: textIdSchema });

/** `GET …/user/legacy/working_dir/view` query: no name is the project's default directory. */
export const diffgramWorkingDirQuerySchema = z.looseObject({
  /** A directory's nickname. */
  name: nameTextSchema(500).optional(),
});

/** A directory as the SDK's Directory object takes it (every key is copied onto that object). */
export const diffgramWorkingDirSchema = z.object({
  /** The directory's id: the SDK requires this key. */
  directory_id: z.number().int(),
  id: z.number().int(),
  nickname: z.string(),
  created_time: z.string(),
  /** Top-level files that are not removed. */
  file_count: z.number().int(),
  /** Of those, the ones marked complete. */
  completed_file_count: z.number().int(),
  /** True for the project's default directory. */
  is_default: z.boolean(),
});
/** A directory as the SDK takes it. */
export type DiffgramWorkingDir = z.infer<typeof diffgramWorkingDirSchema>;

/** `GET …/user/legacy/working_dir/view` answer. */
export const diffgramWorkingDirResponseSchema = z.object({ working_dir: diffgramWorkingDirSchema });

/** `POST …/user/sdk/file/list` body: a page of a directory's file ids. */
export const diffgramFileListRequestSchema = z.looseObject({
  metadata: z.looseObject({
    /** The directory; null or missing is the project's default directory. */
    directory_id: orNull(bodyIdSchema),
    /** From 1; null or missing is 1. */
    page: orNull(z.number().int().min(1).max(maxId)).transform((page) => page ?? 1),
    /** Ids per page, at most 5,000 (more is read as 5,000); null or missing is 5,000. */
    limit: orNull(z.number().int().min(1).max(maxId)).transform((limit) =>
      Math.min(limit ?? diffgramMaxFileListLimit, diffgramMaxFileListLimit),
    ),
    /** Only `ids_only` (what the SDK sends) is answered. */
    file_view_mode: orNull(z.string()),
  }),
});
/** `POST …/user/sdk/file/list` body, as sent. */
export type DiffgramFileListRequest = z.input<typeof diffgramFileListRequestSchema>;

/** `POST …/user/sdk/file/list` answer. */
export const diffgramFileListResponseSchema = z.object({
  /** This page's file ids, ascending. */
  file_list: z.array(z.number().int()),
  metadata: z.object({
    /** The next page's number, or null on the last page. */
    next_page: z.number().int().nullable(),
    /** Pages of `limit` ids (0 for an empty directory). */
    total_pages: z.number().int(),
    page: z.number().int(),
    limit: z.number().int(),
    /** Ids over all pages. */
    file_count: z.number().int(),
    directory_id: z.number().int(),
  }),
});
/** `POST …/user/sdk/file/list` answer. */
export type DiffgramFileListResponse = z.infer<typeof diffgramFileListResponseSchema>;

/** The most ids one `file/exists` call checks. */
export const diffgramMaxExistsIds = 1_000_000;

/** `POST /api/v1/project/:p/file/exists` body. */
export const diffgramFileExistsRequestSchema = z.looseObject({
  file_id_list: z.array(z.number().int()).max(diffgramMaxExistsIds),
});

/** `POST /api/v1/project/:p/file/exists` answer: true when every id is a file of the project. */
export const diffgramFileExistsResponseSchema = z.object({
  result: z.object({ exists: z.boolean() }),
});

/** `GET /api/v1/project/:p/labels/view/name_to_file_id` answer: label name → label id. */
export const diffgramLabelNameMapResponseSchema = z.object({
  log: z.object({ success: z.boolean() }),
  name_to_file_id: z.record(z.string(), z.number().int()),
});

/**
 * A label schema. annex has one per project, every label of the project, named "Default"; its id is
 * the project's id.
 */
export const diffgramLabelSchemaSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  is_default: z.boolean(),
  label_count: z.number().int(),
});

/** `GET /api/v1/project/:p/labels-schema` answer. */
export const diffgramLabelSchemaListResponseSchema = z.array(diffgramLabelSchemaSchema);

/** `POST /api/v1/job/:id/builder/info` body (the SDK sends `{ mode_data: null }`). */
export const diffgramJobInfoRequestSchema = z.looseObject({});

/** A job as the SDK's Job object takes it. */
export const diffgramJobSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  status: z.string(),
  /** When it was created (annex launches jobs as it creates them). */
  launch_datetime: z.string(),
  /** The project's one label schema. */
  label_schema_id: z.number().int(),
  tag_list: z.array(z.string()),
  project_string_id: z.string(),
  file_count: z.number().int(),
  task_count: z.number().int(),
  complete_task_count: z.number().int(),
});

/** `POST /api/v1/job/:id/builder/info` answer. */
export const diffgramJobInfoResponseSchema = z.object({ job: diffgramJobSchema });

/** The sources the SDK exports from. */
export const diffgramExportSources = ['job', 'directory', 'task'] as const;

/**
 * `POST /api/walrus/project/:p/export/to_file` body. Defaults are the SDK's: source `job`, all files
 * (`ann_is_complete: null`), wait, answer the data.
 */
export const diffgramToFileRequestSchema = z.looseObject({
  source: orNull(z.enum(diffgramExportSources)).transform((source) => source ?? 'job'),
  job_id: orNull(bodyIdSchema),
  /** With `source: "directory"`; null is the project's default directory. */
  directory_id: orNull(bodyIdSchema),
  task_id: orNull(bodyIdSchema),
  /** Only `Annotations`. */
  kind: orNull(z.string()),
  /** Only false (masks are not written). */
  masks: orNull(z.boolean()),
  /**
   * true: completed files only; null or missing: all files (Diffgram's meaning). false (Diffgram:
   * files not complete only) is refused, since annex has no such filter.
   */
  ann_is_complete: orNull(z.boolean()),
  return_type: orNull(z.enum(['data', 'url'])).transform((type) => type ?? 'data'),
  wait_for_export_generation: orNull(z.boolean()).transform((wait) => wait ?? true),
  /** Accepted and ignored (Diffgram compares file versions; annex exports the latest). */
  file_comparison_mode: z.unknown().optional(),
});
/** `POST …/export/to_file` body, as sent. */
export type DiffgramToFileRequest = z.input<typeof diffgramToFileRequestSchema>;
/** `POST …/export/to_file` body, read. */
export type DiffgramToFileInput = z.output<typeof diffgramToFileRequestSchema>;

/**
 * An export as the SDK's Export object takes it: annex's export record, with the source's ids flat
 * as Diffgram names them.
 */
export const diffgramExportSchema = exportSchema.extend({
  job_id: z.number().int().nullable(),
  directory_id: z.number().int().nullable(),
  task_id: z.number().int().nullable(),
});
/** An export as the SDK takes it. */
export type DiffgramExport = z.infer<typeof diffgramExportSchema>;

/** `POST …/export/to_file` answer when not waiting. */
export const diffgramQueuedExportResponseSchema = z.object({
  success: z.literal(true),
  export: diffgramExportSchema,
});

/** `POST /api/walrus/project/:p/export/link` body. */
export const diffgramExportLinkRequestSchema = z.looseObject({
  id: bodyIdSchema,
  return_type: orNull(z.enum(['data', 'url'])).transform((type) => type ?? 'url'),
  /** The file format; only JSON. */
  format: orNull(z.string()),
});

/** `GET /api/walrus/project/:p/export/working_dir/list` answer: every export not archived, newest first. */
export const diffgramExportListResponseSchema = z.object({
  success: z.literal(true),
  export_list: z.array(diffgramExportSchema),
});

/** A bare URL string: what `return_type: "url"` answers. */
export const diffgramUrlResponseSchema = z.url();
