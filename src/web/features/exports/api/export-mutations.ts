import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import type {
  CreateExportRequest,
  Export,
  ExportListResponse,
} from '../../../../contract/exports.ts';
import { archiveExport, createExport, createExportLink } from './exports-api.ts';
import { exportQueries } from './export-queries.ts';

/** Puts a just-created export at the top of its project's first page, so it shows before the refetch lands. */
export function seedCreatedExport(queryClient: QueryClient, created: Export): void {
  for (const [key, page] of queryClient.getQueriesData<ExportListResponse>({
    queryKey: exportQueries.firstPages(created.project_string_id),
  })) {
    if (page === undefined || page.exports.some((item) => item.id === created.id)) continue;
    queryClient.setQueryData<ExportListResponse>(key, {
      ...page,
      exports: [created, ...page.exports],
      total: page.total + 1,
    });
  }
}

/** Replaces an export wherever its project's cache holds it (a link answer carries its freshest state). */
export function seedUpdatedExport(queryClient: QueryClient, updated: Export): void {
  const project = updated.project_string_id;
  queryClient.setQueriesData<ExportListResponse>(
    { queryKey: exportQueries.lists(project) },
    (page) =>
      page === undefined
        ? page
        : {
            ...page,
            exports: page.exports.map((item) => (item.id === updated.id ? updated : item)),
          },
  );
  // Only an export someone is already watching: seeding would start a poll nobody reads.
  const detailKey = exportQueries.detail(project, updated.id).queryKey;
  if (queryClient.getQueryData(detailKey) !== undefined)
    queryClient.setQueryData(detailKey, updated);
}

/** Asks the server to build an export; on success the export is seeded into the cache and its project's list re-read. */
export function useCreateExport(project: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: CreateExportRequest) => createExport(project, request),
    onSuccess: async (created) => {
      seedCreatedExport(queryClient, created);
      await queryClient.invalidateQueries({ queryKey: exportQueries.lists(project) });
    },
  });
}

/** Gets a fresh signed link to a complete export (each Download and Preview asks anew: links expire). */
export function useExportLink(project: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => createExportLink(project, id),
    onSuccess: (link) => seedUpdatedExport(queryClient, link.export),
  });
}

/** Archives an export: it leaves every cached page of its project at once, then that list is re-read. */
export function useArchiveExport(project: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => archiveExport(project, id),
    onSuccess: async (_result, id) => {
      queryClient.setQueriesData<ExportListResponse>(
        { queryKey: exportQueries.lists(project) },
        (page) =>
          page === undefined || !page.exports.some((item) => item.id === id)
            ? page
            : {
                ...page,
                exports: page.exports.filter((item) => item.id !== id),
                total: page.total - 1,
              },
      );
      queryClient.removeQueries({ queryKey: exportQueries.detail(project, id).queryKey });
      await queryClient.invalidateQueries({ queryKey: exportQueries.lists(project) });
    },
  });
}
