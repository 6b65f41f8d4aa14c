import type { Readable } from 'node:stream';
import { readJsonObjectEntries } from '../storage/json-object-entries.ts';
import type { JsonObjectEntry } from '../storage/json-object-entries.ts';

// Reads a stored export file (one the writer made) as its top-level entries, one chunk at a time
// (storage/json-object-entries.ts, as the import reader does), in its own words when the file is not
// what annex wrote. The spot-check's sample and the diff read files this way.
//
// No packet size limit, unlike the import's reader of uploads: the file is the server's own, and
// the writer held each packet whole as one string to write it, so reading one back whole is what
// writing it took already; a limit could only refuse a valid export (a long video's packet).

/** One top-level entry of the file: a metadata value or a packet, by its key. */
export type ExportFileEntry = JsonObjectEntry;

/** A stored export file is not the file annex wrote (not JSON, cut short, a packet that is not one). */
export class UnreadableExportFileError extends Error {
  override name = 'UnreadableExportFileError';

  constructor(
    /** The export whose file it is. */
    readonly exportId: number,
    /** What is wrong, lowercase and without a closing period: "it ends before its JSON does …". */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `The file of export ${exportId} cannot be read as an export file: ${reason}. Generate the export again.`,
      options,
    );
  }
}

/**
 * The entries of export `exportId`'s file, a chunk's worth at a time, in file order. Throws
 * `UnreadableExportFileError` when the file is not one JSON object (or ends early); rejects with the
 * signal's reason when `signal` aborts. Stopping the iteration closes the file.
 */
export function readExportFileEntries(
  open: () => Readable,
  exportId: number,
  signal?: AbortSignal,
): AsyncGenerator<ExportFileEntry[]> {
  return readJsonObjectEntries(open, {
    ...(signal === undefined ? {} : { signal }),
    errors: {
      invalidJson: (detail, cause) =>
        new UnreadableExportFileError(
          exportId,
          `it is not valid JSON (${detail.replace(/\.$/, '')})`,
          { cause },
        ),
      notAnObject: () =>
        new UnreadableExportFileError(exportId, 'it holds a list at the top, not an object'),
      cutShort: (bytesRead) =>
        new UnreadableExportFileError(
          exportId,
          `it ends before its JSON does (after ${bytesRead} bytes), so it was cut short`,
        ),
    },
  });
}
