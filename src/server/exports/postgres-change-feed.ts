import pg from 'pg';
import { z } from 'zod';
import { exportStatuses, isFinalStatus } from '../../contract/exports.ts';
import {
  exportChangesChannel,
  importQueuedChannel,
} from '../db/migrations/0009-change-notifications.ts';
import type { ImportEvents } from '../imports/import-events.ts';
import { ChangeListeners } from './export-change-feed.ts';
import type { ExportChange, ExportChangeFeed, FeedLogger } from './export-change-feed.ts';
import type { ExportEvents } from './export-events.ts';

/*
 * One process's ear on PostgreSQL: a dedicated connection (not from the pool, which hands its
 * connections to whoever asks and would drop a LISTEN with them) that LISTENs on the channels
 * migration 0009's triggers notify, and hands what it hears to
 *   - this process's `ExportEvents`: a queued export wakes the worker (`created`), a finished,
 *     cancelled or archived one wakes the requests waiting for it and stops a cancelled build
 *     (`settled`);
 *   - this process's `ImportEvents`: a queued import wakes the import worker;
 *   - the feed's subscribers: the live event streams.
 *
 * A lost connection (a restart, a failover, `pg_terminate_backend`, a network that silently drops
 * it) must never end the process: every 'error' is listened to, and the feed reconnects with backoff
 * for as long as it is open. A connection that died without a word is found by a `SELECT 1` every
 * `pingMs`. While it is down `live` is false: the worker falls back to its poll, waiting requests to
 * their re-reads, and the event streams close so their clients fall back to polling and re-read
 * when they reconnect. Notifications sent meanwhile are lost; nothing relies on them alone.
 */

/** What a PostgreSQL feed is built from; everything but `url` and `exportEvents` has a default. */
export interface PostgresChangeFeedOptions {
  /** The database's URL (with its search_path, when it sets one: the feed keeps only that schema's changes). */
  url: string;
  /** This process's channel to its worker and waiting requests. */
  exportEvents: ExportEvents;
  /** This process's channel to its import worker; omitted: imports are not relayed. */
  importEvents?: ImportEvents;
  /** Where it logs a lost and a regained connection (default `console`). */
  logger?: FeedLogger;
  /** The listening session's `application_name` in `pg_stat_activity` (default `annex-listen`). */
  applicationName?: string;
  /** Waits before each reconnect attempt in a row, in ms; the last one repeats (default 100 ms up to 5 s). */
  reconnectDelaysMs?: readonly number[];
  /** How often the connection is checked with `SELECT 1`, in ms (default 30 s). */
  pingMs?: number;
  /** How long a check or a connect may take before the connection counts as lost, in ms (default 10 s). */
  timeoutMs?: number;
}

// What the trigger sends (json_build_object in migration 0009); parsed, never trusted as it comes.
const exportNotificationSchema = z.object({
  schema: z.string(),
  id: z.number().int(),
  project_id: z.number().int(),
  status: z.enum(exportStatuses),
  percent_complete: z.number(),
  archived: z.boolean(),
});
const importNotificationSchema = z.object({ schema: z.string(), id: z.number().int() });

const defaultReconnectDelaysMs = [100, 250, 500, 1000, 2000, 5000] as const;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Hears every process's export changes on PostgreSQL; see the module comment. */
export class PostgresChangeFeed implements ExportChangeFeed {
  private readonly listeners = new ChangeListeners();
  private readonly logger: FeedLogger;
  private readonly reconnectDelaysMs: readonly number[];
  private readonly pingMs: number;
  private readonly timeoutMs: number;
  private state: 'new' | 'started' | 'closed' = 'new';
  private client: pg.Client | undefined;
  /** The schema whose notifications are kept: the listening session's `current_schema()`. */
  private schema: string | undefined;
  private isLive = false;
  /** Failed connects since the connection was last up; 0 while it is up. */
  private failures = 0;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PostgresChangeFeedOptions) {
    this.logger = options.logger ?? console;
    this.reconnectDelaysMs =
      options.reconnectDelaysMs !== undefined && options.reconnectDelaysMs.length > 0
        ? options.reconnectDelaysMs
        : defaultReconnectDelaysMs;
    this.pingMs = options.pingMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  get live(): boolean {
    return this.isLive;
  }

  get subscriberCount(): number {
    return this.listeners.listenerCount('change');
  }

  subscribe(listener: (change: ExportChange) => void): () => void {
    return this.listeners.subscribe(listener);
  }

  onLiveChange(listener: (live: boolean) => void): () => void {
    return this.listeners.onLiveChange(listener);
  }

  /**
   * Opens the listening connection; resolves once the first attempt ended, whether or not it got
   * through (a database that does not answer is tried again in the background, never thrown).
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('This change feed was already started');
    this.state = 'started';
    await this.connect();
  }

  /** Stops listening and reconnecting, and closes the connection. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    this.setLive(false);
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName ?? 'annex-listen',
      connectionTimeoutMillis: this.timeoutMs,
      // The OS's own check that the peer is there, beside the ping.
      keepAlive: true,
    });
    // Without a listener a dropped connection is an unhandled 'error' event that ends the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => this.heard(message));
    try {
      await client.connect();
      const result = await client.query<{ schema: string | null }>(
        'SELECT current_schema() AS schema',
      );
      const schema = result.rows[0]?.schema ?? null;
      if (schema === null)
        throw new Error('the connection has no current schema (check its search_path)');
      this.schema = schema;
      await client.query(`LISTEN ${exportChangesChannel}`);
      await client.query(`LISTEN ${importQueuedChannel}`);
      if (this.state === 'closed') {
        await client.end();
        return;
      }
      this.client = client;
      if (this.failures > 0)
        this.logger.info('annex: hearing export changes on PostgreSQL again (LISTEN)');
      this.failures = 0;
      this.pingTimer = setInterval(() => void this.ping(client), this.pingMs);
      this.pingTimer.unref();
      this.setLive(true);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.retry(error);
    }
  }

  /** The connection `client` is gone (or judged gone): forget it and reconnect. */
  private lost(client: pg.Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.pingTimer);
    this.setLive(false);
    this.retry(error ?? new Error('the server closed the connection'));
  }

  private retry(error: unknown): void {
    if (this.state === 'closed') return;
    // Once per outage, not once per attempt: a database away for an hour is one line.
    if (this.failures === 0) {
      this.logger.warn(
        `annex: not hearing export changes from PostgreSQL (${messageOf(error)}); reconnecting. ` +
          'Meanwhile workers poll and live event streams are closed.',
      );
    }
    const delay =
      this.reconnectDelaysMs[Math.min(this.failures, this.reconnectDelaysMs.length - 1)] ?? 1000;
    this.failures += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private async ping(client: pg.Client): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.query('SELECT 1'),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer to a check within ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      // A connection that does not answer may never say it closed: let it go and open a new one.
      this.lost(client, error);
      void client.end().catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  private setLive(live: boolean): void {
    if (this.isLive === live) return;
    this.isLive = live;
    this.listeners.emit('live', live);
  }

  private heard(message: pg.Notification): void {
    if (this.state === 'closed') return;
    let body: unknown;
    try {
      body = JSON.parse(message.payload ?? '');
    } catch {
      this.logger.warn(`annex: ignored a notification on ${message.channel} that is not JSON`);
      return;
    }
    if (message.channel === exportChangesChannel) {
      const parsed = exportNotificationSchema.safeParse(body);
      if (!parsed.success) {
        this.logger.warn(`annex: ignored an export notification of an unknown shape`);
        return;
      }
      if (parsed.data.schema === this.schema) this.relayExport(parsed.data);
    } else if (message.channel === importQueuedChannel) {
      const parsed = importNotificationSchema.safeParse(body);
      if (parsed.success && parsed.data.schema === this.schema)
        this.emitSafely(() => this.options.importEvents?.emit('queued', parsed.data.id));
    }
  }

  private relayExport(notification: z.infer<typeof exportNotificationSchema>): void {
    const { exportEvents } = this.options;
    const { id, status, archived } = notification;
    // What the in-process events say, as far as anyone in this process acts on them: a queued
    // export (new, or handed back) wakes a worker; a final or archived one wakes its waiters.
    if (status === 'queued' && !archived) this.emitSafely(() => exportEvents.emit('created', id));
    if (isFinalStatus(status) || archived)
      this.emitSafely(() => exportEvents.emit('settled', id, status));
    this.listeners.deliver(
      {
        id,
        projectId: notification.project_id,
        status,
        percentComplete: notification.percent_complete,
        archived,
      },
      this.logger,
    );
  }

  // The notification arrives on the connection's socket handler: a listener that throws must not
  // take the connection (or the process) with it.
  private emitSafely(emit: () => void): void {
    try {
      emit();
    } catch (error) {
      this.logger.warn(`annex: a listener of export events failed (${messageOf(error)})`);
    }
  }
}
