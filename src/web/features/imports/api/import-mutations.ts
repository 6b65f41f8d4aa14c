import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import type { UploadProgress } from '../../../lib/api-client.ts';
import { exportQueries } from '../../exports/api/export-queries.ts';
import { projectQueries } from '../../projects/api/project-queries.ts';
import { uploadImport } from './imports-api.ts';
import type { ImportUpload } from './imports-api.ts';
import { importQueries } from './import-queries.ts';

/** What one upload needs: the file and settings, where to report progress, and how to cancel it. */
export interface UploadImportVariables {
  upload: ImportUpload;
  onProgress: (progress: UploadProgress) => void;
  signal: AbortSignal;
}

/**
 * Uploads a file to import; the queued import is seeded as its own detail (so watching it starts
 * without a round trip) and the project's import list is re-read.
 */
export function useUploadImport(project: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ upload, onProgress, signal }: UploadImportVariables) =>
      uploadImport(project, upload, { onProgress, signal }),
    // The variables hold the File (a handle, not its bytes) and callbacks: nothing to keep once done.
    gcTime: 0,
    onSuccess: async (created) => {
      queryClient.setQueryData(importQueries.detail(project, created.id).queryKey, created);
      await queryClient.invalidateQueries({ queryKey: importQueries.lists(project) });
    },
  });
}

/**
 * After an import completes, what it changed is read again: the project (its directories and their
 * file counts, which the header and the source picker show), the export lists (their stale counts)
 * and the check values (preflights). A new directory then shows in the source picker.
 */
export async function refreshAfterImport(queryClient: QueryClient, project: string): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({
      queryKey: projectQueries.detail(project).queryKey,
      exact: true,
    }),
    queryClient.invalidateQueries({ queryKey: importQueries.lists(project) }),
    queryClient.invalidateQueries({ queryKey: exportQueries.lists(project) }),
    queryClient.invalidateQueries({ queryKey: exportQueries.preflights(project) }),
  ]);
}
