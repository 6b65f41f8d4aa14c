import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AnnexDatabase } from '../db/database.ts';
import { readDatabaseReadings } from './metrics-queries.ts';

/*
 * annex's Prometheus metrics: one registry per process (or per app a test builds), never
 * prom-client's global one, so that apps built side by side in one test process do not collide and
 * an API and a worker in one process share theirs. What is known in the process (HTTP latency,
 * exports this worker built) is observed as it happens; what is known only to the database
 * (exports by status, queues, the heartbeats of every worker) is read at each scrape, so every
 * process reports the whole installation's queue. When the database does not answer, those are
 * left out and `annex_database_up` says 0: the scrape itself never fails.
 */

/** What the export builder tells the metrics when it completes an export. */
export interface ExportBuildMetrics {
  /**
   * An export this process built is complete: `startedTime` is when it was claimed (ISO-8601,
   * this process's clock), `sizeBytes` the file's size.
   */
  exportBuilt(built: { startedTime: string | null; sizeBytes: number }): void;
}

/** How `AnnexMetrics` is set up. */
export interface AnnexMetricsOptions {
  /** The database the scrape-time gauges read. */
  database: AnnexDatabase;
  /**
   * Also report prom-client's default process metrics (CPU, memory, event loop lag, GC, handles).
   * On in `main.ts`; off by default because each registry that collects them starts an event-loop
   * monitor and a GC observer for the life of the process, and tests build many apps.
   */
  processMetrics?: boolean;
  /** Longest wait for the database's readings before a scrape reports it down (default 2 s). */
  databaseTimeoutMs?: number;
  /** The clock heartbeat ages are measured against (tests fix it). */
  now?: () => number;
}

/** Seconds; an export takes from under a second to hours. */
const generationSecondsBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400];
/** Bytes, by fours from 1 KiB to 64 GiB. */
const exportBytesBuckets = Array.from({ length: 14 }, (_, index) => 1024 * 4 ** index);
/** Seconds; a blocking export request may wait up to WAIT_TIMEOUT_SECONDS (120 s by default). */
const httpSecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** The route label of a request no route matched (a 404): never the raw URL, whose values are unbounded. */
export const unmatchedRoute = 'unmatched';

/** A process's metrics and the registry `/metrics` renders. */
export class AnnexMetrics {
  /** The registry every annex metric of this process is in. */
  readonly registry = new Registry();
  private readonly database: AnnexDatabase;
  private readonly databaseTimeoutMs: number;
  private readonly now: () => number;
  private readonly databaseUp: Gauge;
  private readonly exports: Gauge<'status'>;
  private readonly queueDepth: Gauge<'queue'>;
  private readonly heartbeatAge: Gauge<'worker_id'>;
  private readonly generationSeconds: Histogram;
  private readonly exportBytes: Histogram;
  private readonly httpSeconds: Histogram<'method' | 'route' | 'status_code'>;
  /** The database read of the scrape in progress; a second scrape meanwhile shares it. */
  private reading: Promise<void> | undefined;

  constructor(options: AnnexMetricsOptions) {
    this.database = options.database;
    this.databaseTimeoutMs = options.databaseTimeoutMs ?? 2000;
    this.now = options.now ?? Date.now;
    const registers = [this.registry];
    this.databaseUp = new Gauge({
      name: 'annex_database_up',
      help: 'Whether the database answered this scrape (1) or not (0); the annex_exports, annex_queue_depth and annex_worker_heartbeat_age_seconds series are left out while 0.',
      registers,
    });
    this.exports = new Gauge({
      name: 'annex_exports',
      help: 'Exports not archived, by status, read from the database at scrape time.',
      labelNames: ['status'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'annex_queue_depth',
      help: 'Work waiting for a worker, read from the database at scrape time: queued exports (queue="exports") and queued imports (queue="imports").',
      labelNames: ['queue'],
      registers,
    });
    this.heartbeatAge = new Gauge({
      name: 'annex_worker_heartbeat_age_seconds',
      help: "Seconds since each worker holding a running export last wrote its heartbeat on one (by the worker's clock); a worker is recovered from once this passes its stale limit (30 s by default).",
      labelNames: ['worker_id'],
      registers,
    });
    this.generationSeconds = new Histogram({
      name: 'annex_export_generation_duration_seconds',
      help: 'Time from claim to complete of the exports this process built.',
      buckets: generationSecondsBuckets,
      registers,
    });
    this.exportBytes = new Histogram({
      name: 'annex_export_size_bytes',
      help: 'Size of the export files this process built.',
      buckets: exportBytesBuckets,
      registers,
    });
    this.httpSeconds = new Histogram({
      name: 'annex_http_request_duration_seconds',
      help: 'HTTP request latency until the answer is sent, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: httpSecondsBuckets,
      registers,
    });
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }

  /** The metrics in Prometheus text format, with the database's readings taken now. */
  async render(): Promise<string> {
    this.reading ??= this.readDatabase().finally(() => {
      this.reading = undefined;
    });
    await this.reading;
    return this.registry.metrics();
  }

  /** The content type of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** One finished HTTP request; `route` is the route's pattern (`/api/v1/projects/:project`), never its URL. */
  observeHttpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpSeconds.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** For the export builder (see `ExportBuildMetrics`). */
  readonly exportBuild: ExportBuildMetrics = {
    exportBuilt: ({ startedTime, sizeBytes }) => {
      this.exportBytes.observe(sizeBytes);
      const started = startedTime === null ? Number.NaN : Date.parse(startedTime);
      if (Number.isFinite(started))
        this.generationSeconds.observe(Math.max(0, (this.now() - started) / 1000));
    },
  };

  private async readDatabase(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const readings = await Promise.race([
        readDatabaseReadings(this.database),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error('the database did not answer in time')),
            this.databaseTimeoutMs,
          );
        }),
      ]);
      this.clearDatabaseGauges();
      for (const [status, count] of Object.entries(readings.exportsByStatus))
        this.exports.set({ status }, count);
      this.queueDepth.set({ queue: 'exports' }, readings.exportsByStatus.queued);
      this.queueDepth.set({ queue: 'imports' }, readings.queuedImports);
      for (const { workerId, lastBeat } of readings.workerHeartbeats) {
        const beat = Date.parse(lastBeat);
        if (Number.isFinite(beat))
          this.heartbeatAge.set({ worker_id: workerId }, Math.max(0, (this.now() - beat) / 1000));
      }
      this.databaseUp.set(1);
    } catch {
      // Stale numbers would read as current ones: leave the series out until the database answers.
      this.clearDatabaseGauges();
      this.databaseUp.set(0);
    } finally {
      clearTimeout(timer);
    }
  }

  private clearDatabaseGauges(): void {
    this.exports.reset();
    this.queueDepth.reset();
    this.heartbeatAge.reset();
  }
}
