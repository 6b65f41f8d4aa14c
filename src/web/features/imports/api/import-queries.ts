import { queryOptions, skipToken } from '@tanstack/react-query';
import { isFinalImportStatus } from '../../../../contract/imports.ts';
import type { Import, ImportListResponse } from '../../../../contract/imports.ts';
import { fetchImport, fetchImportList } from './imports-api.ts';
import type { ImportListFilters } from './imports-api.ts';

/** How often an import still queued or running is re-read. */
export const importPollIntervalMs = 2_000;

/** The poll interval for one import: only until it is complete or failed. */
export function importRefetchInterval(item: Import | undefined): number | false {
  return item !== undefined && !isFinalImportStatus(item.status) ? importPollIntervalMs : false;
}

/** The poll interval for a list page: only while one of its imports is queued or running. */
export function importListRefetchInterval(page: ImportListResponse | undefined): number | false {
  return page?.imports.some((item) => !isFinalImportStatus(item.status)) === true
    ? importPollIntervalMs
    : false;
}

/**
 * Query keys and options for imports: every key starts `['imports', { project }]`, so a change in
 * one project matches only that project's keys (the same shape as `exportQueries`).
 */
export const importQueries = {
  all: (project: string) => ['imports', { project }] as const,
  lists: (project: string) => [...importQueries.all(project), 'list'] as const,
  /** One page of imports, newest first, re-read while one of them runs. */
  list: (project: string, filters: ImportListFilters) =>
    queryOptions({
      queryKey: [...importQueries.lists(project), filters] as const,
      queryFn: ({ signal }) => fetchImportList(project, filters, signal),
      refetchInterval: (query) => importListRefetchInterval(query.state.data),
    }),
  details: (project: string) => [...importQueries.all(project), 'detail'] as const,
  /** One import, re-read while it is queued or running; idle when there is none to watch (`null`). */
  detail: (project: string, id: number | null) =>
    queryOptions({
      queryKey: [...importQueries.details(project), { id }] as const,
      queryFn: id === null ? skipToken : ({ signal }) => fetchImport(project, id, signal),
      refetchInterval: (query) => importRefetchInterval(query.state.data),
    }),
};
