import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createProjectRequestSchema } from '../../contract/auth.ts';
import { projectSummarySchema } from '../../contract/projects.ts';
import { instanceAdminActorOf } from '../audit/audit-log.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { createProject } from './project-create.ts';

/** What the project creation route is built from. */
export interface ProjectCreateRoutesOptions {
  /** The database the project is written to. */
  database: AnnexDatabase;
}

/**
 * `POST /projects` (instance admins only, else 403): a new project with one directory "Default" as its
 * default, its creator its admin member; 201 with the project (`my_role` admin), 409 when the
 * `project_string_id` is taken. Registered under `/api/v1`.
 */
export const projectCreateRoutes: FastifyPluginAsyncZod<ProjectCreateRoutesOptions> = (
  app,
  { database },
) => {
  app.post(
    '/projects',
    { schema: { body: createProjectRequestSchema, response: { 201: projectSummarySchema } } },
    async (request, reply) => {
      const project = await createProject(database, request.body, instanceAdminActorOf(request));
      return reply.status(201).send(project);
    },
  );
  return Promise.resolve();
};
