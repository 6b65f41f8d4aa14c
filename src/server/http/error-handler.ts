import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import type { ErrorCode, FieldIssue } from '../../contract/errors.ts';
import { ApiError, databaseUnavailableError, errorEnvelope as envelope } from './api-error.ts';
import { byteSizeWords } from './byte-size-words.ts';

/** Options of `installErrorHandler`. */
export interface ErrorHandlerOptions {
  /** Answer unknown routes with the envelope (default true); false when the SPA's fallback owns them. */
  notFound?: boolean;
}

/** An error as the API answers it: the status, and the envelope's code, message and details. */
export interface DescribedError {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/**
 * What any error thrown in a route or hook answers: a lost database is a 503 `unavailable`, an
 * `ApiError` its own, a schema refusal a 400 naming each field, Fastify's client errors their status
 * with a message saying what to do, anything else a 500 (logged). Every front door (the envelope of
 * annex's API, the plain text of the Diffgram API) answers from this.
 */
export function describeError(
  error: FastifyError | ApiError,
  request: FastifyRequest,
): DescribedError {
  error = databaseUnavailableError(error) ?? error; // a lost database: 503 `unavailable`, not 500
  if (error instanceof ApiError) {
    return {
      statusCode: error.statusCode,
      code: error.code,
      message: error.message,
      details: error.details,
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues: FieldIssue[] = error.validation.map((issue) => {
      // Fastify calls the query `querystring`; the contract names fields `query.<name>`.
      const place =
        error.validationContext === 'querystring'
          ? 'query'
          : (error.validationContext ?? 'request');
      const fieldPath = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
      // zod's unrecognized_keys issue names the extra keys in params rather than in the path,
      // which leads to the object holding them (`body.instance_list.0` for a nested one).
      const unknownKeys = (issue.params as { keys?: string[] }).keys;
      const at = fieldPath ? `${place}.${fieldPath}` : place;
      const field = unknownKeys?.length ? `${at}.${unknownKeys.join(',')}` : at;
      return { field, message: issue.message ?? 'is invalid' };
    });
    const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
    return {
      statusCode: 400,
      code: 'validation_failed',
      message: `Invalid request: ${summary}`,
      details: { issues },
    };
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error }, 'response did not match its contract');
    return {
      statusCode: 500,
      code: 'internal',
      message: 'The server built a response that breaks its own contract.',
    };
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    // Fastify's own client errors: an unsupported media type, a body too large, a bad content-length.
    return {
      statusCode: error.statusCode,
      code: 'bad_request',
      message: fastifyClientErrorMessage(error, request),
    };
  }
  request.log.error({ err: error }, 'unhandled error');
  return {
    statusCode: 500,
    code: 'internal',
    message:
      'Something went wrong on the server. Try again; if it keeps happening, check the server log.',
  };
}

/** Installs the one error envelope on every error and unknown route. */
export function installErrorHandler(app: FastifyInstance, options: ErrorHandlerOptions = {}): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const described = describeError(error, request);
    return reply
      .status(described.statusCode)
      .send(envelope(described.code, described.message, described.details));
  });

  // Fastify takes one not-found handler per prefix; with the SPA, registerSpa's handler answers instead.
  if (options.notFound === false) return;
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(
        envelope(
          'not_found',
          `No route ${request.method} ${request.url.split('?')[0] ?? ''}. The API lives under /api/v1.`,
        ),
      ),
  );
}

// Fastify's messages name the problem but not what to do next.
function fastifyClientErrorMessage(error: FastifyError, request: FastifyRequest): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'The body has a content type annex does not read. Send it as application/json (UTF-8).';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyTooLargeMessage(request);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'The content-length header does not match the body. Send the body with its true length.';
    default:
      return error.message;
  }
}

/** The app's own body limit (Fastify's `bodyLimit`): every route that sets none reads this much. */
const defaultBodyLimit = 1024 * 1024;

// The limit stated is the refusing route's own (`bodyLimit` on its options, the app's when it sets
// none): the write API reads 64 MiB on its file and instance routes, every other route 1 MiB.
function bodyTooLargeMessage(request: FastifyRequest): string {
  const limit = request.routeOptions.bodyLimit;
  const advice =
    limit > defaultBodyLimit
      ? 'Send less in one request (fewer instances per call, a shorter text).'
      : 'Requests here are small JSON objects: check what is being sent.';
  return `The body is larger than ${request.method} ${request.routeOptions.url ?? request.url} accepts (${byteSizeWords(limit)}). ${advice}`;
}
