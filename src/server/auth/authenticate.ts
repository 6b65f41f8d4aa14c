import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AnnexDatabase } from '../db/database.ts';
import type { AppUserRow } from '../db/schema.ts';
import { isApiRequest } from '../http/request-context.ts';
import { findApiKey } from './api-key-lookup.ts';
import { prepareDecoy } from './password-hash.ts';
import type { AuthProblem, Principal, PrincipalUser } from './principal.ts';
import { unauthenticated } from './principal.ts';
import { SessionStore } from './session-store.ts';
import type { SessionLifetimes } from './session-store.ts';

// Every request is read for credentials before anything else runs: an `Authorization: Basic` API
// key (what scripts and Diffgram's SDK send) or the panel's session cookie. Every `/api/` route
// then needs someone signed in unless its config says `public: true`; a 401 says why not.

/** The panel's session cookie. */
export const sessionCookieName = 'annex_session';

/** What authentication is built from. */
export interface AuthenticationOptions {
  database: AnnexDatabase;
  lifetimes: SessionLifetimes;
}

function userOf(row: AppUserRow, limitedToProject: boolean): PrincipalUser {
  return {
    id: row.id,
    email: row.email,
    // A key bound to one project never acts as an instance admin.
    isInstanceAdmin: row.is_instance_admin === 1 && !limitedToProject,
    isInstanceAdminAccount: row.is_instance_admin === 1,
    mustChangePassword: row.must_change_password === 1,
  };
}

/** The client_id and secret of a Basic header, or 'malformed'; undefined when there is no such header. */
export function basicCredentials(
  header: string | undefined,
): { clientId: string; clientSecret: string } | 'malformed' | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (match?.[1] === undefined) return 'malformed';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return 'malformed';
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

type Resolution = { principal: Principal } | { problem: AuthProblem } | undefined;

async function resolve(
  request: FastifyRequest,
  reply: FastifyReply,
  database: AnnexDatabase,
  sessions: SessionStore,
): Promise<Resolution> {
  const basic = basicCredentials(request.headers.authorization);
  if (basic === 'malformed') return { problem: 'malformed_authorization' };
  if (basic !== undefined) {
    const found = await findApiKey(database.db, basic.clientId, basic.clientSecret);
    if (!found.found) return { problem: found.reason };
    if (found.user.disabled === 1) return { problem: 'account_disabled' };
    const { key } = found;
    return {
      principal: {
        via: 'api_key',
        user: userOf(found.user, key.project_id !== null),
        apiKey: { id: key.id, name: key.name, projectId: key.project_id, role: key.role },
      },
    };
  }
  const token = request.cookies[sessionCookieName];
  if (token === undefined || token === '') return undefined;
  const found = await sessions.find(token);
  if (!found.found || found.user.disabled === 1) {
    // The browser forgets a cookie that no longer signs anyone in.
    reply.clearCookie(sessionCookieName, { path: '/' });
    return { problem: found.found ? 'account_disabled' : 'session_expired' };
  }
  return {
    principal: {
      via: 'session',
      user: userOf(found.user, false),
      sessionTokenHash: found.tokenHash,
      expiresAt: found.idleExpiresAt.toISOString(),
    },
  };
}

/** Reads every request's credentials and guards `/api/` routes; returns the session store it uses. */
export async function installAuthentication(
  app: FastifyInstance,
  options: AuthenticationOptions,
): Promise<SessionStore> {
  await app.register(fastifyCookie);
  await prepareDecoy();
  const sessions = new SessionStore(options.database.db, options.lifetimes);
  app.decorateRequest('annexPrincipal', null);
  app.decorateRequest('annexAuthProblem', null);
  app.addHook('onRequest', async (request, reply) => {
    // Outside /api/ (the panel's files, health probes, signed download links) nobody is asked who
    // they are, and a database that is away does not turn a liveness probe into a 503.
    if (!isApiRequest(request)) return;
    const resolution = await resolve(request, reply, options.database, sessions);
    if (resolution !== undefined && 'principal' in resolution)
      request.annexPrincipal = resolution.principal;
    if (resolution !== undefined && 'problem' in resolution)
      request.annexAuthProblem = resolution.problem;
    if (request.routeOptions.config.public !== true && request.annexPrincipal === null)
      throw unauthenticated(request.annexAuthProblem);
  });
  return sessions;
}
