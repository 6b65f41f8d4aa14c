import type { QueryClient } from '@tanstack/react-query';
import { exportChangeEventSchema } from '../../../../contract/export-events.ts';
import type { ExportChangeEvent } from '../../../../contract/export-events.ts';
import type { ExportListResponse } from '../../../../contract/exports.ts';
import { apiUrl } from '../../../lib/api-client.ts';
import { exportQueries } from './export-queries.ts';

/** The live stream of a project's export changes (`GET …/exports/events`, text/event-stream). */
export function exportEventsUrl(project: string): string {
  return apiUrl(`/projects/${encodeURIComponent(project)}/exports/events`);
}

/** The change an `export_changed` event carries, or undefined when its data is not one. */
export function parseExportChange(data: unknown): ExportChangeEvent | undefined {
  if (typeof data !== 'string') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = exportChangeEventSchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Applies a change to the project's cached list pages where that is exact, and says whether they
 * must be read again. Only progress is applied in place: a running export's percent, in the pages
 * that show it as running (the most frequent event by far, so a running export costs no request
 * per tick). Anything else (a new export, a status, archiving, or a change the event does not
 * describe, such as the file count found at start) needs the server's whole row: `'refetch'`.
 */
export function applyExportChange(
  queryClient: QueryClient,
  project: string,
  change: ExportChangeEvent,
): 'patched' | 'refetch' {
  const pages = queryClient.getQueriesData<ExportListResponse>({
    queryKey: exportQueries.lists(project),
  });
  let patched = false;
  for (const [queryKey, page] of pages) {
    const listed = page?.exports.find((item) => item.id === change.id);
    if (listed === undefined) continue;
    const progressOnly =
      !change.archived &&
      listed.status === change.status &&
      listed.percent_complete !== change.percent_complete;
    if (!progressOnly) return 'refetch';
    queryClient.setQueryData<ExportListResponse>(
      queryKey,
      (current) =>
        current === undefined
          ? current
          : {
              ...current,
              exports: current.exports.map((item) =>
                item.id === change.id
                  ? { ...item, percent_complete: change.percent_complete }
                  : item,
              ),
            },
      // A percent written in place is not a read of the list: "Last updated" and what follows the
      // list's reads (the storage used) stay as they were.
      { updatedAt: queryClient.getQueryState(queryKey)?.dataUpdatedAt },
    );
    patched = true;
  }
  return patched ? 'patched' : 'refetch';
}
