import { useMutation, useQueryClient } from '@tanstack/react-query';
import { exportSchema } from '../../../../contract/exports.ts';
import type { Export } from '../../../../contract/exports.ts';
import { apiRequest } from '../../../lib/api-client.ts';
import { seedCreatedExport, seedUpdatedExport } from './export-mutations.ts';
import { exportQueries } from './export-queries.ts';

// Cancel and retry: the two fetchers and their mutations. A cancelled export is replaced in the
// cache at once; a retry is seeded at the top of the list, and the list re-read so the old row
// shows "retried as".

function exportPath(project: string, id: number, action: 'cancel' | 'retry'): string {
  return `/projects/${encodeURIComponent(project)}/exports/${id}/${action}`;
}

/** POST …/:id/cancel: the export, now `cancelled`; a 409 when it had already finished. */
export function cancelExport(project: string, id: number): Promise<Export> {
  return apiRequest(exportPath(project, id, 'cancel'), exportSchema, { method: 'POST' });
}

/** POST …/:id/retry: a new queued export with the same settings (202); a 409 unless failed or cancelled. */
export function retryExport(project: string, id: number): Promise<Export> {
  return apiRequest(exportPath(project, id, 'retry'), exportSchema, { method: 'POST' });
}

/** Cancels a queued or running export; the cache shows it cancelled at once, then the list is re-read. */
export function useCancelExport(project: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => cancelExport(project, id),
    onSuccess: async (cancelled) => {
      seedUpdatedExport(queryClient, cancelled);
      await queryClient.invalidateQueries({ queryKey: exportQueries.lists(project) });
    },
  });
}

/** Retries a failed or cancelled export; the new one is seeded at the top, then the list is re-read. */
export function useRetryExport(project: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => retryExport(project, id),
    onSuccess: async (created) => {
      seedCreatedExport(queryClient, created);
      await queryClient.invalidateQueries({ queryKey: exportQueries.lists(project) });
    },
  });
}
