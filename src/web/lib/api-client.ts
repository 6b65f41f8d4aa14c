import type { z } from 'zod';
import { parseErrorEnvelope } from '../../contract/errors.ts';
import type { ErrorCode } from '../../contract/errors.ts';

/** Codes of failures that happen before the server could answer with its envelope. */
export type ClientErrorCode = 'network' | 'bad_response';

/** A failed API call, carrying the server's own message so the panel can show it as is. */
export class ApiRequestError extends Error {
  override name = 'ApiRequestError';

  /**
   * @param message What happened and what to do next (the server's words when it sent the envelope).
   * @param status The HTTP status, or 0 when the server was not reached.
   * @param code The envelope's code, or a client-side code.
   * @param details The envelope's details, when it had any.
   */
  constructor(
    message: string,
    readonly status: number,
    readonly code: ErrorCode | ClientErrorCode,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** True when `error` is an API answer with this HTTP status. */
export function isApiStatus(error: unknown, status: number): boolean {
  return error instanceof ApiRequestError && error.status === status;
}

/** What an API call may send besides its path. */
export interface ApiRequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

/** Builds `/api/v1…` paths with a query string, encoding every value. */
export function apiUrl(path: string, query?: ApiRequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  const search = params.toString();
  return `/api/v1${path}${search === '' ? '' : `?${search}`}`;
}

/**
 * True for the error `fetch` rejects with on abort. Checked by name, not `instanceof DOMException`:
 * the rejecting fetch may live in another realm (a test's Node fetch under jsdom, an iframe).
 */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && 'name' in error && error.name === 'AbortError'
  );
}

async function send(path: string, options: ApiRequestOptions): Promise<Response> {
  const method = options.method ?? 'GET';
  // The session cookie goes with every call; same-origin is fetch's default, said here so it stays so.
  const init: RequestInit = {
    method,
    headers: { accept: 'application/json' },
    credentials: 'same-origin',
  };
  if (options.signal !== undefined) init.signal = options.signal;
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), init);
  } catch (error) {
    // An abort is the caller's own doing (a newer query replaced this one): let it through untouched.
    if (isAbortError(error)) throw error;
    throw new ApiRequestError(
      'Could not reach the annex server. Check that it is running and your connection is up, then try again.',
      0,
      'network',
    );
  }
  if (!response.ok) throw await toApiError(method, path, response);
  return response;
}

async function toApiError(
  method: string,
  path: string,
  response: Response,
): Promise<ApiRequestError> {
  const text = await response.text().catch(() => '');
  return apiErrorFromText(method, path, response.status, response.statusText, text);
}

/** The error an answer's status and body say: the envelope's message, or what to check when it is not one. */
function apiErrorFromText(
  method: string,
  path: string,
  status: number,
  statusText: string,
  text: string,
): ApiRequestError {
  const error = parseErrorEnvelope(text);
  if (error !== undefined) {
    const { code, message, details } = error;
    return new ApiRequestError(message, status, code, details);
  }
  return new ApiRequestError(
    `The server answered ${method} ${path} with HTTP ${status}${statusText === '' ? '' : ` ${statusText}`}. Try again; if it keeps happening, check the server's log.`,
    status,
    'bad_response',
  );
}

/** A successful answer's JSON text, parsed with the contract's schema. */
function parseAnswer<Schema extends z.ZodType>(
  method: string,
  path: string,
  status: number,
  readBody: () => unknown,
  schema: Schema,
): z.output<Schema> {
  let body: unknown;
  try {
    body = readBody();
  } catch {
    throw new ApiRequestError(
      `The server's answer to ${method} ${path} was not JSON. Check that the panel talks to an annex server.`,
      status,
      'bad_response',
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new ApiRequestError(
      `The server's answer to ${method} ${path} does not match the contract (${issues}). The panel and the server may be different versions.`,
      status,
      'bad_response',
    );
  }
  return parsed.data;
}

/** Calls the API and parses its JSON answer with the contract's schema; every failure is an ApiRequestError. */
export async function apiRequest<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  options: ApiRequestOptions = {},
): Promise<z.output<Schema>> {
  const response = await send(path, options);
  const method = options.method ?? 'GET';
  const text = await response.text().catch(() => '');
  return parseAnswer(method, path, response.status, () => JSON.parse(text) as unknown, schema);
}

/** Calls an API endpoint that answers with no body (204). */
export async function apiRequestNoContent(
  path: string,
  options: ApiRequestOptions = {},
): Promise<void> {
  await send(path, options);
}

/** True for the server's "not signed in" answer: no session, or one that ended or expired. */
export function isUnauthenticated(error: unknown): boolean {
  return (
    error instanceof ApiRequestError && error.status === 401 && error.code === 'unauthenticated'
  );
}

/** A message fit to show a person for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Try again.';
}

/** How far an upload has gone. */
export interface UploadProgress {
  /** Bytes sent so far. */
  loaded: number;
  /** Bytes to send in all. */
  total: number;
}

/** What an upload sends besides its path. */
export interface ApiUploadOptions {
  /** The body, sent as is: a File streams from disk, so a 2 GB file never sits in memory. */
  body: Blob;
  /** The body's media type. */
  contentType: string;
  /** Query parameters; undefined values are left out. */
  query?: ApiRequestOptions['query'];
  /** Called as bytes go out. */
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/**
 * POSTs a file as the request body and parses the JSON answer with the contract's schema. It uses
 * XMLHttpRequest because fetch reports no upload progress; errors are the same ApiRequestError as
 * `apiRequest`'s (the envelope's message, 401 for an ended session), and an abort rejects with an
 * `AbortError` as fetch's does.
 */
export function apiUpload<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  options: ApiUploadOptions,
): Promise<z.output<Schema>> {
  const { body, contentType, query, onProgress, signal } = options;
  return new Promise((resolve, reject) => {
    const abortError = () => new DOMException('The upload was cancelled.', 'AbortError');
    if (signal?.aborted === true) {
      reject(abortError());
      return;
    }
    const request = new XMLHttpRequest();
    request.open('POST', apiUrl(path, query));
    // A same-origin request carries the session cookie whatever withCredentials says (that is for other sites).
    request.setRequestHeader('accept', 'application/json');
    request.setRequestHeader('content-type', contentType);
    request.upload.addEventListener('progress', (event) =>
      onProgress?.({
        loaded: event.loaded,
        total: event.lengthComputable ? event.total : body.size,
      }),
    );
    request.addEventListener('load', () => {
      signal?.removeEventListener('abort', abort);
      const { status, statusText, responseText } = request;
      if (status < 200 || status >= 300) {
        reject(apiErrorFromText('POST', path, status, statusText, responseText));
        return;
      }
      try {
        resolve(
          parseAnswer('POST', path, status, () => JSON.parse(responseText) as unknown, schema),
        );
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    request.addEventListener('error', () => {
      signal?.removeEventListener('abort', abort);
      reject(
        new ApiRequestError(
          'The upload did not reach the annex server, or the connection broke while it was sent. Check that the server is running and your connection is up, then try again.',
          0,
          'network',
        ),
      );
    });
    request.addEventListener('abort', () => reject(abortError()));
    const abort = () => request.abort();
    signal?.addEventListener('abort', abort, { once: true });
    onProgress?.({ loaded: 0, total: body.size });
    request.send(body);
  });
}
