import type { ErrorCode, ErrorEnvelope } from '../../contract/errors.ts';
import { isConnectionError } from '../db/connection-errors.ts';

const statusByCode: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_import_file: 400,
  payload_too_large: 413,
  validation_failed: 400,
  not_found: 404,
  conflict: 409,
  export_not_ready: 409,
  export_failed: 422,
  export_cancelled: 409,
  unauthenticated: 401,
  forbidden: 403,
  rate_limited: 429,
  link_expired: 403,
  range_not_satisfiable: 416,
  unavailable: 503,
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

/** What a call answers while the database is away; the client may simply ask again. */
export const databaseUnavailableMessage =
  'The database is not reachable right now (restarting, or the connection was lost). Try again in a few seconds; if it lasts, check that the database server is running and that DATABASE_URL points at it.';

/**
 * The 503 `unavailable` a failed call answers when it failed because the database connection was lost
 * or could not be made (see `isConnectionError`); undefined for any other error. The error handler
 * calls it first, so no route needs to know.
 */
export function databaseUnavailableError(error: unknown): ApiError | undefined {
  return isConnectionError(error)
    ? new ApiError('unavailable', databaseUnavailableMessage)
    : undefined;
}

/** A 400 `validation_failed` naming one bad field (`body.job_id`, `params.id`), as the contract's own refusals do. */
export function invalidField(field: string, message: string): ApiError {
  return new ApiError('validation_failed', `Invalid request: ${field}: ${message}`, {
    issues: [{ field, message }],
  });
}

/** The one envelope, `{ error: { code, message, details? } }`, with `details` left out when there are none. */
export function errorEnvelope(code: ErrorCode, message: string, details?: unknown): ErrorEnvelope {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
