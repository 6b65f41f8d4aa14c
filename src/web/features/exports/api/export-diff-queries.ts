import { queryOptions } from '@tanstack/react-query';
import { exportDiffSchema } from '../../../../contract/export-diff.ts';
import type { ExportDiff } from '../../../../contract/export-diff.ts';
import { apiRequest } from '../../../lib/api-client.ts';
import { exportQueries } from './export-queries.ts';

/** GET what export `to` holds that export `from` does not (both complete exports of the project). */
export function fetchExportDiff(
  project: string,
  from: number,
  to: number,
  signal?: AbortSignal,
): Promise<ExportDiff> {
  return apiRequest(
    `/projects/${encodeURIComponent(project)}/exports/${from}/diff/${to}`,
    exportDiffSchema,
    { signal },
  );
}

/**
 * The diff of two exports. Complete exports never change, so an answer stays good for the page's
 * life (`staleTime: Infinity`); the server reads both files, which takes seconds for big ones.
 */
export function exportDiffQuery(project: string, from: number, to: number) {
  return queryOptions({
    queryKey: [...exportQueries.all(project), 'diff', { from, to }] as const,
    queryFn: ({ signal }) => fetchExportDiff(project, from, to, signal),
    staleTime: Infinity,
  });
}
