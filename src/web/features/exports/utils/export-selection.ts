import { sourceIdFields } from '../../../../contract/exports.ts';
import type {
  CreateExportRequest,
  ExportSource,
  PreflightResponse,
} from '../../../../contract/exports.ts';
import type { PreflightSettings } from '../api/exports-api.ts';
import { pluralize } from '../../../lib/format.ts';

/** What the form has chosen so far; ids stay null until picked. */
export interface ExportSelection {
  source: ExportSource;
  directoryId: number | null;
  jobId: number | null;
  taskId: number | null;
  /** True: completed files only (the default). */
  annIsComplete: boolean;
  includeRemoved: boolean;
}

/** A source to open the form on, from the page's `?job_id=` or `?task_id=`. */
export type SourcePreselect = { source: 'job'; id: number } | { source: 'task'; id: number } | null;

const positiveInteger = /^[1-9]\d*$/;

/** Reads `?task_id=` (it wins, being the narrower source) or `?job_id=`; anything not a positive integer is ignored. */
export function preselectFromSearchParams(params: URLSearchParams): SourcePreselect {
  const taskId = params.get('task_id');
  if (taskId !== null && positiveInteger.test(taskId))
    return { source: 'task', id: Number(taskId) };
  const jobId = params.get('job_id');
  if (jobId !== null && positiveInteger.test(jobId)) return { source: 'job', id: Number(jobId) };
  return null;
}

/** The form's first state: the preselected source if any, else the current directory; completed files only. */
export function initialSelection(
  preselect: SourcePreselect,
  currentDirectoryId: number | null,
): ExportSelection {
  return {
    source: preselect?.source ?? 'directory',
    directoryId: currentDirectoryId,
    jobId: preselect?.source === 'job' ? preselect.id : null,
    taskId: preselect?.source === 'task' ? preselect.id : null,
    annIsComplete: true,
    includeRemoved: false,
  };
}

/** The id of the chosen source, or null while the source is incomplete. */
export function selectedSourceId(selection: ExportSelection): number | null {
  switch (selection.source) {
    case 'directory':
      return selection.directoryId;
    case 'job':
      return selection.jobId;
    case 'task':
      return selection.taskId;
  }
}

/** The preflight query for a complete selection; null while the source is incomplete (Generate stays disabled). */
export function toPreflightQuery(selection: ExportSelection): PreflightSettings | null {
  const id = selectedSourceId(selection);
  if (id === null) return null;
  return {
    source: selection.source,
    ...sourceIdFields(selection.source, id),
    ann_is_complete: selection.annIsComplete ? 'true' : 'false',
    include_removed: selection.includeRemoved ? 'true' : 'false',
  };
}

/**
 * The create request for a complete selection, carrying the file count the user was shown so the
 * list can flag a difference later; null while the source is incomplete.
 */
export function toCreateExportRequest(
  selection: ExportSelection,
  expectedFileCount: number | undefined,
): CreateExportRequest | null {
  const id = selectedSourceId(selection);
  if (id === null) return null;
  const request: CreateExportRequest = {
    source: selection.source,
    ...sourceIdFields(selection.source, id),
    ann_is_complete: selection.annIsComplete,
    include_removed: selection.includeRemoved,
  };
  if (expectedFileCount !== undefined) request.expected_file_count = expectedFileCount;
  return request;
}

/** The check value in words: `Will export 37 files · 412 instances`. */
export function formatCheckValue(preflight: PreflightResponse): string {
  return `Will export ${pluralize(preflight.file_count, 'file')} · ${pluralize(preflight.instance_count, 'instance')}`;
}
