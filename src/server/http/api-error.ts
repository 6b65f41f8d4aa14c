import type { ErrorCode, ErrorEnvelope } from '../../contract/errors.ts';

const statusByCode: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  not_found: 404,
  conflict: 409,
  export_not_ready: 409,
  export_failed: 422,
  forbidden: 403,
  link_expired: 403,
  range_not_satisfiable: 416,
  internal: 500,
};

/**
 * An error a route throws on purpose; the error handler turns it into the one envelope. The status is
 * the code's usual one unless `statusCode` says otherwise: a failed export is a 422 when a wait ends
 * on it but a 409 when a link is asked for it, and a bad request is a 413, 414, 415 or 431 when that
 * names the problem better than 400.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  /** The HTTP status of the answer. */
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    statusCode?: number,
  ) {
    super(message);
    this.statusCode = statusCode ?? statusByCode[code];
  }
}

/** A 404 that names what was not found. */
export function notFound(what: string, details?: unknown): ApiError {
  return new ApiError('not_found', `${what} was not found.`, details);
}

/** A 400 `validation_failed` naming one bad field (`headers.x-annex-user`, `body.job_id`), as the contract's own refusals do. */
export function invalidField(field: string, message: string): ApiError {
  return new ApiError('validation_failed', `Invalid request: ${field}: ${message}`, {
    issues: [{ field, message }],
  });
}

/** The one envelope, `{ error: { code, message, details? } }`, with `details` left out when there are none. */
export function errorEnvelope(code: ErrorCode, message: string, details?: unknown): ErrorEnvelope {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
