import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

// No CORS by default: no answer carries Access-Control-Allow-Origin and a preflight from another
// origin finds no route, so another site's page can neither read annex's answers nor send it a
// JSON request. CORS_ORIGINS names the sites whose pages may (a dashboard of the same company),
// with the visitor's cookie: they are trusted as much as the panel itself (see cross-site.ts).

/** The origins of a comma-separated CORS_ORIGINS (`https://a.example`); throws naming an entry that is not an origin. */
export function corsOriginsList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      const origin = url?.origin;
      if (origin === undefined || origin === 'null' || origin !== entry.replace(/\/$/, '')) {
        throw new Error(
          `"${entry}" is not an origin (scheme, host and port only, e.g. https://dashboard.example.com)`,
        );
      }
      return origin;
    });
}

/**
 * Answers CORS requests and preflights from exactly `origins` (credentials allowed); does nothing
 * when the list is empty. Registered before authentication, so a preflight (which never carries
 * credentials) is answered rather than refused with a 401.
 */
export async function installCors(app: FastifyInstance, origins: string[]): Promise<void> {
  if (origins.length === 0) return;
  await app.register(fastifyCors, {
    origin: origins,
    credentials: true,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  });
}
