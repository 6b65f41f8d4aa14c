import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { ProjectSummary } from '../../contract/projects.ts';
import type { ProjectRole } from '../../contract/roles.ts';
import { roleAtLeast, weakerRole } from '../../contract/roles.ts';
import type { Database } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import { projectColumns } from '../projects/project-queries.ts';
import type { Principal } from './principal.ts';

// What a principal may do in a project: their membership's role (admin everywhere for an instance
// admin), narrowed by an API key's project and role. No role means the project is not theirs to
// know about: routes answer 404, exactly as for a project that does not exist.

/** The principal's role in `projectId`, or undefined when they may not see it. */
export async function projectRoleOf(
  db: Kysely<Database>,
  principal: Principal,
  projectId: number,
): Promise<ProjectRole | undefined> {
  const key = principal.via === 'api_key' ? principal.apiKey : undefined;
  if (key !== undefined && key.projectId !== null && key.projectId !== projectId) return undefined;
  let role: ProjectRole | undefined;
  if (principal.user.isInstanceAdminAccount) role = 'admin';
  else {
    const member = await db
      .selectFrom('project_member')
      .select('role')
      .where('project_id', '=', projectId)
      .where('user_id', '=', principal.user.id)
      .executeTakeFirst();
    role = member?.role;
  }
  if (role === undefined) return undefined;
  return key?.role == null ? role : weakerRole(role, key.role);
}

/**
 * The projects the principal may see, by name, each with their role in it: the one project of a bound
 * key, every project (as admin) for an instance admin, else the user's memberships.
 */
export async function visibleProjects(
  db: Kysely<Database>,
  principal: Principal,
): Promise<ProjectSummary[]> {
  const byName = db
    .selectFrom('project')
    .select(projectColumns)
    .orderBy('project.name')
    .orderBy('project.id');
  const key = principal.via === 'api_key' ? principal.apiKey : undefined;
  if (key !== undefined && key.projectId !== null) {
    const role = await projectRoleOf(db, principal, key.projectId);
    if (role === undefined) return [];
    const rows = await byName.where('project.id', '=', key.projectId).execute();
    return rows.map((row) => ({ ...row, my_role: role }));
  }
  if (principal.user.isInstanceAdmin)
    return (await byName.execute()).map((row) => ({ ...row, my_role: 'admin' }));
  return byName
    .innerJoin('project_member', 'project_member.project_id', 'project.id')
    .select('project_member.role as my_role')
    .where('project_member.user_id', '=', principal.user.id)
    .execute();
}

const actionWords: Record<ProjectRole, string> = {
  viewer: 'see this project',
  editor: 'generate and archive exports',
  admin: 'manage members, keys and anyone’s exports',
};

/** A 403 saying which role the requester has and which one `what` needs. */
export function roleTooLow(
  projectStringId: string,
  role: ProjectRole,
  needed: ProjectRole,
  what?: string,
): ApiError {
  return new ApiError(
    'forbidden',
    `Your role in project "${projectStringId}" is ${role}; ${what ?? actionWords[needed]} needs ${needed}. Ask a project admin.`,
    { role, needed },
  );
}

/** Throws a 403 unless `role` is at least `needed`. */
export function requireRole(
  projectStringId: string,
  role: ProjectRole,
  needed: ProjectRole,
  what?: string,
): void {
  if (!roleAtLeast(role, needed)) throw roleTooLow(projectStringId, role, needed, what);
}

/** Throws a 403 unless the request's project role (set by the project lookup) is at least `needed`. */
export function requireProjectRole(
  request: FastifyRequest,
  needed: ProjectRole,
  what?: string,
): void {
  const project = request.annexProject;
  if (project === null) throw new Error(`${request.url} has no :project to check a role in`);
  requireRole(project.project_string_id, project.my_role, needed, what);
}
