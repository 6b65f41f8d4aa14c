import type { ErrorCode, FieldIssue } from '../contract/errors.ts';
import type { Export as ExportRecord, ExportStatus } from '../contract/exports.ts';
import { formatImportProblem } from '../contract/imports.ts';
import type { Import as ImportRecord } from '../contract/imports.ts';

/**
 * What went wrong, for code to branch on: the server's own codes, plus the ones only a client meets
 * (annex unreachable, an answer that breaks the contract, a wait that ran out of time, a download
 * that could not be written locally, an import that the client saw end in `failed`).
 */
export type AnnexErrorCode =
  | ErrorCode
  | 'network_error'
  | 'unexpected_response'
  | 'timeout'
  | 'write_failed'
  | 'import_failed';

/** What an AnnexError is built from. */
export interface AnnexErrorInit {
  /** What went wrong, for code to branch on. */
  code: AnnexErrorCode;
  /** The HTTP status of the answer, when there was one. */
  httpStatus?: number | undefined;
  /** The envelope's `details`, when the server sent any. */
  details?: unknown;
  /** The error underneath (a fetch failure, a zod error). */
  cause?: unknown;
}

/**
 * The base of every error the SDK throws. `message` is the server's own words when the server
 * answered, so a script can print it as is.
 */
export class AnnexError extends Error {
  override name = 'AnnexError';
  /** What went wrong, for code to branch on. */
  readonly code: AnnexErrorCode;
  /**
   * The HTTP status of the answer, or undefined when there was none. Named `httpStatus` rather than
   * `status` because `ExportNotReadyError.status` is the export's status, as Diffgram users expect.
   */
  readonly httpStatus: number | undefined;
  /** The envelope's `details`: the bad fields of a request, or the export concerned. */
  readonly details: unknown;

  /** Builds an error; `message` is shown to people as is. */
  constructor(message: string, init: AnnexErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.details = init.details;
  }
}

/**
 * The project, job, directory or export asked for does not exist. For a project it may also mean
 * that your account (or API key) is not a member of it: annex does not confirm that a project exists
 * to someone who may not see it.
 */
export class NotFoundError extends AnnexError {
  override name = 'NotFoundError';
}

/**
 * annex did not accept the request's credentials: none were given, or the API key is wrong, revoked,
 * or belongs to a disabled account. `message` is the server's reason followed by what to do.
 */
export class AuthenticationError extends AnnexError {
  override name = 'AuthenticationError';
  /** The server's own reason, without the SDK's advice (the CLI gives its own). */
  readonly serverMessage: string;
  /**
   * Why, for code to branch on: `no_credentials`, `bad_api_key`, `api_key_revoked`,
   * `account_disabled`, `malformed_authorization`, `session_expired`; undefined when the server said
   * nothing more.
   */
  readonly reason: string | undefined;
  /** The annex that refused (its panel is where API keys are made). */
  readonly host: string;

  /** Builds an authentication error; `message` is shown to people, `serverMessage` is the server's part. */
  constructor(
    message: string,
    init: Omit<AnnexErrorInit, 'code'> & {
      serverMessage: string;
      host: string;
      reason?: string | undefined;
    },
  ) {
    super(message, { ...init, code: 'unauthenticated' });
    this.serverMessage = init.serverMessage;
    this.host = init.host;
    this.reason = init.reason;
  }
}

/**
 * The credentials are fine but may not do this: the role in the project is too low (a viewer
 * generating), or the API key is bound to another scope. `message` is the server's, naming the role needed.
 */
export class PermissionError extends AnnexError {
  override name = 'PermissionError';
}

/** Too many requests of this kind for now (export creation, sign-in); try again after `retryAfterSeconds`. */
export class RateLimitedError extends AnnexError {
  override name = 'RateLimitedError';
  /** Seconds to wait before trying again, from the `Retry-After` header; undefined when it sent none. */
  readonly retryAfterSeconds: number | undefined;

  /** Builds a rate-limit error with the wait the server asked for. */
  constructor(
    message: string,
    init: Omit<AnnexErrorInit, 'code'> & { retryAfterSeconds?: number | undefined },
  ) {
    super(message, { ...init, code: 'rate_limited' });
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** The request was refused as invalid, by the SDK before sending or by the server. */
export class InvalidInputError extends AnnexError {
  override name = 'InvalidInputError';
  /** Each bad field and what is wrong with it (empty when the server named none). */
  readonly issues: readonly FieldIssue[];

  /** Builds an invalid-input error with the fields it concerns. */
  constructor(message: string, init: AnnexErrorInit & { issues?: readonly FieldIssue[] }) {
    super(message, init);
    this.issues = init.issues ?? [];
  }
}

/**
 * The export's file was asked for before the export completed. Wait (`waitUntilDone`) and ask again;
 * `status` says where it stands.
 */
export class ExportNotReadyError extends AnnexError {
  override name = 'ExportNotReadyError';
  /** The export as it stood when its file was asked for. */
  readonly export: ExportRecord;
  /** Where the export stands: `queued` or `running`. */
  readonly status: ExportStatus;

  /** Builds a not-ready error carrying the export as the server sent it. */
  constructor(
    message: string,
    exportRecord: ExportRecord,
    init: Omit<AnnexErrorInit, 'code'> = {},
  ) {
    super(message, { ...init, code: 'export_not_ready' });
    this.export = exportRecord;
    this.status = exportRecord.status;
  }
}

/** The export failed; `message` is its `status_text`: why, and what to change. It will not complete. */
export class ExportFailedError extends AnnexError {
  override name = 'ExportFailedError';
  /** The failed export. */
  readonly export: ExportRecord;

  /** Builds a failed-export error carrying the export. */
  constructor(
    message: string,
    exportRecord: ExportRecord,
    init: Omit<AnnexErrorInit, 'code'> = {},
  ) {
    super(message, { ...init, code: 'export_failed' });
    this.export = exportRecord;
  }
}

/**
 * The export was cancelled before it finished, so it has no file and never will; `message` says who
 * cancelled it. `export.retry()` queues a new one with the same settings.
 */
export class ExportCancelledError extends AnnexError {
  override name = 'ExportCancelledError';
  /** The cancelled export. */
  readonly export: ExportRecord;

  /** Builds a cancelled-export error carrying the export. */
  constructor(
    message: string,
    exportRecord: ExportRecord,
    init: Omit<AnnexErrorInit, 'code'> = {},
  ) {
    super(message, { ...init, code: 'export_cancelled' });
    this.export = exportRecord;
  }
}

/** annex could not be reached, or the connection broke while reading its answer. */
export class NetworkError extends AnnexError {
  override name = 'NetworkError';
}

/** `waitUntilDone` ran out of time while the export was still queued or running. */
export class ExportTimeoutError extends AnnexError {
  override name = 'ExportTimeoutError';
  /** The export as it stood when the wait gave up. */
  readonly export: ExportRecord;

  /** Builds a timeout error carrying the export as last seen. */
  constructor(message: string, exportRecord: ExportRecord) {
    super(message, { code: 'timeout' });
    this.export = exportRecord;
  }
}

/**
 * The file given to import is not a Diffgram JSON file (the server's 400 `invalid_import_file`):
 * refused at once, nothing was imported. `message` is the server's, saying why. Fix or replace the file.
 */
export class InvalidImportFileError extends InvalidInputError {
  override name = 'InvalidImportFileError';
}

/** How many of an import's problems a failure's `message` lists; `problems` has all the record holds. */
const problemsInMessage = 3;

/**
 * The import failed (`status` ended `failed`): with `on_error=fail`, a bad packet fails it and
 * nothing is written. `message` is its `status_text` and its first problems; `problems` lists every
 * problem the record holds, one line each (`packet 812 › instance_list[3] › x_max: expected a number`).
 */
export class ImportFailedError extends AnnexError {
  override name = 'ImportFailedError';
  /** The failed import, with its counts and its first problems (`errors`). */
  readonly import: ImportRecord;
  /** Why it failed, in the server's words (its `status_text`). */
  readonly reason: string;
  /** Its problems as lines (at most the 100 the record holds; `import.error_count` counts them all). */
  readonly problems: readonly string[];

  /** Builds a failed-import error from the import's record. */
  constructor(importRecord: ImportRecord) {
    const reason = importRecord.status_text ?? 'no reason was recorded';
    const problems = importRecord.errors.map(formatImportProblem);
    const shown = problems.slice(0, problemsInMessage);
    const more = importRecord.error_count - shown.length;
    const listed =
      shown.length === 0
        ? ''
        : ` Problems: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`;
    super(`Import ${importRecord.id} failed: ${reason}${listed}`, { code: 'import_failed' });
    this.import = importRecord;
    this.reason = reason;
    this.problems = problems;
  }
}

/** `waitUntilDone` (or `importFile`'s wait) ran out of time while the import was still queued or running. */
export class ImportTimeoutError extends AnnexError {
  override name = 'ImportTimeoutError';
  /** The import as it stood when the wait gave up: it goes on running on the server. */
  readonly import: ImportRecord;

  /** Builds a timeout error carrying the import as last seen. */
  constructor(message: string, importRecord: ImportRecord) {
    super(message, { code: 'timeout' });
    this.import = importRecord;
  }
}
