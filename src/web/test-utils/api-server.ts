import { http, HttpResponse } from 'msw';
import type { JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import type { ErrorCode } from '../../contract/errors.ts';
import {
  buildErrorEnvelope,
  buildExportPage,
  buildExportStorage,
  buildJobList,
  buildMe,
  buildPreflight,
  buildProjectDetail,
  buildProjectList,
  demoProject,
} from './builders.ts';

/**
 * The panel's API paths, as handlers match them. The api client fetches relative URLs
 * (`/api/v1/…`); in jsdom msw resolves both those and these paths against `location`, so the
 * same relative path names a request on either side.
 */
export function apiPath(path: string): string {
  return `/api/v1${path}`;
}

/** `/api/v1/projects/:project/exports`, the prefix of every export endpoint. */
export function exportsPath(project: string = demoProject): string {
  return apiPath(`/projects/${project}/exports`);
}

/** `/api/v1/projects/:project/imports`, the prefix of every import endpoint. */
export function importsPath(project: string = demoProject): string {
  return apiPath(`/projects/${project}/imports`);
}

/** A JSON answer, as the server would send it (the body should come from a builder). */
export function jsonResponse(body: JsonBodyType, status = 200): HttpResponse<JsonBodyType> {
  return HttpResponse.json(body, { status });
}

/** The server's error envelope with `status`. */
export function errorResponse(
  status: number,
  code: ErrorCode,
  message: string,
): HttpResponse<JsonBodyType> {
  return HttpResponse.json(buildErrorEnvelope(code, message), { status });
}

/** An answer that never comes, for a test that looks at the loading state. */
export function neverAnswer(): Promise<Response> {
  return new Promise<Response>(() => undefined);
}

/**
 * The signed-in instance admin and the demo project as the server shows them: who is signed in,
 * the project's detail, jobs, an empty export list, its storage and a preflight. Every test starts with these;
 * a test changes what it needs with `server.use(...)` (`signedOutHandlers` for nobody signed in).
 */
export const demoProjectHandlers = [
  http.get(apiPath('/auth/me'), () => jsonResponse(buildMe())),
  http.get(apiPath('/projects'), () => jsonResponse(buildProjectList())),
  http.get(apiPath(`/projects/${demoProject}`), () => jsonResponse(buildProjectDetail())),
  http.get(apiPath(`/projects/${demoProject}/jobs`), () => jsonResponse(buildJobList())),
  http.get(`${exportsPath()}/preflight`, () => jsonResponse(buildPreflight())),
  http.get(exportsPath(), () => jsonResponse(buildExportPage([]))),
  http.get(`${exportsPath()}/storage`, () => jsonResponse(buildExportStorage())),
];

/** `GET /api/v1/auth/me` as the server answers when nobody is signed in (or the session ended). */
export function signedOutAnswer(): HttpResponse<JsonBodyType> {
  return errorResponse(401, 'unauthenticated', 'Sign in to continue: your session has ended.');
}

/** Nobody signed in: `me` answers 401 (the sign-in page's own call is for the test to answer). */
export const signedOutHandlers = [http.get(apiPath('/auth/me'), signedOutAnswer)];

/** The network every web test runs against; started in `setup.ts`, reset after each test. */
export const server = setupServer(...demoProjectHandlers);

/** One request the panel sent, as the network saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The request's abort signal, to check that an abandoned request was cancelled. */
  signal: AbortSignal;
}

/** What went through the network since `recordRequests()`. */
export interface RequestLog {
  /** Every request so far, in order. */
  requests: RecordedRequest[];
  /** Requests to one method and path. */
  to: (method: string, path: string) => RecordedRequest[];
}

/** Starts recording every request the panel sends (until the test ends), for tests that count them. */
export function recordRequests(): RequestLog {
  const requests: RecordedRequest[] = [];
  server.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    requests.push({
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      signal: request.signal,
    });
  });
  return {
    requests,
    to: (method, path) =>
      requests.filter((request) => request.method === method && request.path === path),
  };
}
