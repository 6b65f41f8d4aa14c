import { CommanderError } from 'commander';
import {
  AuthenticationError,
  ExportCancelledError,
  ExportFailedError,
  ExportNotReadyError,
  ExportTimeoutError,
  ImportFailedError,
  ImportTimeoutError,
  InvalidImportFileError,
  InvalidInputError,
  NetworkError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
} from '../annex-errors.ts';

/** The exit codes of `annex`, one per kind of outcome, so a script can branch on them. */
export const exitCodes = {
  /** Done. */
  ok: 0,
  /** Anything else: the server's own error, a damaged download, a file that could not be written. */
  error: 1,
  /** Bad command line or options (the server refusing the request as invalid counts too). */
  usage: 2,
  /** The project, job, directory or export does not exist. */
  notFound: 3,
  /**
   * The export or the import failed: an export's reason is its status text; an import's, its status
   * text and first problems, or the server's reason for refusing a file that is not Diffgram JSON.
   * One code for both, as a script asks one question of it: the job ran and the data did not come
   * through.
   */
  failed: 4,
  /** annex could not be reached (or the connection broke). */
  network: 5,
  /** The export is not complete yet, or a wait (for an export or an import) ran out of time. */
  notReady: 6,
  /** Not signed in: no API key was given, or it is wrong, revoked or of a disabled account (401). */
  unauthenticated: 7,
  /** Refused: the account's role in the project may not do this, such as a viewer generating (403). */
  forbidden: 8,
  /** Too many requests for now (429); the message says when to try again. */
  rateLimited: 9,
  /** The export was cancelled before it finished (someone ran `annex export cancel`, or the panel's Cancel). */
  cancelled: 10,
} as const;

/** One of annex's exit codes. */
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** The exit codes as the help text lists them. */
export const exitCodesHelp = `
Exit codes:
  0  done
  1  other error (server error, damaged download, file not writable)
  2  usage error (bad or missing option, invalid request)
  3  not found (project, job, directory, export or import)
  4  export or import failed (the reason, and an import's first problems, are printed)
  5  network: annex could not be reached
  6  export not ready yet, or --timeout passed while waiting (an import goes on)
  7  not signed in: no API key, or a wrong or revoked one (see "API key")
  8  refused: your role in the project may not do this
  9  rate limited: too many requests, try again later (the message says when)
 10  export cancelled before it finished (retry it: annex export retry ID)`;

/** A command line that makes no sense, found after commander's own checks. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exit code an error ends the command with. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  // A file refused as not Diffgram JSON is an InvalidInputError too, but the command line was fine:
  // the data did not come through, as when the import fails on a bad packet.
  if (
    error instanceof ExportFailedError ||
    error instanceof ImportFailedError ||
    error instanceof InvalidImportFileError
  )
    return exitCodes.failed;
  if (error instanceof UsageError || error instanceof InvalidInputError) return exitCodes.usage;
  if (error instanceof NotFoundError) return exitCodes.notFound;
  if (error instanceof NetworkError) return exitCodes.network;
  if (
    error instanceof ExportNotReadyError ||
    error instanceof ExportTimeoutError ||
    error instanceof ImportTimeoutError
  )
    return exitCodes.notReady;
  if (error instanceof AuthenticationError) return exitCodes.unauthenticated;
  if (error instanceof PermissionError) return exitCodes.forbidden;
  if (error instanceof RateLimitedError) return exitCodes.rateLimited;
  if (error instanceof ExportCancelledError) return exitCodes.cancelled;
  return exitCodes.error;
}
