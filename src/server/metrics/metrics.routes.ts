import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { ApiError } from '../http/api-error.ts';
import type { AnnexMetrics } from './annex-metrics.ts';
import { unmatchedRoute } from './annex-metrics.ts';

/*
 * `GET /metrics` for Prometheus, and the hook that times every request. Who may read it: anyone who
 * reaches the port unless METRICS_TOKEN is set, then only a scraper sending
 * `Authorization: Bearer <METRICS_TOKEN>`. The numbers name no user, project or file, only counts,
 * timings and worker ids; a deployment whose API port is public should still set the token (or
 * scrape a worker's METRICS_PORT on a private network). It is outside /api (annex's API keys do not
 * apply) and, like the probes, answers whatever the Host header says: scrapers call pod addresses.
 */

/** What the metrics route is built from. */
export interface MetricsRoutesOptions {
  /** The process's metrics. */
  metrics: AnnexMetrics;
  /** METRICS_TOKEN: when set, a scrape must send it as a bearer token. */
  token?: string | undefined;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** Whether an Authorization header carries `token` as a bearer token; compared in constant time. */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const sent = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (sent === undefined) return false;
  // Hashes first: equal lengths for timingSafeEqual, and no hint of the token's length.
  return timingSafeEqual(sha256(sent), sha256(token));
}

/** `GET /metrics`: this process's metrics in Prometheus text format. */
export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = (
  app,
  { metrics, token },
) => {
  // A scrape every few seconds is not worth a log line each.
  app.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    if (token !== undefined && !bearerTokenMatches(request.headers.authorization, token)) {
      void reply.header('www-authenticate', 'Bearer realm="annex metrics"');
      throw new ApiError(
        'unauthenticated',
        'GET /metrics needs the metrics token: send "Authorization: Bearer <METRICS_TOKEN>" (set in the server\'s environment).',
      );
    }
    const text = await metrics.render();
    return reply.header('cache-control', 'no-store').type(metrics.contentType).send(text);
  });
  return Promise.resolve();
};

/**
 * Times every request of `app` into `annex_http_request_duration_seconds`, labelled with the route's
 * pattern (a request no route matched counts as `unmatched`); event streams are left out. Called on the root instance before any
 * route is registered, so the hook covers them all.
 */
export function installHttpMetrics(app: FastifyInstance, metrics: AnnexMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    // A live-status stream stays open for minutes by design: its length is no latency.
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
      done();
      return;
    }
    metrics.observeHttpRequest(
      request.method,
      request.routeOptions.url ?? unmatchedRoute,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}
