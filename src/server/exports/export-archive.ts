import type { ExportRow } from '../db/schema.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import type { ArchiveCondition, ExportState } from './export-state.ts';

// Archiving an export, the one way every part of annex does it (a user's DELETE through
// ExportService, the retention sweep): the guarded move in ExportState, then its file deleted from
// storage. The row goes first, so a file is never deleted under an export still listed; should the
// delete fail, the row stays archived and the file sweep (storage/export-file-sweep.ts) deletes the
// file of an archived export later.

/** The row was archived but its file could not be deleted (storage unreachable); the file sweep deletes it later. */
export class ArchivedFileNotDeletedError extends Error {
  override name = 'ArchivedFileNotDeletedError';

  constructor(
    /** The archived row. */
    readonly row: ExportRow,
    cause: unknown,
  ) {
    super(
      `Export ${row.id} was archived, but its file ${row.storage_key ?? ''} could not be deleted from storage (${cause instanceof Error ? cause.message : String(cause)}); the file sweep deletes it later.`,
      { cause },
    );
  }
}

/** What archiving needs. */
export interface ArchiveExportDeps {
  /** Runs the guarded move. */
  state: ExportState;
  /** Where the file is deleted from. */
  storage: ExportFileStore;
}

/**
 * Archives an export of the project and deletes its file. Returns the archived row, or undefined when
 * the project has no such export, it was archived already, or it does not meet `onlyIf` (nothing
 * changed then). Throws ArchivedFileNotDeletedError when the row was archived but the file stayed.
 */
export async function archiveExport(
  deps: ArchiveExportDeps,
  projectId: number,
  exportId: number,
  onlyIf?: ArchiveCondition,
): Promise<ExportRow | undefined> {
  const archived = await deps.state.archive(projectId, exportId, new Date(), onlyIf);
  if (archived?.storage_key == null) return archived;
  try {
    await deps.storage.remove(archived.storage_key);
  } catch (error) {
    throw new ArchivedFileNotDeletedError(archived, error);
  }
  return archived;
}
