import type { Export as ExportRecord } from '../contract/exports.ts';
import { ExportCancelledError } from './annex-errors.ts';

// The words a script (and the CLI) meets when an export it waits for was cancelled: the same as the
// server's own 409 `export_cancelled`, built from the record when the SDK saw the status itself.

/** The ExportCancelledError for a cancelled export, saying who cancelled it and what to do. */
export function cancelledErrorOf(record: ExportRecord): ExportCancelledError {
  const who = record.status_text === null ? '' : ` (${record.status_text.replace(/\.$/, '')})`;
  return new ExportCancelledError(
    `Export ${record.id} was cancelled before it finished${who}, so it has no file. Retry it to build it again.`,
    record,
  );
}
