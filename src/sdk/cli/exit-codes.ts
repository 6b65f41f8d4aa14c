import { CommanderError } from 'commander';
import {
  ExportFailedError,
  ExportNotReadyError,
  ExportTimeoutError,
  InvalidInputError,
  NetworkError,
  NotFoundError,
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
  /** The export failed; the reason is its status text. */
  exportFailed: 4,
  /** annex could not be reached (or the connection broke). */
  network: 5,
  /** The export is not complete yet, or a wait ran out of time. */
  notReady: 6,
} as const;

/** One of annex's exit codes. */
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** The exit codes as the help text lists them. */
export const exitCodesHelp = `
Exit codes:
  0  done
  1  other error (server error, damaged download, file not writable)
  2  usage error (bad or missing option, invalid request)
  3  not found (project, job, directory or export)
  4  export failed (the reason is printed)
  5  network: annex could not be reached
  6  export not ready yet, or --timeout passed while waiting`;

/** A command line that makes no sense, found after commander's own checks. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exit code an error ends the command with. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  if (error instanceof UsageError || error instanceof InvalidInputError) return exitCodes.usage;
  if (error instanceof NotFoundError) return exitCodes.notFound;
  if (error instanceof ExportFailedError) return exitCodes.exportFailed;
  if (error instanceof NetworkError) return exitCodes.network;
  if (error instanceof ExportNotReadyError || error instanceof ExportTimeoutError)
    return exitCodes.notReady;
  return exitCodes.error;
}
