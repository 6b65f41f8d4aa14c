import { EventEmitter } from 'node:events';
import type { ExportStatus } from '../../contract/exports.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportEvents } from './export-events.ts';

/*
 * Where a process hears that an export changed, whichever process changed it: the live event stream
 * (`exports-events.routes.ts`) subscribes here.
 *
 * On PostgreSQL every write to an export row notifies (a trigger, migration 0009) and each process
 * LISTENs on one connection of its own (`postgres-change-feed.ts`), which also wakes this process's
 * worker and waiting requests through its `ExportEvents`. Its own writes come back to it the same
 * way, so the streams have one source and never get the same change twice from two. The worker
 * and waiting requests do hear a change of this process twice (the in-process event at once, the
 * notification a moment later); both are idempotent there: a second wake-up finds nothing to claim,
 * a second "settled" makes a waiting request re-read a row it already read. Deduplicating instead
 * would mean telling this process's notifications from others', which PostgreSQL only says by
 * backend pid, one per pooled connection: more machinery than a spare query is worth.
 *
 * On SQLite one process owns the database: the in-process events already say everything, and this
 * feed turns them into changes by reading the row (only while someone is subscribed). The row is
 * read a moment after the event, so changes in quick succession may arrive as one, the latest: a
 * stream's client re-reads what it shows on each change anyway.
 */

/** One export's change, as the feed hands it on. */
export interface ExportChange {
  /** The export's id. */
  id: number;
  /** The project it belongs to (`project.id`): a stream keeps only its project's changes. */
  projectId: number;
  /** Where it stands now. */
  status: ExportStatus;
  /** 0–100. */
  percentComplete: number;
  /** Whether it has been archived (it left the list). */
  archived: boolean;
}

/** Where a process hears about export changes. */
export interface ExportChangeFeed {
  /**
   * Whether changes are being heard now. False while a PostgreSQL feed has lost its connection and
   * is reconnecting: changes made meanwhile are not heard, so a stream must not claim to be live.
   */
  readonly live: boolean;
  /** How many subscriptions are open (one per open event stream). */
  readonly subscriberCount: number;
  /** Calls `listener` with every change heard from now on; returns what ends the subscription. */
  subscribe(listener: (change: ExportChange) => void): () => void;
  /** Calls `listener` each time `live` changes; returns what ends the subscription. */
  onLiveChange(listener: (live: boolean) => void): () => void;
  /** Stops listening for good (closes the PostgreSQL connection). */
  close(): Promise<void>;
}

/** Where a feed logs; `console` fits. */
export interface FeedLogger {
  info(message: string): void;
  warn(message: string): void;
}

interface FeedEventMap {
  change: [change: ExportChange];
  live: [live: boolean];
}

/** A feed's subscribers; the relay and the PostgreSQL feed both hand changes on through it. */
export class ChangeListeners extends EventEmitter<FeedEventMap> {
  constructor() {
    super();
    // One listener per open event stream: hundreds at once are normal, not a leak.
    this.setMaxListeners(0);
  }

  /** Adds a change listener; returns what removes it. */
  subscribe(listener: (change: ExportChange) => void): () => void {
    this.on('change', listener);
    return () => this.off('change', listener);
  }

  /** Adds a live-state listener; returns what removes it. */
  onLiveChange(listener: (live: boolean) => void): () => void {
    this.on('live', listener);
    return () => this.off('live', listener);
  }

  /** Hands `change` to every subscriber; one that throws is logged and does not stop the others. */
  deliver(change: ExportChange, logger: FeedLogger): void {
    for (const listener of this.listeners('change')) {
      try {
        listener(change);
      } catch (error) {
        logger.warn(
          `annex: a listener of export changes failed (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    }
  }
}

/**
 * The feed of a process that is alone on its database (SQLite, or an app built without a feed in
 * tests): this process's own export events, each turned into the row's state by reading it. Reads
 * are batched per turn of the event loop, so a burst of progress events costs one query.
 */
export class InProcessChangeFeed implements ExportChangeFeed {
  readonly live = true;
  private readonly listeners = new ChangeListeners();
  private readonly pending = new Set<number>();
  private flushing = false;
  private closed = false;
  private readonly onEvent = (exportId: number) => this.note(exportId);

  constructor(
    private readonly database: AnnexDatabase,
    private readonly events: ExportEvents,
    private readonly logger: FeedLogger,
  ) {
    for (const name of ['created', 'claimed', 'progress', 'settled'] as const)
      events.on(name, this.onEvent);
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

  close(): Promise<void> {
    this.closed = true;
    for (const name of ['created', 'claimed', 'progress', 'settled'] as const)
      this.events.off(name, this.onEvent);
    return Promise.resolve();
  }

  private note(exportId: number): void {
    // Nobody watching: no read. A stream that opens later reads nothing from here; its client
    // re-reads the list when it connects.
    if (this.closed || this.listeners.listenerCount('change') === 0) return;
    this.pending.add(exportId);
    this.schedule();
  }

  private schedule(): void {
    if (this.flushing || this.pending.size === 0) return;
    this.flushing = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const ids = [...this.pending];
    this.pending.clear();
    try {
      const rows = await this.database.db
        .selectFrom('export')
        .select(['id', 'project_id', 'status', 'percent_complete', 'archived'])
        .where('id', 'in', ids)
        .orderBy('id')
        .execute();
      if (this.closed) return;
      for (const row of rows) {
        this.listeners.deliver(
          {
            id: row.id,
            projectId: row.project_id,
            status: row.status,
            percentComplete: row.percent_complete,
            archived: row.archived !== 0,
          },
          this.logger,
        );
      }
    } catch (error) {
      // The stream misses this change; its client re-reads on the next one, or on Refresh.
      this.logger.warn(
        `annex: could not read ${ids.length} changed export(s) for the event streams (${error instanceof Error ? error.message : String(error)})`,
      );
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }
}
