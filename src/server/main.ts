import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildApp } from './app.ts';
import { ensureFirstAdmin, listFirstAdminInProject } from './auth/first-admin.ts';
import { ConfigError, loadConfig } from './config/env.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrator.ts';
import { ExportEvents } from './exports/export-events.ts';
import { ExportWorker } from './exports/export-worker.ts';
import { openExportChangeFeed } from './exports/open-export-change-feed.ts';
import { ImportEvents } from './imports/import-events.ts';
import { ImportWorker } from './imports/import-worker.ts';
import { AnnexMetrics } from './metrics/annex-metrics.ts';
import { startMetricsServer } from './metrics/metrics-server.ts';
import { demoProjectStringId } from './seed/demo-files.ts';
import { seedDemoIfEmpty } from './seed/demo-project.ts';
import { installGracefulShutdown } from './shutdown.ts';
import { startupLines } from './startup-summary.ts';
import { storagesOf } from './storage/storage-of-config.ts';

// One build, several roles: `--services=api,worker` (the default) serves the API and the panel and
// builds exports in one process; `--services=api` and `--services=worker` run them apart, against
// one PostgreSQL database.
const serviceNames = ['api', 'worker'] as const;
type ServiceName = (typeof serviceNames)[number];

function parseServices(argv: string[]): Set<ServiceName> {
  const { values } = parseArgs({
    args: argv,
    options: { services: { type: 'string', default: 'api,worker' } },
  });
  const requested = values.services.split(',').map((name) => name.trim());
  const unknown = requested.filter((name) => !serviceNames.includes(name as ServiceName));
  if (unknown.length > 0 || requested.length === 0) {
    throw new ConfigError(
      `--services takes a list of ${serviceNames.join(', ')}; got "${values.services}"`,
    );
  }
  return new Set(requested as ServiceName[]);
}

async function main(): Promise<void> {
  // A local .env (see .env.example) is read when present; the real environment wins over it.
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const services = parseServices(process.argv.slice(2));
  const database = await openDatabase(config.DATABASE_URL);
  await migrateToLatest(database, { onLockWait: (line) => console.log(line) });
  // The API process makes the first instance admin (and prints a generated password, once), then
  // the demo; the demo lists that admin as its admin.
  const firstAdmin = services.has('api')
    ? await ensureFirstAdmin(database, {
        email: config.ANNEX_ADMIN_EMAIL,
        password: config.ANNEX_ADMIN_PASSWORD,
        dataDir: config.DATA_DIR,
      })
    : undefined;
  const seeded = config.SEED_DEMO && services.has('api') && (await seedDemoIfEmpty(database));
  if (firstAdmin?.created === true || seeded)
    await listFirstAdminInProject(database, demoProjectStringId);

  // One storage for the API and the worker of this process; a bucket that cannot be used stops the
  // start here, with the reason, rather than failing every export later.
  const { exports: storage, imports: importUploads } = storagesOf(config);
  await storage.ensureReady();
  // Shared by API and worker in one process, so a new export starts at once and waiting requests answer at once.
  const exportEvents = new ExportEvents();
  // One registry for the whole process: its API's /metrics, its worker's builds, METRICS_PORT.
  const metrics = new AnnexMetrics({ database, processMetrics: true });
  const workerId = `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  const worker = services.has('worker')
    ? new ExportWorker({
        database,
        config,
        events: exportEvents,
        workerId,
        storage,
        metrics: metrics.exportBuild,
      })
    : undefined;
  // Likewise for imports: an upload queued by this process's API starts at once.
  const importEvents = new ImportEvents();
  const importWorker = services.has('worker')
    ? new ImportWorker({
        database,
        config,
        events: importEvents,
        workerId: `${workerId}-imports`,
        uploads: importUploads,
      })
    : undefined;
  // Every process's export changes, on PostgreSQL (LISTEN/NOTIFY): wakes this worker and waiting
  // requests when another process queues or finishes an export, and feeds the live event streams.
  const exportChanges = await openExportChangeFeed(database, {
    url: config.DATABASE_URL,
    exportEvents,
    importEvents,
  });
  // The built panel sits beside the sources: `npm start` builds it first; under `npm run dev` Vite serves it.
  const webRoot = fileURLToPath(new URL('../../dist/web', import.meta.url));
  const panelBuilt = fs.existsSync(path.join(webRoot, 'index.html'));
  const app = services.has('api')
    ? await buildApp({
        config,
        database,
        storage,
        importUploads,
        exportEvents,
        importEvents,
        metrics,
        exportChanges,
        ...(panelBuilt ? { webRoot } : {}),
      })
    : undefined;
  await worker?.start();
  importWorker?.start();
  const address =
    app === undefined ? undefined : await app.listen({ host: config.HOST, port: config.PORT });
  const metricsServer =
    config.METRICS_PORT === undefined
      ? undefined
      : await startMetricsServer({
          metrics,
          token: config.METRICS_TOKEN,
          host: config.HOST,
          port: config.METRICS_PORT,
        });
  // A few plain lines for the person who ran `npm start`, on stdout beside the logs (pretty in a
  // terminal, JSON otherwise): where annex serves, on which database and folder, doing what.
  const lines = startupLines({
    address,
    panelBuilt,
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    storage: storage.location,
    services: [...services],
    workerId: worker?.workerId,
    metricsAddress: metricsServer?.address,
    firstAdmin: firstAdmin?.created === true ? firstAdmin : undefined,
  });
  console.log(lines.join('\n'));

  installGracefulShutdown({
    graceMs: config.SHUTDOWN_GRACE_MS,
    log: (line) => console.error(line),
    plan: {
      stopWork: [
        ...(app === undefined ? [] : [{ name: 'API', stop: () => app.close() }]),
        ...(worker === undefined ? [] : [{ name: 'export worker', stop: () => worker.stop() }]),
        ...(importWorker === undefined
          ? []
          : [{ name: 'import worker', stop: () => importWorker.stop() }]),
        ...(metricsServer === undefined
          ? []
          : [{ name: 'metrics server', stop: () => metricsServer.app.close() }]),
      ],
      // The listening connection and the pool close together, once nothing uses them.
      closeLast: [
        { name: 'change feed', stop: () => exportChanges.close() },
        { name: 'database', stop: () => database.close() },
      ],
    },
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
