import { EmptyExportError } from './export-file-writer.ts';

/*
 * What a person reads when an export fails or a write is retried: the reason in words, without the
 * server's paths. Its own module because both the build (a failed export's `status_text`) and the
 * retried final writes (their log lines) say it, and the second must not import the first.
 */

/** The `status_text` of a failed export: what happened and what to do, for a person. */
export function statusTextOf(error: unknown): string {
  if (error instanceof EmptyExportError) return error.message;
  return `Export failed: ${reasonOf(error)}. Generate it again; if it fails again, check the server log.`;
}

/** Why a write failed, in a few words fit for a log line or a status text. */
export function reasonOf(error: unknown): string {
  if (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    'syscall' in error
  ) {
    // A file-system error: say what went wrong without showing the server's paths.
    if (error.code === 'ENOSPC') return "the server's disk is full";
    return `the server could not write the export file (${error.code})`;
  }
  if (isDatabaseDiskFull(error)) return "the database's disk is full";
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().replace(/[.\s]+$/, '') || 'an unknown error';
}

/** SQLite's `SQLITE_FULL` or PostgreSQL's `53100 disk_full`: the database ran out of space. */
function isDatabaseDiskFull(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    (error.code === 'SQLITE_FULL' || error.code === '53100')
  );
}
