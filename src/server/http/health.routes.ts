import { z } from 'zod';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import { pingDatabase } from '../db/database.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { pendingMigrations } from '../db/migrator.ts';
import { ApiError, databaseUnavailableMessage } from './api-error.ts';

/*
 * Probes for whatever runs annex (a load balancer, Kubernetes, a script waiting for start-up). They
 * live outside /api/v1: they describe this process, not the API's resources, and do not change with
 * its version. `/healthz` (and its older name `/livez`) says the process answers: restart it if not.
 * `/readyz` says it can serve calls now: the database answers, the export storage is reachable and
 * the schema has every migration this build knows. Send it no traffic while not; a restart would
 * not help (a pending migration is run by the next process that starts, or the one starting now).
 */

/** What `/readyz` answers when every part is up. */
const readyResponseSchema = z.object({
  /** Always `ready` in a 200; a 503 carries the error envelope instead. */
  status: z.literal('ready'),
  /** The database answered a `SELECT 1` just now. */
  database: z.literal('up'),
  /** The export storage answered its check just now. */
  storage: z.literal('up'),
  /** Every migration this build knows is recorded in the database. */
  migrations: z.literal('up'),
});

/**
 * The `details` of a `/readyz` 503: each part and how it stands. `migrations` is `unknown` while
 * the database does not answer (nothing to ask).
 */
export const readinessDetailsSchema = z.object({
  /** `down` when `SELECT 1` failed or took longer than the readiness timeout. */
  database: z.enum(['up', 'down']),
  /** `down` when the storage check threw or took longer than the readiness timeout. */
  storage: z.enum(['up', 'down']),
  /** `pending` when the database lacks a migration this build knows. */
  migrations: z.enum(['up', 'pending', 'unknown']),
  /** The migrations this build knows that the database has not recorded, in order; empty unless `pending`. */
  pending_migrations: z.array(z.string()),
});
/** The `details` of a `/readyz` 503. */
export type ReadinessDetails = z.infer<typeof readinessDetailsSchema>;

/** What `/healthz` and `/livez` answer. */
const liveResponseSchema = z.object({
  /** Always `live`: the process is up and its event loop turns. */
  status: z.literal('live'),
});

/** What the health routes are built from. */
export interface HealthRoutesOptions {
  /** The database readiness depends on. */
  database: AnnexDatabase;
  /** Resolves when the export storage is reachable, throws when it is not; `signal` gives up on it. */
  checkStorage: (signal: AbortSignal) => Promise<void>;
  /** Longest wait for each part's answer before `/readyz` counts it down (default 2 s). */
  readinessTimeoutMs?: number;
}

/** Rejects with a timeout error when `work` has not settled within `timeoutMs`. */
async function within<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The 503's message: one sentence per part that is down, the database first. The causes go to the
 * log, not here: the probe answers anyone, and a storage error can name paths or endpoints.
 */
function notReadyMessage(details: ReadinessDetails): string {
  const sentences: string[] = [];
  if (details.database === 'down') sentences.push(databaseUnavailableMessage);
  if (details.storage === 'down') {
    sentences.push(
      'The export storage is not reachable: check its settings (DATA_DIR, or EXPORT_STORAGE and the S3 settings) and the server log.',
    );
  }
  if (details.migrations === 'pending') {
    sentences.push(
      `The database schema is behind this build: migration(s) ${details.pending_migrations.join(', ')} pending. ` +
        'An annex process runs them when it starts; wait for the one starting, or restart one.',
    );
  }
  return sentences.join(' ');
}

/** The database's part of readiness: does it answer, and has it every migration this build knows. */
async function databaseState(
  database: AnnexDatabase,
  timeoutMs: number,
  log: FastifyBaseLogger,
): Promise<Pick<ReadinessDetails, 'database' | 'migrations' | 'pending_migrations'>> {
  const down = (): Pick<ReadinessDetails, 'database' | 'migrations' | 'pending_migrations'> => ({
    database: 'down',
    migrations: 'unknown',
    pending_migrations: [],
  });
  try {
    await pingDatabase(database, timeoutMs);
  } catch (error) {
    // Whatever the cause (refused, timed out, the pool closing), the answer is the same: not now.
    log.warn({ err: error }, 'readiness: the database did not answer');
    return down();
  }
  try {
    const pending = await within(pendingMigrations(database), timeoutMs, 'the migration check');
    return {
      database: 'up',
      migrations: pending.length === 0 ? 'up' : 'pending',
      pending_migrations: pending,
    };
  } catch (error) {
    log.warn({ err: error }, 'readiness: the database did not say which migrations ran');
    return down();
  }
}

/** The export storage's part of readiness. */
async function storageState(
  checkStorage: (signal: AbortSignal) => Promise<void>,
  timeoutMs: number,
  log: FastifyBaseLogger,
): Promise<ReadinessDetails['storage']> {
  try {
    // The signal ends the store's request too, so slow probes do not pile up in its connection pool.
    await within(checkStorage(AbortSignal.timeout(timeoutMs)), timeoutMs, 'the export storage');
    return 'up';
  } catch (error) {
    log.warn({ err: error }, 'readiness: the export storage is not reachable');
    return 'down';
  }
}

/**
 * `GET /healthz` and `GET /livez` (200 while the process runs) and `GET /readyz` (200 listing each
 * part `up`, else 503 `unavailable` naming the parts that are not, with `ReadinessDetails`).
 */
export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = (
  app,
  { database, checkStorage, readinessTimeoutMs = 2000 },
) => {
  for (const url of ['/healthz', '/livez']) {
    app.get(url, { schema: { response: { 200: liveResponseSchema } } }, async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      return { status: 'live' as const };
    });
  }

  app.get(
    '/readyz',
    { schema: { response: { 200: readyResponseSchema, 503: errorEnvelopeSchema } } },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      const [databaseParts, storage] = await Promise.all([
        databaseState(database, readinessTimeoutMs, request.log),
        storageState(checkStorage, readinessTimeoutMs, request.log),
      ]);
      const details: ReadinessDetails = { ...databaseParts, storage };
      if (details.database === 'up' && details.storage === 'up' && details.migrations === 'up') {
        return { status: 'ready', database: 'up', storage: 'up', migrations: 'up' } as const;
      }
      throw new ApiError('unavailable', notReadyMessage(details), details);
    },
  );
  return Promise.resolve();
};
