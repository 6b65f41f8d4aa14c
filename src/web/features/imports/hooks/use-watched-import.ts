import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { refreshAfterImport } from '../api/import-mutations.ts';
import { importQueries } from '../api/import-queries.ts';

/**
 * One import, re-read until it is final. When it is (or is found) complete, the project's
 * directories, export lists and check values are read again, so what it wrote shows on the page.
 */
export function useWatchedImport(project: string, id: number | null) {
  const queryClient = useQueryClient();
  const query = useQuery(importQueries.detail(project, id));
  const completedId = query.data?.status === 'complete' ? query.data.id : null;
  useEffect(() => {
    if (completedId !== null) void refreshAfterImport(queryClient, project);
  }, [completedId, queryClient, project]);
  return query;
}
