import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { auditListResponseSchema, auditQuerySchema } from '../../contract/auth.ts';
import { projectParamsSchema } from '../../contract/projects.ts';
import { requireInstanceAdmin } from '../auth/principal.ts';
import { requireProjectRole } from '../auth/project-access.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { installProjectLookup, projectOf } from '../projects/project-lookup.ts';
import { listAuditEvents } from './audit-queries.ts';
import type { AuditPage } from './audit-queries.ts';

/** What the audit routes are built from. */
export interface AuditRoutesOptions {
  /** The database the trail is kept in. */
  database: AnnexDatabase;
}

type AuditQuery = z.output<typeof auditQuerySchema>;

function pageOptions(query: AuditQuery) {
  return {
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: Number(query.cursor) }),
    ...(query.action === undefined ? {} : { action: query.action }),
  };
}

function toResponse(page: AuditPage) {
  return {
    events: page.events,
    next_cursor: page.nextCursor === null ? null : String(page.nextCursor),
  };
}

/**
 * The audit trail, newest first in cursor pages (`cursor` = the previous page's `next_cursor`,
 * `action` to keep one kind): `GET /projects/:project/audit` for the project's admins (its own events
 * only; viewer and editor 403), `GET /audit` for instance admins (every event, sign-ins and users
 * included). Registered under `/api/v1`.
 */
export const auditRoutes: FastifyPluginAsyncZod<AuditRoutesOptions> = (app, { database }) => {
  const { db } = database;
  installProjectLookup(app, database);

  app.get(
    '/projects/:project/audit',
    {
      schema: {
        params: projectParamsSchema,
        querystring: auditQuerySchema,
        response: { 200: auditListResponseSchema },
      },
    },
    async (request) => {
      requireProjectRole(request, 'admin', 'reading the audit trail');
      const project = projectOf(request);
      return toResponse(
        await listAuditEvents(db, { projectId: project.id, ...pageOptions(request.query) }),
      );
    },
  );

  app.get(
    '/audit',
    { schema: { querystring: auditQuerySchema, response: { 200: auditListResponseSchema } } },
    async (request) => {
      requireInstanceAdmin(request);
      return toResponse(await listAuditEvents(db, pageOptions(request.query)));
    },
  );

  return Promise.resolve();
};
