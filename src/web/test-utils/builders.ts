import { meResponseSchema, signUpInfoSchema } from '../../contract/auth.ts';
import type { MeResponse, SignUpInfo, User } from '../../contract/auth.ts';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import type { ErrorCode, ErrorEnvelope } from '../../contract/errors.ts';
import {
  exportLinkSchema,
  exportListResponseSchema,
  exportSchema,
  preflightResponseSchema,
} from '../../contract/exports.ts';
import type {
  Export,
  ExportLink,
  ExportListResponse,
  PreflightResponse,
} from '../../contract/exports.ts';
import {
  jobListResponseSchema,
  projectDetailResponseSchema,
  projectListResponseSchema,
  taskDetailResponseSchema,
} from '../../contract/projects.ts';
import type {
  JobListResponse,
  ProjectDetailResponse,
  ProjectListResponse,
  TaskDetailResponse,
} from '../../contract/projects.ts';
import { exportStorageResponseSchema } from '../../contract/export-storage.ts';
import type { ExportStorageResponse } from '../../contract/export-storage.ts';
import { importListResponseSchema, importSchema } from '../../contract/imports.ts';
import type { Import, ImportListResponse } from '../../contract/imports.ts';
import type { ProjectRole } from '../../contract/roles.ts';

// Every builder goes through the contract's schema, so test data can never drift from what the server sends.

/** The demo project's `project_string_id`. */
export const demoProject = 'demo';

/** The email of the user the tests sign in as by default (the server's default first admin). */
export const signedInEmail = 'admin@annex.local';

/** `GET /api/v1/auth/me`: the instance admin signed in with the panel's session, unless overridden. */
export function buildMe(
  overrides: Partial<Omit<MeResponse, 'user'>> & { user?: Partial<User> } = {},
): MeResponse {
  const { user, ...rest } = overrides;
  return meResponseSchema.parse({
    via: 'session',
    expires_at: '2025-11-28T20:00:00.000Z',
    must_change_password: false,
    ...rest,
    user: {
      id: 1,
      email: signedInEmail,
      is_instance_admin: true,
      status: 'active',
      created_time: '2025-11-01T09:00:00.000Z',
      ...user,
    },
  });
}

/** `GET /api/v1/auth/sign-up/:token`: a link for a new user. */
export function buildSignUpInfo(email = 'new.user@example.com'): SignUpInfo {
  return signUpInfoSchema.parse({ email, expires_at: '2025-12-05T09:00:00.000Z' });
}

/** `GET /api/v1/projects` with the demo project, where the requester holds `role` (admin by default). */
export function buildProjectList(role: ProjectRole = 'admin'): ProjectListResponse {
  return projectListResponseSchema.parse({
    projects: [
      {
        id: 1,
        project_string_id: demoProject,
        name: 'Demo project',
        default_directory_id: 10,
        my_role: role,
      },
    ],
  });
}

const directories = [
  { id: 10, nickname: 'Luckfrill', file_count: 40, completed_file_count: 25 },
  { id: 11, nickname: 'Marshwood', file_count: 12, completed_file_count: 0 },
  { id: 12, nickname: 'Quietbrook', file_count: 8, completed_file_count: 8 },
];

/**
 * `GET /api/v1/projects/:project`: three directories, `Luckfrill` the default, the requester holding
 * `role` (admin by default). Another `project` (named `name`) has the same directories, so a test
 * can tell two projects apart by name only.
 */
export function buildProjectDetail(
  project: string = demoProject,
  name = 'Demo project',
  role: ProjectRole = 'admin',
): ProjectDetailResponse {
  const summary = buildProjectList(role).projects[0];
  return projectDetailResponseSchema.parse({
    project: { ...summary, project_string_id: project, name },
    directories,
    default_directory: directories[0],
  });
}

/** `GET /api/v1/projects/demo/jobs`: two jobs. */
export function buildJobList(): JobListResponse {
  return jobListResponseSchema.parse({
    jobs: [
      {
        id: 21,
        name: 'Street scenes review',
        status: 'active',
        task_counts: { available: 3, in_progress: 2, complete: 7, archived: 1 },
        task_count: 13,
      },
      {
        id: 22,
        name: 'Transcripts pass',
        status: 'complete',
        task_counts: { available: 0, in_progress: 0, complete: 5, archived: 0 },
        task_count: 5,
      },
    ],
  });
}

/** A preflight answer; `Will export 37 files · 412 instances` by default. */
export function buildPreflight(overrides: Partial<PreflightResponse> = {}): PreflightResponse {
  return preflightResponseSchema.parse({
    file_count: 37,
    instance_count: 412,
    source_file_count: 40,
    empty_reason: null,
    ...overrides,
  });
}

/** A storage answer: no export with a file and no retention by default. */
export function buildExportStorage(
  overrides: Partial<ExportStorageResponse> = {},
): ExportStorageResponse {
  return exportStorageResponseSchema.parse({
    bytes: 0,
    export_count: 0,
    retention: { retention_days: null, keep_per_source: null },
    ...overrides,
  });
}

/** A complete export of Luckfrill, with `overrides`. */
export function buildExport(overrides: Partial<Export> = {}): Export {
  const id = overrides.id ?? 1;
  return exportSchema.parse({
    id,
    project_string_id: demoProject,
    kind: 'Annotations',
    source: 'directory',
    directory: { id: 10, name: 'Luckfrill' },
    job: null,
    task: null,
    ann_is_complete: true,
    include_removed: false,
    status: 'complete',
    status_text: null,
    percent_complete: 100,
    file_list_length: 37,
    instance_count: 412,
    expected_file_count: 37,
    size_bytes: 48_213,
    sha256: 'a'.repeat(64),
    file_name: `${id}_diffgram_annotations__source_directory_Luckfrill_datetime_2025-11-28T17-40-00Z.json`,
    created_time: '2025-11-28T17:40:00.000Z',
    started_time: '2025-11-28T17:40:01.000Z',
    finished_time: '2025-11-28T17:40:03.000Z',
    created_by: 'admin@annex.local',
    changes_since: null,
    checks: null,
    content_sha256: null,
    retry_of: null,
    retried_by: null,
    ...overrides,
  });
}

/** A fresh signed link to `item`'s file, as `POST …/exports/:id/link` answers. */
export function buildExportLink(
  item: Export,
  url = `/api/v1/files/${item.id}?signature=s1`,
): ExportLink {
  return exportLinkSchema.parse({ url, expires_at: '2025-11-28T18:00:00.000Z', export: item });
}

/** `GET /api/v1/projects/demo/tasks/99`: a complete task on a file not marked complete. */
export function buildTaskDetail(): TaskDetailResponse {
  return taskDetailResponseSchema.parse({
    task: {
      id: 99,
      status: 'complete',
      job: { id: 21, name: 'Street scenes review' },
      file: { id: 501, original_filename: 'street-03.jpg', ann_is_complete: false },
    },
  });
}

/** The server's error envelope. */
export function buildErrorEnvelope(code: ErrorCode, message: string): ErrorEnvelope {
  return errorEnvelopeSchema.parse({ error: { code, message } });
}

/** One page of exports. */
export function buildExportPage(
  exports: Export[],
  overrides: Partial<ExportListResponse> = {},
): ExportListResponse {
  return exportListResponseSchema.parse({
    exports,
    next_cursor: null,
    total: exports.length,
    ...overrides,
  });
}

/**
 * An import of `street-scenes.json` into Luckfrill, complete with 40 files and 412 instances made,
 * with `overrides`.
 */
export function buildImport(overrides: Partial<Import> = {}): Import {
  return importSchema.parse({
    id: 7,
    project_string_id: demoProject,
    directory: { id: 10, name: 'Luckfrill' },
    directory_name: 'Luckfrill',
    on_error: 'fail',
    status: 'complete',
    stage: null,
    status_text: null,
    percent_complete: 100,
    original_filename: 'street-scenes.json',
    size_bytes: 1_048_576,
    packet_count: 40,
    files_created: 40,
    files_updated: 0,
    files_skipped: 0,
    instances_created: 412,
    instances_updated: 0,
    instances_removed: 0,
    labels_created: 6,
    error_count: 0,
    errors: [],
    created_by: 'admin@annex.local',
    created_time: '2025-11-28T17:50:00.000Z',
    started_time: '2025-11-28T17:50:01.000Z',
    finished_time: '2025-11-28T17:50:09.000Z',
    ...overrides,
  });
}

/** One page of imports, newest first. */
export function buildImportPage(imports: Import[]): ImportListResponse {
  return importListResponseSchema.parse({ imports, next_cursor: null });
}
