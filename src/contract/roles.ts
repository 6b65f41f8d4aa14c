import { z } from 'zod';

// The roles a member holds in a project. Their own module because projects (each carries the
// requester's role) and accounts (members, keys) both name them.

/**
 * A member's role in one project, weakest first: a viewer sees the panel and exports, previews and
 * downloads; an editor also generates and archives their own exports; an admin does everything,
 * including members, keys and archiving anyone's export.
 */
export const projectRoles = ['viewer', 'editor', 'admin'] as const;
/** A member's role in one project. */
export type ProjectRole = (typeof projectRoles)[number];
/** A member's role in one project. */
export const projectRoleSchema = z.enum(projectRoles);

/** True when `role` may do what `needed` may (admin ≥ editor ≥ viewer). */
export function roleAtLeast(role: ProjectRole, needed: ProjectRole): boolean {
  return projectRoles.indexOf(role) >= projectRoles.indexOf(needed);
}

/** The weaker of two roles (an API key never does more than its user). */
export function weakerRole(a: ProjectRole, b: ProjectRole): ProjectRole {
  return roleAtLeast(a, b) ? b : a;
}
