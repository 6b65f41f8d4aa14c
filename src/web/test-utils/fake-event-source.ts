import { vi } from 'vitest';

/**
 * A stand-in for the browser's EventSource (jsdom has none): the panel opens it as it would the real
 * one, and a test plays the server's side with `open()`, `send()`, `drop()` and `refuse()`. Only the
 * browser API is faked; what the panel does with the events is the real code.
 */
export class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  /** Every source opened since `installFakeEventSource()`, oldest first. */
  static instances: FakeEventSource[] = [];

  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = FakeEventSource.CONNECTING;
  readonly withCredentials = false;

  constructor(readonly url: string) {
    super();
    FakeEventSource.instances.push(this);
  }

  /** The newest source; fails the test when none was opened. */
  static latest(): FakeEventSource {
    const latest = FakeEventSource.instances.at(-1);
    if (latest === undefined) throw new Error('the panel opened no event stream');
    return latest;
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }

  /** The server answered 200 text/event-stream. */
  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  /** The server sent event `name` with `data` (JSON-encoded unless already a string). */
  send(name: string, data: unknown): void {
    this.dispatchEvent(
      new MessageEvent(name, { data: typeof data === 'string' ? data : JSON.stringify(data) }),
    );
  }

  /** The connection dropped; the browser will reconnect by itself. */
  drop(): void {
    this.readyState = FakeEventSource.CONNECTING;
    this.dispatchEvent(new Event('error'));
  }

  /** The server refused the stream (a 401, a 503): the browser gives up on this source. */
  refuse(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.dispatchEvent(new Event('error'));
  }
}

/** Makes `EventSource` the fake for this test (setup.ts unstubs globals after each test). */
export function installFakeEventSource(): void {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
}
