import { queryOptions, skipToken } from '@tanstack/react-query';
import {
  jobListResponseSchema,
  projectDetailResponseSchema,
  projectListResponseSchema,
  taskDetailResponseSchema,
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
  /** One task, with its job and file; idle when there is none to ask for (`null`). */
  task: (project: string, taskId: number | null) =>
    queryOptions({
      queryKey: [...projectQueries.all(), 'detail', project, 'tasks', taskId] as const,
      queryFn:
        taskId === null
          ? skipToken
          : ({ signal }) =>
              apiRequest(
                `/projects/${encodeURIComponent(project)}/tasks/${String(taskId)}`,
                taskDetailResponseSchema,
                { signal },
              ),
      staleTime: projectStaleTime,
    }),
};
