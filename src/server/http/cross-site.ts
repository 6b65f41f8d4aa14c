import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.ts';
import { corsOriginsList } from './cors.ts';

/*
 * Cross-site request forgery: a page on another site can make the visitor's browser send a POST
 * or DELETE to annex, and the browser attaches the panel's session cookie (SameSite=Lax stops it
 * only for some requests, and a sibling subdomain counts as the same site). The rule:
 *
 *   Every unsafe request (POST, PUT, PATCH, DELETE) that is not authenticated by an API key must
 *   come from the panel's own origin: `Sec-Fetch-Site: same-origin` (or `none`, typed by the user),
 *   or an `Origin` equal to the request's own origin (protocol and Host), to PUBLIC_URL's, or to
 *   one of CORS_ORIGINS. A request that carries neither header passes only without a cookie: every
 *   browser sends one of them on an unsafe request, so one without both is a script (curl, the SDK)
 *   and has nothing to forge with unless it sends a cookie, which it then must not do cross-site.
 *
 * That covers each cookie-authenticated change and the public sign-in and sign-up (login CSRF: a
 * page signing the visitor in as the attacker), which carry no cookie yet. API keys (HTTP Basic)
 * are exempt: a browser never attaches one by itself (annex never asks it to, with a
 * WWW-Authenticate), so a request carrying a valid one was written by its holder. Runs after
 * authentication, which tells a key from a cookie.
 */

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const sameOriginFetchSites = new Set(['same-origin', 'none']);

/** The origin of a URL (`https://annex.example.com`), or undefined when it has none. */
function originOfUrl(value: string): string | undefined {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** The origin the request itself was sent to, as a browser would spell it in `Origin`. */
function ownOrigin(request: FastifyRequest): string | undefined {
  return originOfUrl(`${request.protocol}://${request.host}`);
}

/** Whether the request came from a page annex trusts; `trustedOrigins` are PUBLIC_URL's and CORS_ORIGINS. */
export function comesFromTrustedPage(
  request: FastifyRequest,
  trustedOrigins: ReadonlySet<string>,
): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && sameOriginFetchSites.has(fetchSite)) return true;
  const originHeader = request.headers.origin;
  if (originHeader === undefined) return fetchSite === undefined && !('cookie' in request.headers);
  const origin = originOfUrl(originHeader);
  return origin !== undefined && (origin === ownOrigin(request) || trustedOrigins.has(origin));
}

/** Where, besides the request's own origin, a trusted page may be: PUBLIC_URL's origin and CORS_ORIGINS. */
export interface CrossSiteSettings {
  PUBLIC_URL?: string | undefined;
  CORS_ORIGINS?: string | undefined;
}

/**
 * Refuses (403 `forbidden`) every unsafe request not sent with an API key that does not come from a
 * trusted page; install it after authentication.
 */
export function installCrossSiteCheck(app: FastifyInstance, settings: CrossSiteSettings): void {
  const trusted = new Set(corsOriginsList(settings.CORS_ORIGINS));
  if (settings.PUBLIC_URL !== undefined) trusted.add(new URL(settings.PUBLIC_URL).origin);
  app.addHook('onRequest', (request, _reply, done) => {
    if (
      !unsafeMethods.has(request.method) ||
      request.annexPrincipal?.via === 'api_key' ||
      comesFromTrustedPage(request, trusted)
    ) {
      done();
      return;
    }
    done(
      new ApiError(
        'forbidden',
        "A cross-site request was refused: changes through the panel's session must come from the panel itself. Use the panel, or send an API key (-u client_id:client_secret) from a script.",
        {
          origin: request.headers.origin ?? null,
          sec_fetch_site: request.headers['sec-fetch-site'] ?? null,
        },
      ),
    );
  });
}
