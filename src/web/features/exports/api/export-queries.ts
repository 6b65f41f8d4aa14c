import { keepPreviousData, queryOptions, skipToken } from '@tanstack/react-query';
import { isFinalStatus } from '../../../../contract/exports.ts';
import type { Export, ExportListResponse } from '../../../../contract/exports.ts';
import { getSharedPrettyPrinter } from '../pretty-print/pretty-printer.ts';
import type { PrettyPrinter } from '../pretty-print/pretty-printer.ts';
import { fetchExportStorage } from './export-storage-api.ts';
import { createExportLink, fetchExport, fetchExportList, fetchPreflight } from './exports-api.ts';
import type { ExportListFilters, PreflightSettings } from './exports-api.ts';

/** How often a list or an export still being built is re-read. */
export const exportPollIntervalMs = 2_000;

/** The poll interval for a list page: only while one of its exports is queued or running. */
export function exportListRefetchInterval(page: ExportListResponse | undefined): number | false {
  return page?.exports.some((item) => !isFinalStatus(item.status)) === true
    ? exportPollIntervalMs
    : false;
}

/** The poll interval for one export: only until it is complete or failed. */
export function exportRefetchInterval(item: Export | undefined): number | false {
  return item !== undefined && !isFinalStatus(item.status) ? exportPollIntervalMs : false;
}

/**
 * Query keys and options for exports: one factory so invalidation always hits the right keys.
 * Every key starts `['exports', { project }]`, so a change in one project matches only that
 * project's keys; a key's variable parts are objects with named fields, matched by name (TanStack's
 * partial key match), never read by position.
 */
export const exportQueries = {
  all: (project: string) => ['exports', { project }] as const,
  lists: (project: string) => [...exportQueries.all(project), 'list'] as const,
  list: (project: string, filters: ExportListFilters) =>
    queryOptions({
      queryKey: [...exportQueries.lists(project), filters] as const,
      queryFn: ({ signal }) => fetchExportList(project, filters, signal),
      refetchInterval: (query) => exportListRefetchInterval(query.state.data),
      // Paging keeps the current rows on screen until the next page arrives, so the table never jumps.
      placeholderData: keepPreviousData,
    }),
  /**
   * Matches the first (newest) page of the project's list at any page size: a key whose filters
   * have no cursor. A new export belongs there and nowhere else.
   */
  firstPages: (project: string) =>
    [...exportQueries.lists(project), { cursor: undefined }] as const,
  details: (project: string) => [...exportQueries.all(project), 'detail'] as const,
  /** One export, re-read while it is queued or running. */
  detail: (project: string, id: number) =>
    queryOptions({
      queryKey: [...exportQueries.details(project), { id }] as const,
      queryFn: ({ signal }) => fetchExport(project, id, signal),
      refetchInterval: (query) => exportRefetchInterval(query.state.data),
    }),
  preflights: (project: string) => [...exportQueries.all(project), 'preflight'] as const,
  /** What an export with these settings would hold; idle while the source is incomplete (`null`). */
  preflight: (project: string, settings: PreflightSettings | null) =>
    queryOptions({
      queryKey: [...exportQueries.preflights(project), settings] as const,
      queryFn:
        settings === null ? skipToken : ({ signal }) => fetchPreflight(project, settings, signal),
      // The last count stays up (dimmed) while the next one loads, so the line never flickers empty.
      placeholderData: keepPreviousData,
      // The count changes when annotators work; a short freshness window avoids refetching on every toggle back.
      staleTime: 10_000,
    }),
  storages: (project: string) => [...exportQueries.all(project), 'storage'] as const,
  /**
   * The storage the project's exports take, as of the list read at `listUpdatedAt`: a new list read
   * (a poll, Refresh, a change) makes a new key, so the figure is read again with the list.
   */
  storage: (project: string, listUpdatedAt: number) =>
    queryOptions({
      queryKey: [...exportQueries.storages(project), { listUpdatedAt }] as const,
      // Nothing to read with until the list itself has been read.
      queryFn:
        listUpdatedAt === 0 ? skipToken : ({ signal }) => fetchExportStorage(project, signal),
      // The last figure stays up while the next one loads; a superseded one is never read again.
      placeholderData: keepPreviousData,
      gcTime: 0,
    }),
  previews: (project: string) => [...exportQueries.all(project), 'preview'] as const,
  /** The file pretty-printed: a fresh link (links expire), then fetched and formatted in the worker. */
  preview: (project: string, id: number, printer: PrettyPrinter | null) =>
    // The printer is the transport (a worker), not an input: the same export prints the same with any.
    // eslint-disable-next-line @tanstack/query/exhaustive-deps
    queryOptions({
      queryKey: [...exportQueries.previews(project), { id }] as const,
      queryFn: async ({ signal }) => {
        const link = await createExportLink(project, id);
        return (printer ?? getSharedPrettyPrinter()).print(link.url, signal);
      },
      // A preview can be hundreds of megabytes: keep it only while it is open, never compare it deeply.
      gcTime: 0,
      staleTime: Number.POSITIVE_INFINITY,
      structuralSharing: false,
      retry: false,
      refetchOnWindowFocus: false,
    }),
};
