import type { FastifyRequest } from 'fastify';
import type { ProjectRole } from '../../contract/roles.ts';
import { ApiError } from '../http/api-error.ts';

// Who a request acts for, once authentication has read its cookie or its API key. Routes read it
// with `principalOf` (401 when nobody) and check rights with the guards here or in project-access.

/** The account behind a request. */
export interface PrincipalUser {
  id: number;
  email: string;
  /** May act as instance admin: the account is one and the request is not limited by a bound key. */
  isInstanceAdmin: boolean;
  /** The account is an instance admin (admin of every project), even when a bound key limits this request. */
  isInstanceAdminAccount: boolean;
  mustChangePassword: boolean;
}

/** A request signed in through the panel's session cookie. */
export interface SessionPrincipal {
  via: 'session';
  user: PrincipalUser;
  /** The session's row (its token's SHA-256). */
  sessionTokenHash: string;
  /** When the session ends if unused (idle expiry), ISO-8601. */
  expiresAt: string;
}

/** A request carrying an API key as HTTP Basic auth. */
export interface ApiKeyPrincipal {
  via: 'api_key';
  user: PrincipalUser;
  apiKey: {
    id: number;
    name: string;
    /** The one project it may reach, or null for every project of its user. */
    projectId: number | null;
    /** The most it may do there, or null for its user's own role. */
    role: ProjectRole | null;
  };
}

/** Who a request acts for. */
export type Principal = SessionPrincipal | ApiKeyPrincipal;

/** Why a request that carried credentials is not signed in; the 401's message. */
export type AuthProblem =
  | 'session_expired'
  | 'bad_api_key'
  | 'api_key_revoked'
  | 'account_disabled'
  | 'malformed_authorization';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts for; null when it carried no credentials or bad ones. */
    annexPrincipal: Principal | null;
    /** Why credentials it carried were refused, for the 401's message; null when none were. */
    annexAuthProblem: AuthProblem | null;
  }
  interface FastifyContextConfig {
    /** Answered without credentials (sign-in, sign-up, health): the authentication guard lets it through. */
    public?: boolean;
  }
}

const problemMessages: Record<AuthProblem | 'none', string> = {
  none: 'Sign in first: open the panel and sign in, or send an API key as HTTP Basic auth (-u client_id:client_secret).',
  session_expired: 'Your session has ended (signed out, or idle too long). Sign in again.',
  bad_api_key:
    'The API key is not valid: check client_id and client_secret (Basic auth, client_id:client_secret).',
  api_key_revoked: 'This API key was revoked. Create a new one under "API keys" in the panel.',
  account_disabled: 'This account is disabled. Ask an instance admin to turn it back on.',
  malformed_authorization:
    'The Authorization header must be "Basic " and base64 of client_id:client_secret.',
};

/** The 401 for a request nobody is signed in on, saying why. */
export function unauthenticated(problem: AuthProblem | null): ApiError {
  return new ApiError('unauthenticated', problemMessages[problem ?? 'none'], {
    reason: problem ?? 'no_credentials',
  });
}

/** Who the request acts for; a 401 saying why when nobody. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.annexPrincipal === null) throw unauthenticated(request.annexAuthProblem);
  return request.annexPrincipal;
}

/** The principal when they are an instance admin; a 403 otherwise. */
export function requireInstanceAdmin(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (!principal.user.isInstanceAdmin) {
    throw new ApiError(
      'forbidden',
      'Only an instance admin may do this (manage users and create projects). An API key bound to one project never may.',
    );
  }
  return principal;
}

/** The principal when signed in through the panel or with an unbound key; a 403 for a key bound to one project. */
export function requireUnboundPrincipal(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (principal.via === 'api_key' && principal.apiKey.projectId !== null) {
    throw new ApiError(
      'forbidden',
      'An API key bound to one project may not manage API keys. Sign in to the panel, or use a key that is not bound.',
    );
  }
  return principal;
}
