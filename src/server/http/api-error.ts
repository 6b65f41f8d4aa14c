import type { ErrorCode } from '../../contract/errors.ts';

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
