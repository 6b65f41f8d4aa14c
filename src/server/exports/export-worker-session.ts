import pg from 'pg';
import { ownSessionKeyQuery } from './export-recovery.ts';

/*
 * A PostgreSQL worker's own session: one long-lived connection, outside the pool, that does nothing
 * but exist. Each claim records its key (backend pid and start time); a worker that crashes (or whose
 * host vanishes) loses the connection, PostgreSQL drops the session from `pg_stat_activity`, and any
 * other worker recovers its exports at once instead of waiting for the heartbeat to go stale. The
 * heartbeat stays the rule on SQLite and for a worker whose session could not be opened.
 */

/** Where a worker logs a lost session. */
interface SessionLogger {
  warn(message: string): void;
}

/** The worker's dedicated PostgreSQL connection and the key its claims carry. */
export class WorkerSession {
  private client: pg.Client | undefined;
  private currentKey: string | undefined;
  private opening: Promise<void> | undefined;
  private closed = false;
  /** Set after a failed open, so a database that stays away is logged once, not on every poll. */
  private failing = false;

  constructor(
    private readonly url: string,
    private readonly logger: SessionLogger,
  ) {}

  /** The key of the live session, or null while there is none (claims then rely on the heartbeat). */
  get key(): string | null {
    return this.currentKey ?? null;
  }

  /**
   * Opens the session when there is none (at start, and again after it was lost); a failure leaves
   * it closed until the next call, so a worker whose database is away keeps trying on each poll.
   */
  async ensureOpen(): Promise<void> {
    if (this.closed || this.client !== undefined) return;
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    await this.opening;
  }

  /** Ends the session for good; the worker's claims then rely on their heartbeat. */
  async close(): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    const client = this.client;
    this.forget();
    await client?.end().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    // Without a listener a dropped connection is an unhandled 'error' event that ends the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      const result = await client.query<{ key: string }>(ownSessionKeyQuery);
      const key = result.rows[0]?.key;
      if (key === undefined) throw new Error('pg_stat_activity does not show this session');
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      this.currentKey = key;
      this.failing = false;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (this.failing) return;
      this.failing = true;
      this.logger.warn(
        `annex worker: could not open its PostgreSQL session (${error instanceof Error ? error.message : String(error)}); its claims rely on the heartbeat until it can`,
      );
    }
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    this.forget();
    if (!this.closed) {
      this.logger.warn(
        `annex worker: lost its PostgreSQL session${error === undefined ? '' : ` (${error.message})`}; opening a new one`,
      );
    }
  }

  private forget(): void {
    this.client = undefined;
    this.currentKey = undefined;
  }
}
