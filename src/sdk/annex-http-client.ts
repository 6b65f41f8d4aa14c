import { z } from 'zod';
import { fieldIssueSchema, parseErrorEnvelope } from '../contract/errors.ts';
import { exportSchema } from '../contract/exports.ts';
import {
  AnnexError,
  AuthenticationError,
  ExportCancelledError,
  ExportFailedError,
  ExportNotReadyError,
  InvalidImportFileError,
  InvalidInputError,
  NetworkError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
} from './annex-errors.ts';
import { basicAuthorization, clientIdVariable, clientSecretVariable } from './api-credentials.ts';
import type { ResolvedCredentials } from './api-credentials.ts';

/** Where annex listens when nobody says otherwise: what `npm start` serves. */
export const defaultAnnexHost = 'http://127.0.0.1:8080';

/** One request to the annex API. */
export interface AnnexRequest {
  /** HTTP method. */
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the host, starting with `/api/v1`. */
  path: string;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body. */
  body?: unknown;
}

/** A request whose body is a stream (a file being uploaded), not JSON the client serializes. */
export interface AnnexUpload {
  /** Path under the host, starting with `/api/v1`. */
  path: string;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** The bytes to send, read as the connection takes them: never held whole in memory. */
  body: ReadableStream<Uint8Array>;
  /** The body's media type. */
  contentType: string;
  /** The body's length in bytes, when known: sent as Content-Length so a server can refuse a too-large body before it arrives. */
  contentLength?: number;
  /** Stops the upload: the promise rejects with the signal's `AbortError`. */
  signal?: AbortSignal;
}

const issuesDetailsSchema = z.object({ issues: z.array(fieldIssueSchema) });
const exportDetailsSchema = z.object({ export: exportSchema });
const unauthenticatedDetailsSchema = z.object({ reason: z.string() });
// The 404 of a project lookup carries only the project's name (a job's or an export's carries more).
const projectNotFoundDetailsSchema = z.strictObject({ project: z.string() });

// What to do about a 401, for a script: where keys come from and the two ways to pass one.
function sdkCredentialsAdvice(host: string): string {
  return (
    `Create an API key under "API keys" in the panel at ${host} and pass clientId/clientSecret to ` +
    `new Project({ … }), or set ${clientIdVariable}/${clientSecretVariable}.`
  );
}

function sentKeyNote(credentials: ResolvedCredentials | undefined): string {
  if (credentials === undefined) return 'No API key was sent.';
  const from =
    credentials.source === 'environment'
      ? `${clientIdVariable}/${clientSecretVariable}`
      : 'the clientId/clientSecret options';
  return `The key sent (client_id ${credentials.clientId}) came from ${from}.`;
}

/**
 * Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP date; undefined when absent
 * or unreadable.
 */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its day and month; Date.parse alone would read "-5" as a year.
  const at = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Checks a host given by a person and returns it without a trailing slash; a base path is kept so
 * annex can sit behind a proxy under `/annex`.
 */
export function normalizeHost(host: string): string {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new InvalidInputError(`host must be a URL such as ${defaultAnnexHost}; got "${host}".`, {
      code: 'bad_request',
      issues: [{ field: 'host', message: 'must be an http:// or https:// URL' }],
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidInputError(`host must start with http:// or https://; got "${host}".`, {
      code: 'bad_request',
      issues: [{ field: 'host', message: 'must be an http:// or https:// URL' }],
    });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function describeFetchFailure(error: unknown): string {
  // undici hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code)
      ? `${code}: ${cause.message}`
      : cause.message;
  }
  return String(cause);
}

// A union's error lists every branch's issues; the branch with the fewest is the one the value meant
// (an image packet missing a box's x_min, not "not a video"), so its issues are the ones worth showing.
function closestIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: PropertyKey[] = [],
): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = issue.errors.reduce((best, branch) =>
        branch.length < best.length ? branch : best,
      );
      if (closest.length > 0) return closestIssues(closest, path);
    }
    return [{ path, message: issue.message }];
  });
}

function summarizeZodError(error: z.ZodError): string {
  const issues = closestIssues(error.issues);
  const shown = issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  const more = issues.length > 3 ? `; and ${issues.length - 3} more` : '';
  return `${shown.join('; ')}${more}`;
}

/**
 * The one place the SDK talks HTTP: it sends requests with the global fetch, turns every failure
 * into a typed AnnexError carrying the server's message, and parses every answer with its zod schema.
 *
 * The API key goes with every API call (`<host>/api/…`) and nowhere else: a download link is signed
 * and is its own permission, and a URL on another origin (a presigned storage URL) must never see it.
 */
export class AnnexHttpClient {
  /** The host, without a trailing slash (`http://127.0.0.1:8080`). */
  readonly host: string;
  /** The API key's client_id, when the client has one (the secret is kept out of sight). */
  readonly clientId: string | undefined;
  readonly #credentials: ResolvedCredentials | undefined;
  // Private, so that logging a Project or a client never prints the secret.
  readonly #authorization: string | undefined;
  readonly #apiPrefix: URL;

  /**
   * Builds a client for one annex host, sending `credentials` as HTTP Basic auth when given; throws
   * InvalidInputError for a host that is not an http(s) URL.
   */
  constructor(host: string = defaultAnnexHost, credentials?: ResolvedCredentials) {
    this.host = normalizeHost(host);
    this.#apiPrefix = new URL(`${this.host}/api/`);
    this.clientId = credentials?.clientId;
    this.#credentials = credentials;
    this.#authorization = credentials === undefined ? undefined : basicAuthorization(credentials);
  }

  /** The headers a request to `url` carries: the API key only for this host's own API. */
  headersFor(url: string, headers: Record<string, string> = {}): Record<string, string> {
    if (this.#authorization === undefined || !this.isOwnApiUrl(url)) return headers;
    return { ...headers, authorization: this.#authorization };
  }

  // Compared as parsed URLs, not strings: `http://host:8080@elsewhere/api/` must not pass.
  private isOwnApiUrl(url: string): boolean {
    const target = new URL(url);
    return (
      target.origin === this.#apiPrefix.origin &&
      target.username === '' &&
      target.password === '' &&
      target.pathname.startsWith(this.#apiPrefix.pathname)
    );
  }

  /** A URL the server gave (absolute, or relative to the host), made absolute. */
  resolveUrl(url: string): string {
    return new URL(url, `${this.host}/`).href;
  }

  private urlOf(path: string, query: AnnexRequest['query']): URL {
    const url = new URL(`${this.host}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  /** Sends a request and returns the answer when it is a 2xx; throws the matching AnnexError otherwise. */
  async send(request: AnnexRequest): Promise<Response> {
    const url = this.urlOf(request.path, request.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    const init: RequestInit = { method: request.method };
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(request.body);
    }
    init.headers = this.headersFor(url.href, headers);
    return this.fetchChecked(url.href, init, `${request.method} ${request.path}`);
  }

  /**
   * POSTs a stream as the request body and returns the answer when it is a 2xx; throws the matching
   * AnnexError otherwise. An answer that comes before the whole body is sent (a 401, a 413) is read
   * as any other; a connection that breaks while sending is a NetworkError saying so.
   */
  async upload(request: AnnexUpload): Promise<Response> {
    const url = this.urlOf(request.path, request.query);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': request.contentType,
    };
    if (request.contentLength !== undefined)
      headers['content-length'] = String(request.contentLength);
    // `duplex: 'half'` is what Node's fetch asks of a stream body (send it all, then read the answer);
    // the DOM's RequestInit type does not know the field yet.
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: this.headersFor(url.href, headers),
      body: request.body,
      duplex: 'half',
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    };
    return this.fetchChecked(
      url.href,
      init,
      `POST ${request.path}`,
      `Could not send the file to annex at ${this.host}: is it running, and did the connection hold?`,
    );
  }

  /** Sends a request and parses its 2xx JSON answer with `schema`. */
  async sendJson<S extends z.ZodType>(request: AnnexRequest, schema: S): Promise<z.output<S>> {
    const response = await this.send(request);
    return this.readJson(response, schema, `${request.method} ${request.path}`);
  }

  /**
   * GETs a URL the server handed out (a download link), throwing the matching AnnexError on failure.
   * The API key goes with it only when it is an API URL of this host (see the class comment).
   */
  async fetchUrl(url: string): Promise<Response> {
    const absolute = this.resolveUrl(url);
    return this.fetchChecked(
      absolute,
      { method: 'GET', headers: this.headersFor(absolute) },
      `GET ${new URL(absolute).pathname}`,
    );
  }

  /** Reads a JSON body and parses it with `schema`; a body that breaks the contract is an `unexpected_response`. */
  async readJson<S extends z.ZodType>(
    response: Response,
    schema: S,
    what: string,
  ): Promise<z.output<S>> {
    const text = await this.readText(response, what);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new AnnexError(
        `annex answered ${what} with a body that is not JSON: ${text.slice(0, 120)}`,
        {
          code: 'unexpected_response',
          httpStatus: response.status,
          cause: error,
        },
      );
    }
    return this.parse(schema, value, what, response.status);
  }

  /** Parses a value the server sent with its schema, as an `unexpected_response` error when it does not match. */
  parse<S extends z.ZodType>(
    schema: S,
    value: unknown,
    what: string,
    httpStatus?: number,
  ): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new AnnexError(
        `annex answered ${what} with data that breaks the contract (${summarizeZodError(parsed.error)}). ` +
          'Are the SDK and the server the same version?',
        {
          code: 'unexpected_response',
          httpStatus,
          details: parsed.error.issues,
          cause: parsed.error,
        },
      );
    }
    return parsed.data;
  }

  /** Reads a body as text; a connection that breaks half way is a NetworkError. */
  async readText(response: Response, what: string): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw this.networkError(
        error,
        `Lost the connection to annex at ${this.host} while reading the answer to ${what}`,
      );
    }
  }

  /** The NetworkError for a fetch that failed, naming the host. */
  networkError(
    error: unknown,
    lead = `Could not reach annex at ${this.host}: is it running?`,
  ): NetworkError {
    return new NetworkError(`${lead} (${describeFetchFailure(error)})`, {
      code: 'network_error',
      cause: error,
    });
  }

  private async fetchChecked(
    url: string,
    init: RequestInit,
    what: string,
    networkLead?: string,
  ): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      // The caller stopped it: theirs to expect, not a network failure to explain.
      if (init.signal?.aborted === true) throw error;
      throw this.networkError(error, networkLead);
    }
    if (!response.ok) throw await this.errorFrom(response, what);
    return response;
  }

  private async errorFrom(response: Response, what: string): Promise<AnnexError> {
    const text = await this.readText(response, what);
    const error = parseErrorEnvelope(text);
    const httpStatus = response.status;
    if (error === undefined) {
      // A proxy in front of annex may refuse with its own page; a 429 means the same from anyone.
      if (httpStatus === 429) {
        return this.rateLimitedError(
          `annex answered ${what} with HTTP 429 (too many requests).`,
          response,
          undefined,
        );
      }
      return new AnnexError(
        `annex answered ${what} with HTTP ${httpStatus} and no error envelope: ${text.slice(0, 200) || '(empty body)'}`,
        { code: 'unexpected_response', httpStatus },
      );
    }
    const { code, message, details } = error;
    const init = { code, httpStatus, details };
    switch (code) {
      case 'unauthenticated': {
        const reason = unauthenticatedDetailsSchema.safeParse(details);
        return new AuthenticationError(
          `${message} ${sentKeyNote(this.#credentials)} ${sdkCredentialsAdvice(this.host)}`,
          {
            httpStatus,
            details,
            serverMessage: message,
            host: this.host,
            reason: reason.success ? reason.data.reason : undefined,
          },
        );
      }
      case 'forbidden':
        return new PermissionError(message, init);
      case 'rate_limited':
        return this.rateLimitedError(message, response, details);
      case 'not_found': {
        if (!projectNotFoundDetailsSchema.safeParse(details).success)
          return new NotFoundError(message, init);
        return new NotFoundError(
          `${message} If it does exist, your account${this.clientId === undefined ? '' : ` (API key ${this.clientId})`} ` +
            'is not a member of it: annex does not show a project to someone outside it. Ask a project admin to add you.',
          init,
        );
      }
      case 'invalid_import_file': {
        const issues = issuesDetailsSchema.safeParse(details);
        return new InvalidImportFileError(message, {
          ...init,
          issues: issues.success ? issues.data.issues : [],
        });
      }
      case 'validation_failed':
      case 'bad_request': {
        const issues = issuesDetailsSchema.safeParse(details);
        return new InvalidInputError(message, {
          ...init,
          issues: issues.success ? issues.data.issues : [],
        });
      }
      case 'export_cancelled': {
        const concerned = exportDetailsSchema.safeParse(details);
        if (!concerned.success) return new AnnexError(message, init);
        return new ExportCancelledError(message, concerned.data.export, { httpStatus, details });
      }
      case 'export_not_ready':
      case 'export_failed': {
        const concerned = exportDetailsSchema.safeParse(details);
        if (!concerned.success) return new AnnexError(message, init);
        const exportRecord = concerned.data.export;
        // A failed export is never going to be ready: say why it failed rather than "not ready". The
        // server's own words when it said so (its 409 for a link, its 422 for a wait); an older server
        // answered "not ready" for a failed export, so the reason is built the same way from the export.
        if (exportRecord.status === 'failed') {
          const why =
            code === 'export_failed'
              ? message
              : `This export failed: ${exportRecord.status_text ?? 'no reason was recorded'}`;
          return new ExportFailedError(why, exportRecord, { httpStatus, details });
        }
        return new ExportNotReadyError(message, exportRecord, { httpStatus, details });
      }
      default:
        return new AnnexError(message, init);
    }
  }

  private rateLimitedError(
    message: string,
    response: Response,
    details: unknown,
  ): RateLimitedError {
    const seconds = retryAfterSeconds(response.headers.get('retry-after'));
    const when =
      seconds === undefined || /try again|retry/i.test(message)
        ? ''
        : ` Try again in ${seconds} s.`;
    return new RateLimitedError(`${message}${when}`, {
      httpStatus: response.status,
      details,
      retryAfterSeconds: seconds,
    });
  }
}
