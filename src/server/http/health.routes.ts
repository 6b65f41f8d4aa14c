import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import { pingDatabase } from '../db/database.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { ApiError, databaseUnavailableMessage } from './api-error.ts';

/*
 * Probes for whatever runs annex (a load balancer, Kubernetes, a script waiting for start-up). They
 * live outside /api/v1: they describe this process, not the API's resources, and do not change with
 * its version. `/livez` says the process answers (restart it if not); `/readyz` says it can serve
 * calls now, which needs the database (send no traffic while not; a restart would not help).
 */

/** What `/readyz` answers while the database answers. */
const readyResponseSchema = z.object({
  /** Always `ready` in a 200; a 503 carries the error envelope instead. */
  status: z.literal('ready'),
  /** The database answered a `SELECT 1` just now. */
  database: z.literal('up'),
});

/** What `/livez` answers. */
const liveResponseSchema = z.object({
  /** Always `live`: the process is up and its event loop turns. */
  status: z.literal('live'),
});

/** What the health routes are built from. */
export interface HealthRoutesOptions {
  /** The database readiness depends on. */
  database: AnnexDatabase;
  /** Longest wait for the database's answer before `/readyz` says 503 (default 2 s). */
  readinessTimeoutMs?: number;
}

/** `GET /livez` (200 while the process runs) and `GET /readyz` (200 while the database answers, else 503). */
export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = (
  app,
  { database, readinessTimeoutMs = 2000 },
) => {
  app.get(
    '/livez',
    { schema: { response: { 200: liveResponseSchema } } },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      return { status: 'live' as const };
    },
  );

  app.get(
    '/readyz',
    { schema: { response: { 200: readyResponseSchema, 503: errorEnvelopeSchema } } },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      try {
        await pingDatabase(database, readinessTimeoutMs);
      } catch (error) {
        // Whatever the cause (refused, timed out, the pool closing), the answer is the same: not now.
        request.log.warn({ err: error }, 'readiness: the database did not answer');
        throw new ApiError('unavailable', databaseUnavailableMessage);
      }
      return { status: 'ready' as const, database: 'up' as const };
    },
  );
  return Promise.resolve();
};
