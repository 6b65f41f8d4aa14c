import { queryOptions } from '@tanstack/react-query';
import {
  jobListResponseSchema,
  projectDetailResponseSchema,
  projectListResponseSchema,
} from '../../../../contract/projects.ts';
import { apiRequest } from '../../../lib/api-client.ts';

// Projects, directories and jobs change rarely while someone exports; a minute keeps pickers quiet.
const projectStaleTime = 60_000;

/** Query keys and options for the project read API; one factory so every key is made in one place. */
export const projectQueries = {
  all: () => ['projects'] as const,
  list: () =>
    queryOptions({
      queryKey: [...projectQueries.all(), 'list'] as const,
      queryFn: ({ signal }) => apiRequest('/projects', projectListResponseSchema, { signal }),
      staleTime: projectStaleTime,
    }),
  detail: (project: string) =>
    queryOptions({
      queryKey: [...projectQueries.all(), 'detail', project] as const,
      queryFn: ({ signal }) =>
        apiRequest(`/projects/${encodeURIComponent(project)}`, projectDetailResponseSchema, {
          signal,
        }),
      staleTime: projectStaleTime,
    }),
  jobs: (project: string) =>
    queryOptions({
      queryKey: [...projectQueries.all(), 'detail', project, 'jobs'] as const,
      queryFn: ({ signal }) =>
        apiRequest(`/projects/${encodeURIComponent(project)}/jobs`, jobListResponseSchema, {
          signal,
        }),
      staleTime: projectStaleTime,
    }),
};
