import { importListResponseSchema, importResponseSchema } from '../../../../contract/imports.ts';
import type { Import, ImportErrorMode, ImportListResponse } from '../../../../contract/imports.ts';
import { apiRequest, apiUpload } from '../../../lib/api-client.ts';
import type { UploadProgress } from '../../../lib/api-client.ts';

/** Which page of a project's imports to read. */
export interface ImportListFilters {
  /** Page size (the API allows 1–100). */
  limit: number;
}

/** What the Import dialog sends: the file and where and how to import it. */
export interface ImportUpload {
  /** The Diffgram JSON file, sent as the body straight from disk. */
  file: File;
  /** The directory to import into; the server makes it when the project has none of that name. */
  directory: string;
  /** What a bad packet does. */
  onError: ImportErrorMode;
}

function importsPath(project: string, rest = ''): string {
  return `/projects/${encodeURIComponent(project)}/imports${rest}`;
}

/** GET one page of a project's imports, newest first. */
export function fetchImportList(
  project: string,
  filters: ImportListFilters,
  signal?: AbortSignal,
): Promise<ImportListResponse> {
  return apiRequest(importsPath(project), importListResponseSchema, {
    query: { limit: filters.limit },
    signal,
  });
}

/** GET one import with its status, stage, progress and counts. */
export async function fetchImport(
  project: string,
  id: number,
  signal?: AbortSignal,
): Promise<Import> {
  const answer = await apiRequest(importsPath(project, `/${id}`), importResponseSchema, { signal });
  return answer.import;
}

/**
 * POSTs the file as the request body (`application/json`, streamed by the browser from disk); the
 * server stores it and answers 202 with the queued import. A file that is not Diffgram JSON is
 * refused at once (400 `invalid_import_file`) with the reason.
 */
export async function uploadImport(
  project: string,
  upload: ImportUpload,
  options: { onProgress?: (progress: UploadProgress) => void; signal?: AbortSignal } = {},
): Promise<Import> {
  const answer = await apiUpload(importsPath(project), importResponseSchema, {
    body: upload.file,
    contentType: 'application/json',
    query: {
      directory: upload.directory,
      on_error: upload.onError,
      // The body carries no name; the list shows this one.
      filename: upload.file.name === '' ? undefined : upload.file.name,
    },
    onProgress: options.onProgress,
    signal: options.signal,
  });
  return answer.import;
}
