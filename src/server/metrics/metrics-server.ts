import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { installErrorHandler } from '../http/error-handler.ts';
import type { AnnexMetrics } from './annex-metrics.ts';
import { installHttpMetrics, metricsRoutes } from './metrics.routes.ts';

/** How the metrics server listens. */
export interface MetricsServerOptions {
  /** The process's metrics (the same registry its API, if any, serves). */
  metrics: AnnexMetrics;
  /** METRICS_TOKEN, if set. */
  token?: string | undefined;
  /** Interface to bind (HOST). */
  host: string;
  /** METRICS_PORT; 0 takes a free port (tests). */
  port: number;
}

/** A started metrics server and where it listens. */
export interface MetricsServer {
  /** The Fastify instance (closed on shutdown). */
  app: FastifyInstance;
  /** `http://host:port`. */
  address: string;
}

/**
 * A tiny HTTP server with only `GET /metrics`, for a process without the API (`--services=worker`)
 * or to scrape an API process on a private port: started when METRICS_PORT is set.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const app = Fastify({ logger: false });
  installErrorHandler(app);
  installHttpMetrics(app, options.metrics);
  await app.register(metricsRoutes, { metrics: options.metrics, token: options.token });
  const address = await app.listen({ host: options.host, port: options.port });
  return { app, address };
}
