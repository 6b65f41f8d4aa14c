import { PassThrough } from 'node:stream';
import {
  exportChangeEventName,
  exportEventsHeartbeatMs,
  exportEventsRetryMs,
} from '../../contract/export-events.ts';
import type { ExportChangeEvent } from '../../contract/export-events.ts';
import type { ExportChange, ExportChangeFeed } from './export-change-feed.ts';

/*
 * One client's live stream of a project's export changes, in the Server-Sent Events format
 * (text/event-stream): a `retry:` hint first, then an `export_changed` event for each change of one
 * of the project's exports, and a comment line every `heartbeatMs` when nothing happens (so proxies
 * keep the connection open, and a client gone away is noticed at the next write).
 *
 * A stream ends by itself after `lifetimeMs` (a little less, at random, so the clients of one
 * restart do not all come back in the same second). The browser reconnects on its own, and the
 * reconnect goes through authentication and the project lookup again: a signed-out session, a
 * revoked key or a removed member stops hearing within one lifetime, with no check of its own here.
 * A client that reads slower than changes come (its buffer past `maxBufferedBytes`) is ended too,
 * rather than buffered without end; it reconnects and re-reads.
 */

/** When a stream writes and ends; tests make them short. */
export interface ExportEventStreamTiming {
  /** Between two heartbeat comments, in ms (default `exportEventsHeartbeatMs`, 15 s). */
  heartbeatMs?: number;
  /** Longest life of one stream, in ms (default 5 min); the client reconnects. */
  lifetimeMs?: number;
  /** The `retry:` hint, in ms (default `exportEventsRetryMs`). */
  retryMs?: number;
  /** Unsent text past which a slow client is ended, in bytes (default 1 MiB). */
  maxBufferedBytes?: number;
}

/** The project a stream is about. */
export interface StreamedProject {
  /** `project.id`, which changes carry. */
  id: number;
  /** The name events carry. */
  project_string_id: string;
}

/** Default longest life of one stream. */
export const defaultStreamLifetimeMs = 5 * 60_000;

/** One SSE event: its name and its data on one line (JSON never holds a raw newline). */
export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The event a change of one of the project's exports is sent as. */
export function exportChangeEvent(change: ExportChange, project: StreamedProject): string {
  const data: ExportChangeEvent = {
    id: change.id,
    project_string_id: project.project_string_id,
    status: change.status,
    percent_complete: change.percentComplete,
    archived: change.archived,
  };
  return sseEvent(exportChangeEventName, data);
}

/** One open stream: `body` is what the route sends; `end()` closes it from the server's side. */
export class ExportEventStream {
  /** The response body. */
  readonly body = new PassThrough();
  private readonly maxBufferedBytes: number;
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly lifetime: NodeJS.Timeout;
  private readonly endedListeners: (() => void)[] = [];
  private finished = false;

  constructor(feed: ExportChangeFeed, project: StreamedProject, timing: ExportEventStreamTiming) {
    this.maxBufferedBytes = timing.maxBufferedBytes ?? 1024 * 1024;
    this.write(`retry: ${timing.retryMs ?? exportEventsRetryMs}\n\n`);
    this.unsubscribe = feed.subscribe((change) => {
      if (change.projectId === project.id) this.write(exportChangeEvent(change, project));
    });
    this.heartbeat = setInterval(
      () => this.write(': heartbeat\n\n'),
      timing.heartbeatMs ?? exportEventsHeartbeatMs,
    );
    const lifetimeMs = timing.lifetimeMs ?? defaultStreamLifetimeMs;
    this.lifetime = setTimeout(() => this.end(), lifetimeMs * (0.8 + Math.random() * 0.2));
    // Closed by either side: the client went away (the response closed and Fastify destroyed the
    // body), or `end()` ran.
    this.body.once('close', () => this.release());
  }

  /** Ends the stream from the server's side; the client reconnects after the `retry:` hint. */
  end(): void {
    this.release();
    if (!this.body.destroyed && !this.body.writableEnded) this.body.end();
  }

  /** Calls `listener` once the stream is over, whichever side ended it. */
  onEnded(listener: () => void): void {
    if (this.finished) listener();
    else this.endedListeners.push(listener);
  }

  private write(text: string): void {
    if (this.finished || this.body.destroyed || this.body.writableEnded) return;
    if (this.body.writableLength > this.maxBufferedBytes) {
      this.end();
      return;
    }
    this.body.write(text);
  }

  private release(): void {
    if (this.finished) return;
    this.finished = true;
    this.unsubscribe();
    clearInterval(this.heartbeat);
    clearTimeout(this.lifetime);
    for (const listener of this.endedListeners.splice(0)) listener();
  }
}
