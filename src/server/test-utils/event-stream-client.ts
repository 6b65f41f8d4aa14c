import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { exportChangeEventName, exportChangeEventSchema } from '../../contract/export-events.ts';
import type { ExportChangeEvent } from '../../contract/export-events.ts';

// A Server-Sent Events client for tests, over a real HTTP connection of its own: it reads the stream
// as a browser's EventSource would parse it, keeps every event, comment and `retry:` hint, and lets a
// test wait for the event it expects. node:http rather than fetch: closing must close the connection,
// as a closing tab does, and fetch's pool keeps (and even opens) sockets a server then waits for.

/** A plain GET on a connection of its own (closed after), for comparing a stream's refusals. */
export function plainGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.once('error', reject);
  });
}

/** One dispatched event: its name (`message` when the server gave none) and data. */
export interface StreamEvent {
  event: string;
  data: string;
}

/** An open event stream. */
export class EventStreamClient {
  /** Every event so far, in order. */
  readonly events: StreamEvent[] = [];
  /** Every comment line so far, without its leading colon (heartbeats). */
  readonly comments: string[] = [];
  /** The last `retry:` hint, in ms. */
  retryMs: number | undefined;
  /** True once the server ended the stream (or the connection broke). */
  ended = false;
  private buffer = '';
  private readonly waiters = new Set<() => void>();

  private constructor(
    /** The answer's headers. */
    readonly headers: IncomingHttpHeaders,
    private readonly request: http.ClientRequest,
    response: http.IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.parse();
      this.notify();
    });
    const over = () => {
      this.ended = true;
      this.notify();
    };
    response.once('end', over);
    response.once('close', over);
    response.once('error', over);
  }

  /**
   * Opens `url` with `headers`; resolves once the answer's headers came. A non-200 answer is returned
   * too (its body read into `errorBody`), for tests of refusals.
   */
  static open(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<EventStreamClient | { status: number; errorBody: string }> {
    return new Promise((resolve, reject) => {
      const request = http.get(
        url,
        { headers: { accept: 'text/event-stream', ...headers }, agent: false },
        (response) => {
          if (response.statusCode === 200) {
            resolve(new EventStreamClient(response.headers, request, response));
            return;
          }
          let errorBody = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (errorBody += chunk));
          response.once('end', () => resolve({ status: response.statusCode ?? 0, errorBody }));
        },
      );
      request.once('error', reject);
    });
  }

  /** Opens `url` and fails unless it answers 200. */
  static async connect(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<EventStreamClient> {
    const opened = await EventStreamClient.open(url, headers);
    if (!(opened instanceof EventStreamClient))
      throw new Error(`the stream answered ${opened.status}: ${opened.errorBody}`);
    return opened;
  }

  /** The export changes so far, each parsed with the contract's schema. */
  exportChanges(): ExportChangeEvent[] {
    return this.events
      .filter((event) => event.event === exportChangeEventName)
      .map((event) => exportChangeEventSchema.parse(JSON.parse(event.data)));
  }

  /** Resolves with the first export change (past or future) that `match` accepts; rejects after `timeoutMs`. */
  async untilChange(
    match: (change: ExportChangeEvent) => boolean,
    timeoutMs = 10_000,
  ): Promise<ExportChangeEvent> {
    await this.until(() => this.exportChanges().some(match), timeoutMs, 'an export change');
    const found = this.exportChanges().find(match);
    if (found === undefined) throw new Error('unreachable: the change was seen');
    return found;
  }

  /** Resolves once `condition` holds (checked after each chunk read); rejects after `timeoutMs`. */
  async until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `waited ${timeoutMs} ms for ${what}; got ${JSON.stringify(this.events)} (ended: ${String(this.ended)})`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Resolves once the server ended the stream; rejects after `timeoutMs`. */
  async untilEnded(timeoutMs = 10_000): Promise<void> {
    await this.until(() => this.ended, timeoutMs, 'the end of the stream');
  }

  /** Closes the connection from the client's side, as a browser tab closing would. */
  async close(): Promise<void> {
    this.request.destroy();
    await this.until(() => this.ended, 5000, 'the connection to close');
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }

  // The parsing rules of the HTML standard's event stream, for what annex sends: blocks separated by
  // a blank line; `:` starts a comment; `event`, `data` and `retry` fields.
  private parse(): void {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end === -1) return;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments.push(line.slice(1).trim());
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
      }
      if (data.length > 0) this.events.push({ event, data: data.join('\n') });
    }
  }
}
