import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  changePasswordRequestSchema,
  meResponseSchema,
  signInRequestSchema,
} from '../../contract/auth.ts';
import { auditActorOf } from '../audit/audit-log.ts';
import { ApiError } from '../http/api-error.ts';
import type { AccountService } from './account-service.ts';
import { principalOf } from './principal.ts';
import { clearSessionCookie, sessionClientOf, setSessionCookie } from './session-cookie.ts';

/** What the account routes are built from. */
export interface AuthRoutesOptions {
  accounts: AccountService;
  /** SESSION_ABSOLUTE_HOURS: how long the browser keeps the cookie. */
  sessionAbsoluteHours: number;
}

/**
 * `/auth/sign-in`, `/auth/sign-out`, `/auth/me` and `/auth/password`, registered under `/api/v1`.
 * Sign-in is public and rate-limited (http/rate-limits.ts); the rest need someone signed in.
 */
export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = (app, options) => {
  const { accounts, sessionAbsoluteHours } = options;

  /**
   * Checks email and password, starts a session (ending the one the request's cookie named) and
   * sets the `annex_session` cookie. 401 `unauthenticated` with one message for every failure.
   */
  app.post(
    '/auth/sign-in',
    {
      config: { public: true },
      schema: { body: signInRequestSchema, response: { 200: meResponseSchema } },
    },
    async (request, reply) => {
      const started = await accounts.signIn(request.body, sessionClientOf(request));
      setSessionCookie(request, reply, started.token, sessionAbsoluteHours);
      return started.me;
    },
  );

  /** Ends the session server-side and clears its cookie; with an API key, does nothing. 204. */
  app.post('/auth/sign-out', async (request, reply) => {
    const principal = principalOf(request);
    await accounts.signOut(auditActorOf(request));
    if (principal.via === 'session') clearSessionCookie(request, reply);
    return reply.status(204).send();
  });

  app.get('/auth/me', { schema: { response: { 200: meResponseSchema } } }, async (request) =>
    accounts.me(principalOf(request)),
  );

  /**
   * Changes the signed-in user's own password (session only: a script's key may not); 400 naming
   * `body.current_password` when it is wrong. Ends their other sessions. 204.
   */
  app.post(
    '/auth/password',
    { schema: { body: changePasswordRequestSchema } },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.via !== 'session') {
        throw new ApiError(
          'forbidden',
          'A password is changed in the panel, signed in as its user; an API key may not change it.',
        );
      }
      await accounts.changePassword(principal, request.body, auditActorOf(request));
      return reply.status(204).send();
    },
  );

  return Promise.resolve();
};
