import {
  exportLinkSchema,
  exportListResponseSchema,
  exportSchema,
  preflightResponseSchema,
} from '../../../../contract/exports.ts';
import type {
  CreateExportRequest,
  Export,
  ExportLink,
  ExportListResponse,
  PreflightQuery,
  PreflightResponse,
} from '../../../../contract/exports.ts';
import { apiRequest, apiRequestNoContent } from '../../../lib/api-client.ts';

/** Which page of a project's exports to read (the project itself is part of every key and path). */
export interface ExportListFilters {
  /** The previous page's `next_cursor`; undefined for the first (newest) page. */
  cursor?: string;
  /** Page size (the API allows 1–100). */
  limit: number;
}

function exportsPath(project: string, rest = ''): string {
  return `/projects/${encodeURIComponent(project)}/exports${rest}`;
}

/** GET one page of a project's exports, newest first. */
export function fetchExportList(
  project: string,
  filters: ExportListFilters,
  signal?: AbortSignal,
): Promise<ExportListResponse> {
  return apiRequest(exportsPath(project), exportListResponseSchema, {
    query: { cursor: filters.cursor, limit: filters.limit },
    signal,
  });
}

/** GET one export with its current status and progress. */
export function fetchExport(project: string, id: number, signal?: AbortSignal): Promise<Export> {
  return apiRequest(exportsPath(project, `/${id}`), exportSchema, { signal });
}

/** Preflight settings as the panel sends them: the contract's query with its ids as numbers. */
export type PreflightSettings = PreflightQuery & {
  directory_id?: number;
  job_id?: number;
  task_id?: number;
};

/** GET what an export with these settings would hold right now (the check value before Generate). */
export function fetchPreflight(
  project: string,
  settings: PreflightSettings,
  signal?: AbortSignal,
): Promise<PreflightResponse> {
  return apiRequest(exportsPath(project, '/preflight'), preflightResponseSchema, {
    query: { ...settings },
    signal,
  });
}

/** POST a new export; the server queues it and answers at once (202). */
export function createExport(project: string, request: CreateExportRequest): Promise<Export> {
  return apiRequest(exportsPath(project), exportSchema, { method: 'POST', body: request });
}

/** POST for a fresh signed download link to a complete export; a 409 when it is not complete. */
export function createExportLink(project: string, id: number): Promise<ExportLink> {
  return apiRequest(exportsPath(project, `/${id}/link`), exportLinkSchema, { method: 'POST' });
}

/** DELETE (archive) an export: it leaves the list and its file is deleted. */
export function archiveExport(project: string, id: number): Promise<void> {
  return apiRequestNoContent(exportsPath(project, `/${id}`), { method: 'DELETE' });
}
