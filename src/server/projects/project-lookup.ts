import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProjectSummary } from '../../contract/projects.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { principalOf } from '../auth/principal.ts';
import type { Principal } from '../auth/principal.ts';
import { projectRoleOf } from '../auth/project-access.ts';
import { notFound } from '../http/api-error.ts';
import { findProject } from './project-queries.ts';

// The one project lookup of the API: every route with a `:project` segment gets its project (with
// the requester's role in it) from here, or the same 404 naming it. A project the requester is not a
// member of is that same 404: annex does not confirm that it exists. A route reads it with
// `projectOf(request)` and checks the role with `requireProjectRole`.

declare module 'fastify' {
  interface FastifyRequest {
    /** The project `:project` names; set by the project lookup, null on routes without `:project`. */
    annexProject: ProjectSummary | null;
  }
}

/**
 * The project a `project_string_id` names with `principal`'s role in it; a 404 naming it when there
 * is none or the principal may not see it.
 */
export async function requireProject(
  database: AnnexDatabase,
  projectStringId: string,
  principal: Principal,
): Promise<ProjectSummary> {
  const project = await findProject(database.db, projectStringId);
  const role =
    project === undefined ? undefined : await projectRoleOf(database.db, principal, project.id);
  if (project === undefined || role === undefined)
    throw notFound(`Project "${projectStringId}"`, { project: projectStringId });
  return { ...project, my_role: role };
}

/**
 * Makes every route of `app` (a plugin's scope) that has a `:project` param (or the one `paramName`
 * names, for a front door that spells it differently, e.g. Diffgram's `:project_string_id`) load that
 * project before its handler, or answer 404. It runs as a preHandler, after validation, so a malformed
 * name is still a 400 naming the field and only a well-formed unknown one is a 404.
 */
export function installProjectLookup(
  app: FastifyInstance,
  database: AnnexDatabase,
  paramName = 'project',
): void {
  app.decorateRequest('annexProject', null);
  app.addHook('preHandler', async (request) => {
    const projectStringId = (request.params as Record<string, unknown> | undefined)?.[paramName];
    if (typeof projectStringId !== 'string') return;
    request.annexProject = await requireProject(database, projectStringId, principalOf(request));
  });
}

/** The project the lookup loaded for this request; throws when the route names no project (a bug). */
export function projectOf(request: FastifyRequest): ProjectSummary {
  if (request.annexProject === null)
    throw new Error(`${request.routeOptions.url ?? request.url} has no :project to look up`);
  return request.annexProject;
}
