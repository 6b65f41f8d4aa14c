import type { FastifyRequest } from 'fastify';

// What a route reads from the request itself, outside its schema: the origin it came in on.
// Services take plain values (a base URL), so every front door can call them. Who asks is the
// principal authentication found (auth/principal.ts).

/** The origin the request came in on (`http://host:port`), so a link built on it opens for any client. */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** The link's absolute URL, on the host and protocol the request came in on, so any client can open it. */
export function absoluteUrl(request: FastifyRequest, path: string): string {
  return `${originOf(request)}${path}`;
}
