import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalidField } from './api-error.ts';

// What a route reads from the request itself, outside its schema: who asks and on which origin.
// Services take the plain values (an email, a base URL), so every front door can call them.

/** The header naming who asks (annex has no accounts yet); an email. */
export const userHeader = 'x-annex-user';

// An email is at most 254 characters (RFC 5321's path limit); the header is stored as `created_by`.
const maxUserLength = 254;
const userEmailSchema = z.email().max(maxUserLength);

/** The origin the request came in on (`http://host:port`), so a link built on it opens for any client. */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** The link's absolute URL, on the host and protocol the request came in on, so any client can open it. */
export function absoluteUrl(request: FastifyRequest, path: string): string {
  return `${originOf(request)}${path}`;
}

/**
 * Who asks: the `x-annex-user` header when it is an email, `fallback` (DEFAULT_USER_EMAIL) when absent;
 * a 400 naming the header when it is something else.
 */
export function requesterOf(request: FastifyRequest, fallback: string): string {
  const header = request.headers[userHeader];
  if (header === undefined) return fallback;
  const value = Array.isArray(header) ? header[0] : header;
  const parsed = userEmailSchema.safeParse(value?.trim());
  if (!parsed.success) {
    // A long or binary header is not echoed back whole.
    const shown = JSON.stringify(String(value).slice(0, 60));
    const message =
      String(value).length > maxUserLength
        ? `must be an email address of at most ${maxUserLength} characters (who asks for the export)`
        : `must be an email address (who asks for the export), got ${shown}`;
    throw invalidField(`headers.${userHeader}`, message);
  }
  return parsed.data;
}
