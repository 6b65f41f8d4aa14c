import type {
  MessagePortLike,
  PrettyPrintRequest,
  PrettyPrintResponse,
} from './pretty-print-protocol.ts';
import type { TopLevelRange } from './pretty-print.ts';

/** A pretty-printed file as the page holds it: in the chunks it arrived in. */
export interface PrettyPrintedFile {
  /** The text, in order; each chunk but the last ends with a newline. */
  chunks: string[];
  /** Lines in the whole text. */
  lineCount: number;
  /** Every top-level entry whose value is an object or list, in file order. */
  topLevelRanges: TopLevelRange[];
}

interface Pending {
  chunks: string[];
  resolve: (file: PrettyPrintedFile) => void;
  reject: (error: Error) => void;
}

/**
 * The page's side of the pretty-print worker. Each request has an id; a request the page gave up on
 * is cancelled in the worker and its late answers dropped, so a stale file can never reach the screen.
 */
export class PrettyPrinter {
  readonly #port: MessagePortLike;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  /** @param port A Worker running `pretty-print.worker.ts`, or any port served by `servePrettyPrint`. */
  constructor(port: MessagePortLike) {
    this.#port = port;
    port.addEventListener('message', this.#handleMessage);
  }

  /** Fetches and pretty-prints the file at `url`; rejects with an AbortError when `signal` aborts first. */
  print(url: string, signal?: AbortSignal): Promise<PrettyPrintedFile> {
    if (signal?.aborted === true) {
      return Promise.reject(new DOMException('Preview cancelled', 'AbortError'));
    }
    const id = this.#nextId++;
    return new Promise<PrettyPrintedFile>((resolve, reject) => {
      this.#pending.set(id, { chunks: [], resolve, reject });
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.#pending.delete(id)) return;
          this.#post({ type: 'cancel', id });
          reject(new DOMException('Preview cancelled', 'AbortError'));
        },
        { once: true },
      );
      this.#post({ type: 'print', id, url });
    });
  }

  /** Fails every request still waiting, for when the worker itself broke (failed to load, crashed). */
  failAll(message: string): void {
    for (const pending of this.#pending.values()) pending.reject(new Error(message));
    this.#pending.clear();
  }

  #post(request: PrettyPrintRequest): void {
    this.#port.postMessage(request);
  }

  readonly #handleMessage = (event: MessageEvent<PrettyPrintResponse>): void => {
    const response = event.data;
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return;
    switch (response.type) {
      case 'chunk':
        pending.chunks.push(response.text);
        return;
      case 'done':
        this.#pending.delete(response.id);
        pending.resolve({
          chunks: pending.chunks,
          lineCount: response.lineCount,
          topLevelRanges: response.topLevelRanges,
        });
        return;
      case 'failed':
        this.#pending.delete(response.id);
        pending.reject(new Error(response.message));
    }
  };
}

let sharedPrinter: PrettyPrinter | undefined;

/** The app's one pretty-print worker, started on first use. */
export function getSharedPrettyPrinter(): PrettyPrinter {
  if (sharedPrinter === undefined) {
    const worker = new Worker(new URL('./pretty-print.worker.ts', import.meta.url), {
      type: 'module',
    });
    const printer = new PrettyPrinter(worker);
    worker.addEventListener('error', () => {
      // A broken worker answers nothing more: fail what waits and start a new one next time.
      worker.terminate();
      sharedPrinter = undefined;
      printer.failAll('The preview worker stopped. Close the preview and open it again.');
    });
    sharedPrinter = printer;
  }
  return sharedPrinter;
}
