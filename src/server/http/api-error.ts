import type { ErrorCode } from '../../contract/errors.ts';
import { isConnectionError } from '../db/connection-errors.ts';

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
  unavailable: 503,
  internal: 500,
};

/** An error a route throws on purpose; the error handler turns it into the one envelope. */
export class ApiError extends Error {
  override name = 'ApiError';
  /** The HTTP status the code maps to. */
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.statusCode = statusByCode[code];
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
