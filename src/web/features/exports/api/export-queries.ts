import { keepPreviousData, queryOptions, skipToken } from '@tanstack/react-query';
import { isFinalStatus } from '../../../../contract/exports.ts';
import type { ExportListResponse } from '../../../../contract/exports.ts';
import { getSharedPrettyPrinter } from '../pretty-print/pretty-printer.ts';
import type { PrettyPrinter } from '../pretty-print/pretty-printer.ts';
import { createExportLink, fetchExportList, fetchPreflight } from './exports-api.ts';
import type { ExportListFilters, PreflightSettings } from './exports-api.ts';

/** How often a list or an export still being built is re-read. */
export const exportPollIntervalMs = 2_000;

/** The poll interval for a list page: only while one of its exports is queued or running. */
export function exportListRefetchInterval(page: ExportListResponse | undefined): number | false {
  return page?.exports.some((item) => !isFinalStatus(item.status)) === true
    ? exportPollIntervalMs
    : false;
}

/** Query keys and options for exports; one factory so invalidation always hits the right keys. */
export const exportQueries = {
  all: () => ['exports'] as const,
  lists: () => [...exportQueries.all(), 'list'] as const,
  list: (filters: ExportListFilters) =>
    queryOptions({
      queryKey: [...exportQueries.lists(), filters] as const,
      queryFn: ({ signal }) => fetchExportList(filters, signal),
      refetchInterval: (query) => exportListRefetchInterval(query.state.data),
      // Paging keeps the current rows on screen until the next page arrives, so the table never jumps.
      placeholderData: keepPreviousData,
    }),
  preflights: () => [...exportQueries.all(), 'preflight'] as const,
  /** What an export with these settings would hold; idle while the source is incomplete (`null`). */
  preflight: (project: string, settings: PreflightSettings | null) =>
    queryOptions({
      queryKey: [...exportQueries.preflights(), project, settings] as const,
      queryFn:
        settings === null ? skipToken : ({ signal }) => fetchPreflight(project, settings, signal),
      // The last count stays up (dimmed) while the next one loads, so the line never flickers empty.
      placeholderData: keepPreviousData,
      // The count changes when annotators work; a short freshness window avoids refetching on every toggle back.
      staleTime: 10_000,
    }),
  previews: () => [...exportQueries.all(), 'preview'] as const,
  /** The file pretty-printed: a fresh link (links expire), then fetched and formatted in the worker. */
  preview: (project: string, id: number, printer: PrettyPrinter | null) =>
    // The printer is the transport (a worker), not an input: the same export prints the same with any.
    // eslint-disable-next-line @tanstack/query/exhaustive-deps
    queryOptions({
      queryKey: [...exportQueries.previews(), project, id] as const,
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
