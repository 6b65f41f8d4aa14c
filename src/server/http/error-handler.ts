import type { FastifyError, FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import type { ErrorEnvelope, FieldIssue } from '../../contract/errors.ts';
import { ApiError, databaseUnavailableError } from './api-error.ts';

/** Options of `installErrorHandler`. */
export interface ErrorHandlerOptions {
  /** Answer unknown routes with the envelope (default true); false when the SPA's fallback owns them. */
  notFound?: boolean;
}

/** Installs the one error envelope on every error and unknown route. */
export function installErrorHandler(app: FastifyInstance, options: ErrorHandlerOptions = {}): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    error = databaseUnavailableError(error) ?? error; // a lost database: 503 `unavailable`, not 500
    if (error instanceof ApiError) {
      return reply
        .status(error.statusCode)
        .send(envelope(error.code, error.message, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues: FieldIssue[] = error.validation.map((issue) => {
        // Fastify calls the query `querystring`; the contract names fields `query.<name>`.
        const place =
          error.validationContext === 'querystring'
            ? 'query'
            : (error.validationContext ?? 'request');
        const fieldPath = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
        // zod's unrecognized_keys issue names the extra keys in params rather than in the path.
        const unknownKeys = (issue.params as { keys?: string[] }).keys;
        const field = unknownKeys?.length
          ? `${place}.${unknownKeys.join(',')}`
          : fieldPath
            ? `${place}.${fieldPath}`
            : place;
        return { field, message: issue.message ?? 'is invalid' };
      });
      const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
      return reply
        .status(400)
        .send(envelope('validation_failed', `Invalid request: ${summary}`, { issues }));
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response did not match its contract');
      return reply
        .status(500)
        .send(envelope('internal', 'The server built a response that breaks its own contract.'));
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own client errors: a malformed JSON body, an unsupported media type, a body too large.
      return reply.status(error.statusCode).send(envelope('bad_request', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .status(500)
      .send(
        envelope(
          'internal',
          'Something went wrong on the server. Try again; if it keeps happening, check the server log.',
        ),
      );
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

function envelope(
  code: ErrorEnvelope['error']['code'],
  message: string,
  details?: unknown,
): ErrorEnvelope {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
