import { exportStorageResponseSchema } from '../../../../contract/export-storage.ts';
import type { ExportStorageResponse } from '../../../../contract/export-storage.ts';
import { apiRequest } from '../../../lib/api-client.ts';

/** GET how much storage the project's exports take, and the server's retention settings. */
export function fetchExportStorage(
  project: string,
  signal?: AbortSignal,
): Promise<ExportStorageResponse> {
  return apiRequest(
    `/projects/${encodeURIComponent(project)}/exports/storage`,
    exportStorageResponseSchema,
    { signal },
  );
}
