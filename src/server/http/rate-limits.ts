import fastifyRateLimit from '@fastify/rate-limit';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import type { AppConfig } from '../config/env.ts';
import { ApiError } from './api-error.ts';

// Which routes are rate-limited, and how much: sign-in per account (the email tried) and per client
// address, so neither guessing one account's password nor spraying many accounts from one address
// gets far; and export creation per user, so one script cannot queue the worker full. The counters
// live in this process's memory (@fastify/rate-limit's local store): several API processes each
// count their own share.

/** The limits, from the environment. */
export interface RateLimitSettings {
  /** Sign-in attempts per account (email) per window. */
  signInPerAccount: number;
  /** Sign-in attempts per client address per window. */
  signInPerAddress: number;
  /** The sign-in window, in minutes. */
  signInWindowMinutes: number;
  /** Export requests per user per minute. */
  exportsPerMinute: number;
}

/** The limits a configuration sets. */
export function rateLimitSettingsOf(config: AppConfig): RateLimitSettings {
  return {
    signInPerAccount: config.SIGN_IN_LIMIT_PER_ACCOUNT,
    signInPerAddress: config.SIGN_IN_LIMIT_PER_ADDRESS,
    signInWindowMinutes: config.SIGN_IN_LIMIT_WINDOW_MINUTES,
    exportsPerMinute: config.EXPORTS_PER_MINUTE,
  };
}

/** "40 seconds", "1 minute", "15 minutes": how long until a limit lets the next request through. */
export function retryAfterWords(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The 429 `rate_limited` answer: what was limited and when to try again (Retry-After says the same). */
export function rateLimited(what: string, retryAfterSeconds: number, limit: string): ApiError {
  return new ApiError(
    'rate_limited',
    `${what} Try again in ${retryAfterWords(retryAfterSeconds)}.`,
    { limit, retry_after_seconds: retryAfterSeconds },
  );
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/** Counts the request against `limiter`; past its limit, sets Retry-After and throws the 429. */
async function enforce(
  limiter: Limiter,
  request: FastifyRequest,
  reply: FastifyReply,
  refusal: (retryAfterSeconds: number) => ApiError,
): Promise<void> {
  const state = await limiter(request);
  if (state.isAllowed || !state.isExceeded) return;
  const retryAfterSeconds = Math.max(1, state.ttlInSeconds);
  void reply.header('retry-after', String(retryAfterSeconds));
  throw refusal(retryAfterSeconds);
}

// The email a sign-in body carries, lower-cased by its schema; the preHandler runs after validation.
function signInEmail(request: FastifyRequest): string {
  const body = request.body as { email?: unknown } | undefined;
  return typeof body?.email === 'string' ? body.email : '';
}

/**
 * Registers @fastify/rate-limit (no global limit) and puts the limits on the routes they guard, by
 * method and URL, as those routes are registered: call it before registering them.
 */
export async function installRateLimits(
  app: FastifyInstance,
  settings: RateLimitSettings,
): Promise<void> {
  await app.register(fastifyRateLimit, {
    global: false,
    // A route given `config.rateLimit` later answers in the envelope too.
    errorResponseBuilder: (_request, context) =>
      rateLimited('Too many requests.', Math.max(1, Math.ceil(context.ttl / 1000)), 'route'),
  });

  const signInWindowMs = settings.signInWindowMinutes * 60_000;
  // Address first: a request refused for its address does not count against the account it names.
  const perAddress = app.createRateLimit({
    max: settings.signInPerAddress,
    timeWindow: signInWindowMs,
  });
  const perAccount = app.createRateLimit({
    max: settings.signInPerAccount,
    timeWindow: signInWindowMs,
    keyGenerator: signInEmail,
  });
  const signInLimit: preHandlerAsyncHookHandler = async (request, reply) => {
    await enforce(perAddress, request, reply, (seconds) =>
      rateLimited('Too many sign-in attempts from this address.', seconds, 'sign_in_address'),
    );
    await enforce(perAccount, request, reply, (seconds) =>
      rateLimited('Too many sign-in attempts for this account.', seconds, 'sign_in_account'),
    );
  };

  const perUserExports = app.createRateLimit({
    max: settings.exportsPerMinute,
    timeWindow: 60_000,
    // Export routes need someone signed in; the address is only a fallback.
    keyGenerator: (request) => `user:${request.annexPrincipal?.user.id ?? request.ip}`,
  });
  const exportLimit: preHandlerAsyncHookHandler = async (request, reply) => {
    await enforce(perUserExports, request, reply, (seconds) =>
      rateLimited(
        `Too many exports asked for: at most ${settings.exportsPerMinute} a minute per user.`,
        seconds,
        'exports',
      ),
    );
  };

  // A stolen session must not guess the current password without end: the same budget as sign-in,
  // per user.
  const perUserPasswordChecks = app.createRateLimit({
    max: settings.signInPerAccount,
    timeWindow: signInWindowMs,
    keyGenerator: (request) => `user:${request.annexPrincipal?.user.id ?? request.ip}`,
  });
  const passwordChangeLimit: preHandlerAsyncHookHandler = async (request, reply) => {
    await enforce(perUserPasswordChecks, request, reply, (seconds) =>
      rateLimited('Too many password changes tried for this account.', seconds, 'password_change'),
    );
  };

  const limited: Record<string, preHandlerAsyncHookHandler> = {
    'POST /api/v1/auth/sign-in': signInLimit,
    'POST /api/v1/auth/password': passwordChangeLimit,
    'POST /api/v1/projects/:project/exports': exportLimit,
    // A retry queues a new export: it counts as one.
    'POST /api/v1/projects/:project/exports/:id/retry': exportLimit,
    'POST /api/walrus/project/:project_string_id/export/to_file': exportLimit,
  };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const limit = limited[`${method} ${route.url}`];
      if (limit === undefined) continue;
      // After the route's own preHandlers (the project lookup's 404 comes first and costs nothing).
      const own = route.preHandler;
      route.preHandler = [...(own === undefined ? [] : Array.isArray(own) ? own : [own]), limit];
    }
  });
}
