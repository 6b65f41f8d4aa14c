import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { adminRoutes } from './accounts/admin.routes.ts';
import { annotationsRoutes } from './annotations/annotations.routes.ts';
import type { AppConfig } from './config/env.ts';
import { registerAccountRoutes } from './auth/account-routes.ts';
import { installAuthentication } from './auth/authenticate.ts';
import type { AnnexDatabase } from './db/database.ts';
import { LinkSigner, loadLinkSecret } from './exports/download-links.ts';
import { diffgramRoutes } from './diffgram/diffgram.routes.ts';
import { ExportEvents } from './exports/export-events.ts';
import { InProcessChangeFeed } from './exports/export-change-feed.ts';
import type { ExportChangeFeed } from './exports/export-change-feed.ts';
import type { ExportEventStreamTiming } from './exports/export-event-stream.ts';
import { exportsEventsRoutes } from './exports/exports-events.routes.ts';
import { ExportService } from './exports/export-service.ts';
import { exportDiffRoutes } from './exports/export-diff.routes.ts';
import { ExportDiffService } from './exports/export-diff-service.ts';
import { exportsRoutes } from './exports/exports.routes.ts';
import { exportCancelRetryRoutes } from './exports/exports-cancel-retry.routes.ts';
import { retentionPolicyOf } from './exports/export-retention.ts';
import { ExportStorageUsage } from './exports/export-storage-usage.ts';
import { exportsStorageRoutes } from './exports/exports-storage.routes.ts';
import { filesRoutes } from './exports/files.routes.ts';
import { corsOriginsList, installCors } from './http/cors.ts';
import { installCrossSiteCheck } from './http/cross-site.ts';
import { installErrorHandler } from './http/error-handler.ts';
import { healthRoutes } from './http/health.routes.ts';
import { AcceptedHosts, installHostCheck } from './http/host-check.ts';
import { answerClientError, answerFrameworkError } from './http/framework-errors.ts';
import { installJsonBodyParser } from './http/json-body.ts';
import { ImportEvents } from './imports/import-events.ts';
import { ImportFileCheck } from './imports/import-file-check.ts';
import { ImportService } from './imports/import-service.ts';
import { importsRoutes } from './imports/imports.routes.ts';
import { loggerOptions } from './http/logger-options.ts';
import { AnnexMetrics } from './metrics/annex-metrics.ts';
import { installHttpMetrics, metricsRoutes } from './metrics/metrics.routes.ts';
import { installPublicUrl } from './http/request-context.ts';
import { installSecurityHeaders } from './http/security-headers.ts';
import { trustProxyOption } from './http/trust-proxy.ts';
import { installRateLimits, rateLimitSettingsOf } from './http/rate-limits.ts';
import { projectsRoutes } from './projects/projects.routes.ts';
import type { ExportFileStore } from './storage/export-file-store.ts';
import { exportStoreOf, importUploadsOf } from './storage/storage-of-config.ts';
import type { ImportUploadStorage } from './storage/import-uploads.ts';

/** What the app is built from; tests pass their own database and config. */
export interface AppDependencies {
  config: AppConfig;
  database: AnnexDatabase;
  /** The built SPA to serve at `/`; omitted in API-only tests. */
  webRoot?: string;
  /** Where export files are kept; defaults to what EXPORT_STORAGE says (DATA_DIR/exports). */
  storage?: ExportFileStore;
  /** Signs download links; defaults to LINK_SECRET (else DATA_DIR/link-secret) and LINK_TTL_MINUTES. */
  linkSigner?: LinkSigner;
  /** The channel to a worker in this process (wake-ups, settled exports); defaults to a private one. */
  exportEvents?: ExportEvents;
  /**
   * Where the live event streams hear export changes (`open-export-change-feed.ts`; every process's
   * on PostgreSQL); the caller closes it. Defaults to one relaying this app's own events.
   */
  exportChanges?: ExportChangeFeed;
  /** Heartbeat and lifetime of the live event streams; tests shorten them. */
  liveStreamTiming?: ExportEventStreamTiming;
  /** Where uploaded import files are kept; defaults to DATA_DIR/imports. */
  importUploads?: ImportUploadStorage;
  /** The channel to an import worker in this process (wake-ups); defaults to a private one. */
  importEvents?: ImportEvents;
  /** The process's metrics (shared with its worker); defaults to a registry of the app's own. */
  metrics?: AnnexMetrics;
}

/** Builds the HTTP app (API and SPA); `main.ts` starts it, tests call `app.inject`. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(deps.config.LOG_LEVEL),
    // Far longer than any project name or id the contract accepts, so every over-long one reaches
    // validation and its 400 naming the field; only a segment beyond this is the router's 414.
    // `//api/...` is `/api/...`: the Diffgram SDK joins a host given with a trailing slash as is.
    routerOptions: { maxParamLength: 2048, ignoreDuplicateSlashes: true },
    // The router's and Node's HTTP parser's own refusals, answered in the envelope like the rest.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // Behind a reverse proxy: its X-Forwarded-Proto/-Host/-For give request.protocol, host and ip.
    trustProxy: trustProxyOption(deps.config.TRUST_PROXY),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installJsonBodyParser(app);
  installErrorHandler(app, { notFound: deps.webRoot === undefined });
  const metrics = deps.metrics ?? new AnnexMetrics({ database: deps.database });
  installHttpMetrics(app, metrics); // before the routes it times
  installPublicUrl(app, deps.config.PUBLIC_URL);
  // Before authentication, none needing the database: headers, the Host check, CORS preflights.
  await installSecurityHeaders(app);
  installHostCheck(app, new AcceptedHosts(deps.config));
  await installCors(app, corsOriginsList(deps.config.CORS_ORIGINS));

  // Before every route: who the request acts for (API key or session cookie); /api/ needs someone.
  const sessions = await installAuthentication(app, {
    database: deps.database,
    lifetimes: {
      idleMinutes: deps.config.SESSION_IDLE_MINUTES,
      absoluteHours: deps.config.SESSION_ABSOLUTE_HOURS,
    },
  });
  // After it (it tells a cookie from an API key): changes by cookie come from the panel's origin.
  installCrossSiteCheck(app, deps.config);
  await installRateLimits(app, rateLimitSettingsOf(deps.config)); // before the routes it limits
  await registerAccountRoutes(app, { database: deps.database, sessions, config: deps.config });
  await app.register(projectsRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(annotationsRoutes, { prefix: '/api/v1', database: deps.database });
  await app.register(adminRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    signUpLinkHours: deps.config.SIGN_UP_LINK_HOURS,
  });
  const storage = deps.storage ?? exportStoreOf(deps.config);
  await app.register(healthRoutes, {
    database: deps.database,
    checkStorage: (signal) => storage.check(signal),
  });
  await app.register(metricsRoutes, { metrics, token: deps.config.METRICS_TOKEN });
  const linkSigner =
    deps.linkSigner ??
    new LinkSigner(
      loadLinkSecret(deps.config.LINK_SECRET, deps.config.DATA_DIR),
      deps.config.LINK_TTL_MINUTES,
    );
  const events = deps.exportEvents ?? new ExportEvents();
  // One service for every front door to exports: annex's REST routes and the Diffgram API.
  const exportService = new ExportService({
    database: deps.database,
    storage,
    events,
    linkSigner,
    downloadMode: deps.config.DOWNLOAD_MODE,
    waitTimeoutMs: deps.config.WAIT_TIMEOUT_SECONDS * 1000,
  });
  // On shutdown, waiting requests answer at once (202, the export as it stands) instead of holding
  // the server open for up to WAIT_TIMEOUT_SECONDS.
  app.addHook('preClose', (done) => {
    exportService.stopWaiting();
    done();
  });
  await app.register(exportsRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    service: exportService,
    storage,
  });
  await app.register(exportCancelRetryRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    events,
  });
  await app.register(exportsStorageRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    usage: new ExportStorageUsage(deps.database, retentionPolicyOf(deps.config)),
  });
  const exportChanges =
    deps.exportChanges ?? new InProcessChangeFeed(deps.database, events, app.log);
  if (deps.exportChanges === undefined) app.addHook('onClose', () => exportChanges.close());
  await app.register(exportsEventsRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    feed: exportChanges,
    ...(deps.liveStreamTiming === undefined ? {} : { timing: deps.liveStreamTiming }),
  });
  await app.register(exportDiffRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    service: new ExportDiffService({ database: deps.database, storage }),
  });
  await app.register(diffgramRoutes, { database: deps.database, service: exportService, storage });
  await app.register(filesRoutes, { database: deps.database, storage, linkSigner });
  await app.register(importsRoutes, {
    prefix: '/api/v1',
    database: deps.database,
    service: new ImportService({
      database: deps.database,
      uploads: deps.importUploads ?? importUploadsOf(deps.config),
      events: deps.importEvents ?? new ImportEvents(),
      maxBytes: deps.config.IMPORT_MAX_BYTES,
      createCheck: () =>
        new ImportFileCheck({ maxPacketBytes: deps.config.IMPORT_MAX_PACKET_BYTES }),
    }),
  });

  if (deps.webRoot !== undefined) await registerSpa(app, deps.webRoot);
  return app;
}

// The SPA owns every non-API path (React Router), so unknown GETs outside /api get index.html.
async function registerSpa(app: FastifyInstance, webRoot: string): Promise<void> {
  const root = path.resolve(webRoot);
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(
      `The panel is not built: ${root}/index.html is missing. Run "npm run build:web" first.`,
    );
  }
  await app.register(fastifyStatic, { root, wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' && !request.url.startsWith('/api/')) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send({
      error: {
        code: 'not_found',
        message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}. The API lives under /api/v1.`,
      },
    });
  });
}
