import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import {
  jobListResponseSchema,
  jobParamsSchema,
  jobTaskListResponseSchema,
  listJobTasksQuerySchema,
  projectDetailResponseSchema,
  projectListResponseSchema,
  projectParamsSchema,
  taskDetailResponseSchema,
  taskParamsSchema,
} from '../../contract/projects.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { principalOf } from '../auth/principal.ts';
import { visibleProjects } from '../auth/project-access.ts';
import { notFound } from '../http/api-error.ts';
import { installProjectLookup, projectOf } from './project-lookup.ts';
import {
  findJob,
  findTaskDetail,
  listDirectorySummaries,
  listJobSummaries,
  listJobTasks,
} from './project-queries.ts';

/** What the project read routes are built from. */
export interface ProjectsRoutesOptions {
  /** The database projects are read from. */
  database: AnnexDatabase;
}

/**
 * The read API the panel picks an export source with: projects, their directories, jobs, a job's
 * tasks and one task.
 */
export const projectsRoutes: FastifyPluginAsyncZod<ProjectsRoutesOptions> = (app, { database }) => {
  const { db } = database;
  installProjectLookup(app, database);

  /** The projects the requester may see (an instance admin sees all), each with their role in it. */
  app.get(
    '/projects',
    { schema: { response: { 200: projectListResponseSchema } } },
    async (request) => {
      return { projects: await visibleProjects(db, principalOf(request)) };
    },
  );

  app.get(
    '/projects/:project',
    {
      schema: {
        params: projectParamsSchema,
        response: { 200: projectDetailResponseSchema, 404: errorEnvelopeSchema },
      },
    },
    async (request) => {
      const project = projectOf(request);
      const directories = await listDirectorySummaries(db, project.id);
      const defaultDirectory =
        directories.find((directory) => directory.id === project.default_directory_id) ?? null;
      return { project, directories, default_directory: defaultDirectory };
    },
  );

  app.get(
    '/projects/:project/jobs',
    {
      schema: {
        params: projectParamsSchema,
        response: { 200: jobListResponseSchema, 404: errorEnvelopeSchema },
      },
    },
    async (request) => {
      const project = projectOf(request);
      return { jobs: await listJobSummaries(db, project.id) };
    },
  );

  app.get(
    '/projects/:project/jobs/:id/tasks',
    {
      schema: {
        params: jobParamsSchema,
        querystring: listJobTasksQuerySchema,
        response: { 200: jobTaskListResponseSchema, 404: errorEnvelopeSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { cursor, limit, status, file_complete: fileComplete } = request.query;
      const project = projectOf(request);
      // A job of another project is as unknown here as one that does not exist.
      if ((await findJob(db, project.id, id)) === undefined)
        throw notFound(`Job ${String(id)} in project "${project.project_string_id}"`, {
          project: project.project_string_id,
          job_id: id,
        });
      const page = await listJobTasks(db, project.id, id, {
        limit,
        ...(cursor === undefined ? {} : { cursor: Number(cursor) }),
        ...(status === undefined ? {} : { status }),
        ...(fileComplete === undefined ? {} : { fileComplete }),
      });
      return {
        tasks: page.tasks,
        next_cursor: page.nextCursor === null ? null : String(page.nextCursor),
        total: page.total,
      };
    },
  );

  app.get(
    '/projects/:project/tasks/:id',
    {
      schema: {
        params: taskParamsSchema,
        response: { 200: taskDetailResponseSchema, 404: errorEnvelopeSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const project = projectOf(request);
      const task = await findTaskDetail(db, project.id, id);
      // A task of another project is as unknown here as one that does not exist.
      if (task === undefined)
        throw notFound(`Task ${String(id)} in project "${project.project_string_id}"`, {
          project: project.project_string_id,
          task_id: id,
        });
      return { task };
    },
  );

  return Promise.resolve();
};
