import type { ExportRow } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import type { ExportFileStore, StoredFileStat } from '../storage/export-file-store.ts';

// One answer for "the export is complete but its file is gone", whoever asks for the file (the
// download, the spot-check's sample, the diff): a 404, since the file is what was asked for.

/** The message of a complete export whose file is missing from storage. */
export function missingExportFileMessage(exportId: number): string {
  return `The file of export ${exportId} is missing from the server's storage. Generate the export again.`;
}

/**
 * The storage key and size of export `row`'s file; a 404 `not_found` when the row has no file or
 * the storage no longer holds it.
 */
export async function requireStoredFile(
  storage: ExportFileStore,
  row: Pick<ExportRow, 'id' | 'storage_key'>,
): Promise<{ key: string; stat: StoredFileStat }> {
  const stat = row.storage_key === null ? null : await storage.stat(row.storage_key);
  if (row.storage_key === null || stat === null) {
    throw new ApiError('not_found', missingExportFileMessage(row.id));
  }
  return { key: row.storage_key, stat };
}
