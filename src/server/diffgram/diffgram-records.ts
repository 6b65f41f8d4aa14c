import type { DiffgramExport, DiffgramWorkingDir } from '../../contract/diffgram-api.ts';
import type { Export } from '../../contract/exports.ts';
import type { DirectoryRow } from './diffgram-queries.ts';

// annex's records in the shapes the Diffgram SDK reads.

/** A directory as the SDK's Directory object takes it. */
export function diffgramWorkingDirOf(
  directory: DirectoryRow,
  defaultDirectoryId: number | null,
): DiffgramWorkingDir {
  return {
    directory_id: directory.id,
    id: directory.id,
    nickname: directory.nickname,
    created_time: directory.created_time,
    file_count: directory.file_count,
    completed_file_count: directory.completed_file_count,
    is_default: directory.id === defaultDirectoryId,
  };
}

/** An export as the SDK's Export object takes it: annex's record with the source ids flat. */
export function diffgramExportOf(record: Export): DiffgramExport {
  return {
    ...record,
    job_id: record.job?.id ?? null,
    directory_id: record.directory?.id ?? null,
    task_id: record.task?.id ?? null,
  };
}
