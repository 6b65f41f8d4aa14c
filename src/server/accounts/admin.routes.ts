import type { FastifyPluginAsync } from 'fastify';
import { auditRoutes } from '../audit/audit.routes.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { membersRoutes } from '../projects/members.routes.ts';
import { projectCreateRoutes } from '../projects/project-create.routes.ts';
import { UserService } from './user-service.ts';
import { usersRoutes } from './users.routes.ts';

/** What the administration routes are built from. */
export interface AdminRoutesOptions {
  /** Where users, members, projects and the audit trail are kept. */
  database: AnnexDatabase;
  /** How long a sign-up link works (SIGN_UP_LINK_HOURS). */
  signUpLinkHours: number;
}

/**
 * Everything admins manage, in one registration: users and sign-up links and `POST /projects`
 * (instance admins), project members (project admins) and the audit trail (both). Each is its own
 * plugin, so each keeps its own project lookup. Registered under `/api/v1`.
 */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, options) => {
  const { database } = options;
  const service = new UserService({ database, signUpLinkHours: options.signUpLinkHours });
  await app.register(usersRoutes, { service });
  await app.register(projectCreateRoutes, { database });
  await app.register(membersRoutes, { database });
  await app.register(auditRoutes, { database });
};
