import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { fetchApiKeys, fetchMembers, fetchProjectAudit, fetchUsers } from './accounts-api.ts';
import type { AuditFilters } from './accounts-api.ts';

/**
 * Query keys and options for accounts: API keys, users, members and the audit
 * trail. Project-scoped keys start `['accounts', 'project', { project }]` so one project's change
 * never touches another's cache.
 */
export const accountQueries = {
  all: () => ['accounts'] as const,
  apiKeys: () =>
    queryOptions({
      queryKey: [...accountQueries.all(), 'api-keys'] as const,
      queryFn: ({ signal }) => fetchApiKeys(signal),
    }),
  users: () =>
    queryOptions({
      queryKey: [...accountQueries.all(), 'users'] as const,
      queryFn: ({ signal }) => fetchUsers(signal),
    }),
  project: (project: string) => [...accountQueries.all(), 'project', { project }] as const,
  members: (project: string) =>
    queryOptions({
      queryKey: [...accountQueries.project(project), 'members'] as const,
      queryFn: ({ signal }) => fetchMembers(project, signal),
    }),
  audits: (project: string) => [...accountQueries.project(project), 'audit'] as const,
  /** The project's audit trail for one filter, read page by page with `next_cursor` ("Load more"). */
  audit: (project: string, filters: AuditFilters) =>
    infiniteQueryOptions({
      queryKey: [...accountQueries.audits(project), filters] as const,
      queryFn: ({ signal, pageParam }) => fetchProjectAudit(project, filters, pageParam, signal),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (page) => page.next_cursor ?? undefined,
    }),
};
