import path from 'node:path';
import { z } from 'zod';
import { corsOriginsList } from '../http/cors.ts';
import { allowedHostsList } from '../http/host-check.ts';
import { trustProxySetting } from '../http/trust-proxy.ts';
import { parseS3StorageUrl } from '../storage/s3-settings.ts';

/** Where the database lives: a SQLite file (`sqlite:` prefix or a bare path) or a PostgreSQL URL. */
const databaseUrl = z
  .string()
  .min(1)
  .refine(
    (value) =>
      value.startsWith('sqlite:') ||
      value.startsWith('postgres://') ||
      value.startsWith('postgresql://') ||
      !value.includes('://'),
    'must be sqlite:<path>, a file path, or postgres://user@host:port/database',
  );

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

/** A string setting the server parses itself at start: checked here so a bad one is named with the rest. */
function parsedAtStart(parse: (value: string) => unknown) {
  return z
    .string()
    .superRefine((value, context) => {
      try {
        parse(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
    .optional();
}

/** Every setting annex reads from the environment; `.env.example` documents each one. */
export const envSchema = z
  .object({
    /** Interface the HTTP server binds to. */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Port the HTTP server listens on. */
    PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
    /** Folder for the embedded database, export files and the link secret. */
    DATA_DIR: z.string().min(1).default('./data'),
    /** Database connection; defaults to `sqlite:<DATA_DIR>/annex.db`. */
    DATABASE_URL: databaseUrl.optional(),
    /** Secret for signing download links; generated and kept in DATA_DIR when unset. */
    LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** How long a download link stays valid, in minutes. */
    LINK_TTL_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(15),
    /** How many exports one worker process builds at once. */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
    /** How often an idle worker looks for queued exports and imports, in milliseconds. */
    WORKER_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    /**
     * The largest file `POST …/imports` accepts, in bytes (default 10 GiB); a larger one is refused
     * with 413 `payload_too_large`, before it is read when the request says its length. The file is
     * streamed to DATA_DIR/imports, never held in memory, so this bounds disk, not memory.
     */
    IMPORT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .default(10 * 1024 ** 3),
    /**
     * The largest one file packet of an import may be, in bytes (default 64 MiB). The upload check
     * refuses a file with a larger packet (or a nesting deeper than 64, or a string or number longer
     * than this) as it arrives, and the worker fails an import of one stored before; a packet is held
     * whole in memory while it is imported, so this bounds the worker's memory per packet.
     */
    IMPORT_MAX_PACKET_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(Number.MAX_SAFE_INTEGER)
      .default(64 * 1024 ** 2),
    /** Longest a `wait_for_export_generation` request waits before answering with the export as it is. */
    WAIT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(120),
    /** Seed the demo project when the database holds no project. */
    SEED_DEMO: booleanFlag.default(true),
    /** The first instance admin's email, created on a start with no account. */
    ANNEX_ADMIN_EMAIL: z.email().default('admin@annex.local'),
    /** The first instance admin's password; generated, printed once and kept in DATA_DIR/initial-admin-password when unset. */
    ANNEX_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').max(200).optional(),
    /** A panel session unused this long ends, in minutes. */
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60)
      .default(12 * 60),
    /** A panel session ends this long after sign-in however busy, in hours. */
    SESSION_ABSOLUTE_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(365 * 24)
      .default(7 * 24),
    /** How long a sign-up link (a new user's, or a password reset) works, in hours. */
    SIGN_UP_LINK_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(30 * 24)
      .default(72),
    /** Sign-in attempts one account (the email tried) may make per SIGN_IN_LIMIT_WINDOW_MINUTES; more get 429. */
    SIGN_IN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).max(1_000_000).default(10),
    /** Sign-in attempts one client address may make per SIGN_IN_LIMIT_WINDOW_MINUTES, whatever the email. */
    SIGN_IN_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(30),
    /** The window the sign-in limits count in, in minutes. */
    SIGN_IN_LIMIT_WINDOW_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    /** Exports one user may ask for per minute; more get 429. */
    EXPORTS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
    /** Behind a reverse proxy: trust its X-Forwarded-* headers (true, a hop count, or addresses), for HTTPS cookies and client addresses. */
    TRUST_PROXY: parsedAtStart(trustProxySetting),
    /** The URL people and scripts reach annex at (https://annex.example.com); links are built on it and its host is accepted. */
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** More host names the Host header may carry, comma-separated (the bound address, localhost and PUBLIC_URL's are always accepted); `*` turns the check off (unsafe: DNS rebinding). */
    ALLOWED_HOSTS: parsedAtStart(allowedHostsList),
    /** Origins another site's pages may call the API from, comma-separated; none by default. */
    CORS_ORIGINS: parsedAtStart(corsOriginsList),
    /**
     * Where export files (and uploaded import files) are kept: `local` (DATA_DIR/exports and
     * DATA_DIR/imports, the default) or an S3-compatible bucket, `s3://bucket/prefix`, shared by every
     * API and worker process.
     */
    EXPORT_STORAGE: z
      .string()
      .default('local')
      .superRefine((value, context) => {
        if (value === 'local') return;
        try {
          parseS3StorageUrl(value);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
    /** An S3-compatible server's URL (http://127.0.0.1:9000 for MinIO); AWS's own endpoint when unset. */
    S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    /** The region S3 requests are signed for. */
    S3_REGION: z.string().min(1).default('us-east-1'),
    /** Address the bucket in the URL's path rather than its host name (MinIO and most non-AWS stores need true). */
    S3_FORCE_PATH_STYLE: booleanFlag.default(false),
    /**
     * What a download link is: `annex` (a signed annex URL any API process serves, streaming from
     * storage) or `presigned` (the object store's own presigned URL; needs EXPORT_STORAGE=s3://…).
     */
    DOWNLOAD_MODE: z.enum(['annex', 'presigned']).default('annex'),
    /**
     * When set, `GET /metrics` answers only a scraper sending `Authorization: Bearer <METRICS_TOKEN>`
     * (401 otherwise); unset, it answers anyone who reaches the port. 16+ characters, no spaces.
     */
    METRICS_TOKEN: z
      .string()
      .min(16, 'must be at least 16 characters')
      .regex(/^\S+$/, 'must not contain spaces')
      .optional(),
    /**
     * When set, this process also serves `GET /metrics` on this port (on HOST): the way to scrape a
     * worker-only process (`--services=worker`), which has no HTTP server otherwise.
     */
    METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
    /**
     * On SIGTERM or SIGINT, how long the process may take to stop (close the API, hand running exports
     * and imports back to the queue, close the database) before it exits with 1 anyway, in ms.
     */
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(100).max(600_000).default(25_000),
    /**
     * Exports older than this many days (counted from when they were asked for) are archived by the
     * retention sweep and their files deleted; unset keeps them for ever. Never a queued or running
     * export, nor the newest complete export of a source (export-retention.ts).
     */
    EXPORT_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(1)
      .max(100 * 365)
      .optional(),
    /**
     * Keep at most the newest N finished exports of each source (project, source and its id, completed
     * only or all files, with or without removed instances); older ones are archived. Unset: no limit.
     * The newest complete export of a source always stays, even beyond N.
     */
    EXPORT_KEEP_PER_SOURCE: z.coerce.number().int().min(1).max(1_000_000).optional(),
    /** How often a worker runs the retention sweep, in minutes (one worker at a time across processes). */
    EXPORT_RETENTION_SWEEP_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
    /** Fastify log level. */
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .superRefine((config, context) => {
    if (config.DOWNLOAD_MODE === 'presigned' && !config.EXPORT_STORAGE.startsWith('s3://'))
      context.addIssue({
        code: 'custom',
        path: ['DOWNLOAD_MODE'],
        message: 'presigned links need an object store: set EXPORT_STORAGE=s3://bucket/prefix',
      });
  });

/** The parsed, defaulted configuration every part of the server receives. */
export type AppConfig = Omit<z.output<typeof envSchema>, 'DATABASE_URL'> & { DATABASE_URL: string };

/** Raised when the environment holds bad values; its message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once at start; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) =>
        `  ${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  return {
    ...config,
    DATABASE_URL: config.DATABASE_URL ?? `sqlite:${path.join(config.DATA_DIR, 'annex.db')}`,
  };
}
