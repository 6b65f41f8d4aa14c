import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { isApiRequest } from './request-context.ts';

// Headers that keep a browser from being turned against annex's users: on every answer helmet's set
// (nosniff, no referrer, no framing, the panel's Content-Security-Policy); on API answers, which
// carry project data, `Cache-Control: no-store` so no shared or disk cache keeps them. Export files
// served inline replace the CSP with `sandbox` (export-download.ts).

/**
 * The panel's Content-Security-Policy, written out in full rather than over helmet's defaults: those
 * add `upgrade-insecure-requests`, which breaks a panel served over plain HTTP on a LAN address, and
 * allow styles from any https: host. The panel is a Vite build: scripts and its worker from 'self'
 * only; Mantine and CodeMirror insert `<style>` elements and style attributes, hence 'unsafe-inline'
 * for styles (never for scripts).
 */
export const panelContentSecurityPolicy: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** Sets the security headers on every answer and `no-store` plus nosniff on every `/api/` answer, errors included. */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: panelContentSecurityPolicy },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // HSTS is the TLS terminator's to send (a proxy in front); annex itself speaks plain HTTP, and an
    // HSTS header with includeSubDomains from an app could pin a whole company domain to HTTPS.
    strictTransportSecurity: false,
  });
  // onSend, so it also reaches answers a route or the error handler built with its own headers.
  app.addHook('onSend', async (request, reply, payload) => {
    if (isApiRequest(request)) {
      void reply.header('cache-control', 'no-store');
      void reply.header('x-content-type-options', 'nosniff');
    }
    return payload;
  });
}
