import { vi } from 'vitest';

/** One request the panel sent, as the fake network saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** The request's abort signal, to check that an abandoned request was cancelled. */
  signal: AbortSignal | undefined;
}

/** Answers one request. */
export type FakeHandler = (request: RecordedRequest) => Response | Promise<Response>;

/** A JSON response, as the server would send it. */
export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** The server's error envelope with `status`. */
export function errorResponse(status: number, code: string, message: string): Response {
  return jsonResponse({ error: { code, message } }, status);
}

/** The fake network and what went through it. */
export interface FakeApi {
  /** Every request so far, in order. */
  requests: RecordedRequest[];
  /** Requests to one method and path. */
  requestsTo: (method: string, path: string) => RecordedRequest[];
  /** Adds or replaces the handler of `"METHOD /path"`. */
  on: (route: string, handler: FakeHandler) => void;
}

/**
 * Replaces `fetch` (the network boundary) with handlers keyed `"METHOD /path"`. A request with no
 * handler answers 599 with a message naming it, so a test that forgot one fails loudly.
 */
export function stubApi(routes: Record<string, FakeHandler>): FakeApi {
  const handlers = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const fetchStub = vi.fn(
    async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const url = new URL(input instanceof Request ? input.url : String(input), 'http://localhost');
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      const request: RecordedRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        body,
        signal: init?.signal ?? undefined,
      };
      requests.push(request);
      if (init?.signal?.aborted === true)
        throw new DOMException('The operation was aborted.', 'AbortError');
      const handler = handlers.get(`${method} ${url.pathname}`);
      if (handler === undefined) {
        return errorResponse(
          599,
          'internal',
          `The fake API has no handler for ${method} ${url.pathname}`,
        );
      }
      const answer = Promise.resolve(handler(request));
      const signal = init?.signal;
      if (signal === undefined || signal === null) return answer;
      // Like the real fetch, an abort rejects a request still waiting for its answer.
      return new Promise<Response>((resolve, reject) => {
        signal.addEventListener(
          'abort',
          () => reject(new DOMException('The operation was aborted.', 'AbortError')),
          {
            once: true,
          },
        );
        answer.then(resolve, reject);
      });
    },
  );
  vi.stubGlobal('fetch', fetchStub);
  return {
    requests,
    requestsTo: (method, path) =>
      requests.filter((request) => request.method === method && request.path === path),
    on: (route, handler) => handlers.set(route, handler),
  };
}
