import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionClient } from './account-service.ts';
import { sessionCookieName } from './authenticate.ts';

// The panel's session cookie, as sign-in and sign-up set it and sign-out clears it. HttpOnly keeps
// it from page scripts, SameSite=Lax from other sites' forms and fetches; Secure whenever the
// request came over HTTPS (directly, or through a proxy annex trusts with TRUST_PROXY), so a plain
// HTTP start on localhost still works.

/** The cookie's attributes for a request that came in over `protocol`, lasting `maxAgeSeconds`. */
export function sessionCookieOptions(
  protocol: string,
  maxAgeSeconds: number,
): CookieSerializeOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: protocol === 'https',
    maxAge: maxAgeSeconds,
  };
}

/** The token the request's session cookie carries, if any. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const token = request.cookies[sessionCookieName];
  return token === undefined || token === '' ? undefined : token;
}

/** The browser a session is started for: its address, user agent and the cookie it already had. */
export function sessionClientOf(request: FastifyRequest): SessionClient {
  return {
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
    oldToken: sessionTokenOf(request),
  };
}

/** Sets the session cookie to `token`; the browser keeps it as long as the session's absolute lifetime. */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  absoluteHours: number,
): void {
  reply.setCookie(
    sessionCookieName,
    token,
    sessionCookieOptions(request.protocol, absoluteHours * 3600),
  );
}

/** Tells the browser to forget its session cookie (same name, path and flags, or it would not match). */
export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  const { maxAge: _maxAge, ...attributes } = sessionCookieOptions(request.protocol, 0);
  reply.clearCookie(sessionCookieName, attributes);
}
