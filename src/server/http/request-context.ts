import type { FastifyInstance, FastifyRequest } from 'fastify';

// What a route reads from the request itself, outside its schema: the base URL links are built on.
// Services take plain values (a base URL), so every front door can call them. Who asks is the
// principal authentication found (auth/principal.ts).

declare module 'fastify' {
  interface FastifyInstance {
    /** PUBLIC_URL without its trailing slash (keeping a base path), or null when unset. */
    annexPublicUrl: string | null;
  }
}

/** PUBLIC_URL as links start with it: no trailing slash, a base path kept (`https://x.example/annex`). */
export function publicBaseUrl(publicUrl: string): string {
  const url = new URL(publicUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Makes `originOf` build links on PUBLIC_URL (when set) in every route of `app`. */
export function installPublicUrl(app: FastifyInstance, publicUrl: string | undefined): void {
  app.decorate('annexPublicUrl', publicUrl === undefined ? null : publicBaseUrl(publicUrl));
}

/**
 * Where links start: PUBLIC_URL when set (the one name people reach annex under, whatever a proxy
 * or the Host header says); else the protocol and host the request came in on (`http://host:port`,
 * behind a proxy TRUST_PROXY trusts its X-Forwarded-Proto/-Host), so a link opens for any client.
 */
export function originOf(request: FastifyRequest): string {
  return request.server.annexPublicUrl ?? `${request.protocol}://${request.host}`;
}

/**
 * True for a request to the API: judged by the route it matched (the router decodes the path, so
 * `/%61pi/v1/projects` reaches an `/api/` route), or by its URL when no route matched.
 */
export function isApiRequest(request: FastifyRequest): boolean {
  return (request.routeOptions.url ?? request.url).startsWith('/api/');
}
