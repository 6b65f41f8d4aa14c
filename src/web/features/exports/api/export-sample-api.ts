import { queryOptions } from '@tanstack/react-query';
import { exportSampleResponseSchema } from '../../../../contract/export-sample.ts';
import type { ExportSampleResponse } from '../../../../contract/export-sample.ts';
import { apiRequest } from '../../../lib/api-client.ts';
import { exportQueries } from './export-queries.ts';

/** Which packets the spot-check asks for: a seeded random sample, or named file ids. */
export type SampleSelection =
  { kind: 'random'; seed: number; count: number } | { kind: 'file_ids'; fileIds: number[] };

/** GET packets of a complete export, read from its stored file. */
export function fetchExportSample(
  project: string,
  id: number,
  selection: SampleSelection,
  signal?: AbortSignal,
): Promise<ExportSampleResponse> {
  const query =
    selection.kind === 'random'
      ? { seed: selection.seed, count: selection.count }
      : { file_ids: selection.fileIds.join(',') };
  return apiRequest(
    `/projects/${encodeURIComponent(project)}/exports/${id}/sample`,
    exportSampleResponseSchema,
    { query, signal },
  );
}

/** The sample query of one export and selection; a finished export's file never changes, so it never goes stale. */
export function exportSampleQuery(project: string, id: number, selection: SampleSelection) {
  return queryOptions({
    queryKey: [...exportQueries.all(project), 'sample', id, selection] as const,
    queryFn: ({ signal }) => fetchExportSample(project, id, selection, signal),
    staleTime: Infinity,
  });
}
