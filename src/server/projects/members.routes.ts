import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  addMemberRequestSchema,
  memberListResponseSchema,
  memberParamsSchema,
  memberSchema,
  updateMemberRequestSchema,
} from '../../contract/auth.ts';
import { projectParamsSchema } from '../../contract/projects.ts';
import { auditActorOf } from '../audit/audit-log.ts';
import { requireProjectRole } from '../auth/project-access.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { MemberService } from './member-service.ts';
import { installProjectLookup, projectOf } from './project-lookup.ts';

/** What the member routes are built from. */
export interface MembersRoutesOptions {
  /** The database members are kept in. */
  database: AnnexDatabase;
}

const managingMembers = 'managing members';

/**
 * `/projects/:project/members`: list, add by email, change a role, remove. Project admins only
 * (viewer and editor 403; 404 for a project the requester is not in). A project always keeps one
 * admin member: demoting or removing the last is a 409. Registered under `/api/v1`.
 */
export const membersRoutes: FastifyPluginAsyncZod<MembersRoutesOptions> = (app, { database }) => {
  const service = new MemberService(database);
  installProjectLookup(app, database);

  /** The project's members, by email (instance admins manage it too, but are not listed). */
  app.get(
    '/projects/:project/members',
    { schema: { params: projectParamsSchema, response: { 200: memberListResponseSchema } } },
    async (request) => {
      requireProjectRole(request, 'admin', managingMembers);
      return { members: await service.list(projectOf(request)) };
    },
  );

  /** Adds an existing account by email: 201; 404 when no account has it, 409 when already a member. */
  app.post(
    '/projects/:project/members',
    {
      schema: {
        params: projectParamsSchema,
        body: addMemberRequestSchema,
        response: { 201: memberSchema },
      },
    },
    async (request, reply) => {
      requireProjectRole(request, 'admin', managingMembers);
      const member = await service.add(projectOf(request), request.body, auditActorOf(request));
      return reply.status(201).send(member);
    },
  );

  /** Changes a member's role (`:id` is their user id); 404 for a user who is not a member. */
  app.patch(
    '/projects/:project/members/:id',
    {
      schema: {
        params: memberParamsSchema,
        body: updateMemberRequestSchema,
        response: { 200: memberSchema },
      },
    },
    async (request) => {
      requireProjectRole(request, 'admin', managingMembers);
      return service.changeRole(
        projectOf(request),
        request.params.id,
        request.body.role,
        auditActorOf(request),
      );
    },
  );

  /** Removes a member: 204; 404 for a user who is not a member. */
  app.delete(
    '/projects/:project/members/:id',
    { schema: { params: memberParamsSchema } },
    async (request, reply) => {
      requireProjectRole(request, 'admin', managingMembers);
      await service.remove(projectOf(request), request.params.id, auditActorOf(request));
      return reply.status(204).send();
    },
  );

  return Promise.resolve();
};
