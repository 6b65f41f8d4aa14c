import { errorEnvelopeSchema } from '../../../../contract/errors.ts';
import { chunkCharacters, prettyPrintJson, splitIntoChunks } from './pretty-print.ts';
import type { TopLevelRange } from './pretty-print.ts';

/** What the page asks the pretty-print worker. */
export type PrettyPrintRequest =
  /** Fetch the file at `url` and pretty-print it. */
  | { type: 'print'; id: number; url: string }
  /** The page no longer wants request `id`: stop fetching it. */
  | { type: 'cancel'; id: number };

/**
 * What the worker answers, tagged with the request's id: the text in chunks (in order), then `done`
 * with what the preview needs to navigate it; or the reason it failed.
 */
export type PrettyPrintResponse =
  | { id: number; type: 'chunk'; text: string }
  | { id: number; type: 'done'; lineCount: number; topLevelRanges: TopLevelRange[] }
  | { id: number; type: 'failed'; message: string };

/** The part of a Worker (or a MessagePort, in tests) that the protocol uses. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

async function fetchFileText(url: string, signal: AbortSignal): Promise<string> {
  const response = await fetch(url, { signal });
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    const envelope = errorEnvelopeSchema.safeParse(body);
    throw new Error(
      envelope.success
        ? envelope.data.error.message
        : `The file could not be read (HTTP ${response.status}). Close the preview and open it again for a fresh link.`,
    );
  }
  return response.text();
}

/**
 * Answers print requests on `port`: fetches the file and pretty-prints it there, so neither the
 * raw file nor the parsing ever touches the page's thread. The worker calls this with its own scope.
 */
export function servePrettyPrint(
  port: MessagePortLike,
  options: { chunkCharacters?: number } = {},
): void {
  const chunkSize = options.chunkCharacters ?? chunkCharacters;
  const inFlight = new Map<number, AbortController>();
  const post = (response: PrettyPrintResponse) => port.postMessage(response);
  port.addEventListener('message', (event: MessageEvent<PrettyPrintRequest>) => {
    const request = event.data;
    if (request.type === 'cancel') {
      inFlight.get(request.id)?.abort();
      inFlight.delete(request.id);
      return;
    }
    const { id } = request;
    const controller = new AbortController();
    inFlight.set(id, controller);
    fetchFileText(request.url, controller.signal)
      .then((text) => {
        if (controller.signal.aborted) return;
        const result = prettyPrintJson(text);
        for (const chunk of splitIntoChunks(result.text, chunkSize))
          post({ id, type: 'chunk', text: chunk });
        post({
          id,
          type: 'done',
          lineCount: result.lineCount,
          topLevelRanges: result.topLevelRanges,
        });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        const message =
          error instanceof Error ? error.message : 'The file could not be pretty-printed.';
        post({ id, type: 'failed', message });
      })
      .finally(() => inFlight.delete(id));
  });
}
