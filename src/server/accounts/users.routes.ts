import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createUserRequestSchema,
  idParamsSchema,
  signUpLinkSchema,
  updateUserRequestSchema,
  userListResponseSchema,
  userSchema,
} from '../../contract/auth.ts';
import { instanceAdminActorOf } from '../audit/audit-log.ts';
import { requireInstanceAdmin } from '../auth/principal.ts';
import { originOf } from '../http/request-context.ts';
import type { UserService } from './user-service.ts';

/** What the user routes are built from. */
export interface UsersRoutesOptions {
  /** The rules; every route calls one of its methods. */
  service: UserService;
}

/**
 * `/users` (instance admins only; 403 for anyone else, including any key bound to one project): list
 * users, add one with a sign-up link, hand out a fresh link, turn an account off or on or change
 * instance admin. Registered under `/api/v1`.
 */
export const usersRoutes: FastifyPluginAsyncZod<UsersRoutesOptions> = (app, { service }) => {
  /** Every user, by email. */
  app.get('/users', { schema: { response: { 200: userListResponseSchema } } }, async (request) => {
    requireInstanceAdmin(request);
    return { users: await service.list() };
  });

  /**
   * Adds a user without a password (status `invited`) and answers 201 with their one-time sign-up
   * link (`<origin>/sign-up/<token>`, valid SIGN_UP_LINK_HOURS) to hand over; 409 when the email has
   * an account already.
   */
  app.post(
    '/users',
    { schema: { body: createUserRequestSchema, response: { 201: signUpLinkSchema } } },
    async (request, reply) => {
      const actor = instanceAdminActorOf(request);
      const link = await service.create(request.body, actor, originOf(request));
      return reply.status(201).send(link);
    },
  );

  /**
   * A fresh sign-up link for the user (201); their earlier unused links stop working. For an active
   * user this is the password reset: the link lets them choose a new password. 409 for a disabled
   * user, 404 for no such user.
   */
  app.post(
    '/users/:id/sign-up-link',
    { schema: { params: idParamsSchema, response: { 201: signUpLinkSchema } } },
    async (request, reply) => {
      const actor = instanceAdminActorOf(request);
      const link = await service.issueLink(request.params.id, actor, originOf(request));
      return reply.status(201).send(link);
    },
  );

  /**
   * `disabled` (true ends all the user's sessions) and `is_instance_admin`. 409 for disabling or
   * demoting yourself, or the last active instance admin; 404 for no such user.
   */
  app.patch(
    '/users/:id',
    {
      schema: {
        params: idParamsSchema,
        body: updateUserRequestSchema,
        response: { 200: userSchema },
      },
    },
    async (request) => {
      const actor = instanceAdminActorOf(request);
      return service.update(request.params.id, request.body, actor);
    },
  );

  return Promise.resolve();
};
