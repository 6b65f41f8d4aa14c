import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  meResponseSchema,
  signUpInfoSchema,
  signUpRequestSchema,
  signUpTokenParamsSchema,
} from '../../contract/auth.ts';
import { sessionClientOf, setSessionCookie } from './session-cookie.ts';
import type { SignUpService } from './sign-up-service.ts';

/** What the sign-up routes are built from. */
export interface SignUpRoutesOptions {
  signUps: SignUpService;
  /** SESSION_ABSOLUTE_HOURS: how long the browser keeps the cookie. */
  sessionAbsoluteHours: number;
}

/**
 * `/auth/sign-up`: a new user opens their one-time link and picks a password. Both routes are
 * public (the token is the credential), registered under `/api/v1`. A link that cannot be used is a
 * 404 whose message says why (not valid, used, expired) and whose `details.reason` names it.
 */
export const signUpRoutes: FastifyPluginAsyncZod<SignUpRoutesOptions> = (app, options) => {
  const { signUps, sessionAbsoluteHours } = options;

  /** Whose link it is and until when, for the sign-up page to show before the password is picked. */
  app.get(
    '/auth/sign-up/:token',
    {
      config: { public: true },
      schema: { params: signUpTokenParamsSchema, response: { 200: signUpInfoSchema } },
    },
    async (request) => signUps.info(request.params.token),
  );

  /** Sets the password, uses up the link and signs in (cookie as at sign-in). */
  app.post(
    '/auth/sign-up',
    {
      config: { public: true },
      schema: { body: signUpRequestSchema, response: { 200: meResponseSchema } },
    },
    async (request, reply) => {
      const started = await signUps.signUp(request.body, sessionClientOf(request));
      setSessionCookie(request, reply, started.token, sessionAbsoluteHours);
      return started.me;
    },
  );

  return Promise.resolve();
};
