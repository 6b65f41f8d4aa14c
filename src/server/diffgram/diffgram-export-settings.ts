import type { DiffgramToFileInput } from '../../contract/diffgram-api.ts';
import { diffgramSupportedKind } from '../../contract/diffgram-api.ts';
import { ApiError } from '../http/api-error.ts';
import type { CreateExportInput } from '../exports/export-service.ts';

// A Diffgram `export/to_file` body read as annex's export settings. Diffgram's meanings are kept:
// `ann_is_complete: null` is every file (annex's own API defaults to completed files only), and
// `source: "directory"` with no `directory_id` is the project's default directory. What annex cannot
// do is refused in words (a 400 the SDK shows), never done differently without a word.

/** A refusal of the request, as the SDK shows it: a 400 with the message. */
function unsupported(message: string): ApiError {
  return new ApiError('bad_request', message);
}

/** The settings a `to_file` body asks for; `defaultDirectoryId` is the project's default directory. */
export function exportInputFromDiffgram(
  body: DiffgramToFileInput,
  defaultDirectoryId: number | null,
): CreateExportInput {
  if (body.kind !== undefined && body.kind !== diffgramSupportedKind) {
    throw unsupported(
      `Export kind "${body.kind}" is not supported: annex exports annotations only (kind "Annotations").`,
    );
  }
  if (body.masks === true) {
    throw unsupported(
      'Masks are not supported: annex exports annotations as JSON only. Send masks=False.',
    );
  }
  if (body.ann_is_complete === false) {
    throw unsupported(
      'ann_is_complete=False (only files that are not complete) is not supported by annex. Send ann_is_complete=None for all files or True for completed files only.',
    );
  }
  const shared = {
    ann_is_complete: body.ann_is_complete === true,
    include_removed: false,
    wait_for_export_generation: body.wait_for_export_generation,
    return_type: body.return_type,
  };
  switch (body.source) {
    case 'directory': {
      const directoryId = body.directory_id ?? defaultDirectoryId;
      if (directoryId === null) {
        throw unsupported(
          'This project has no default directory: send directory_id with source="directory".',
        );
      }
      return { ...shared, source: 'directory', directory_id: directoryId };
    }
    case 'job':
      if (body.job_id === undefined)
        throw unsupported(
          'job_id is required when source is "job" (the SDK\'s job.generate_export).',
        );
      return { ...shared, source: 'job', job_id: body.job_id };
    case 'task':
      if (body.task_id === undefined)
        throw unsupported('task_id is required when source is "task".');
      return { ...shared, source: 'task', task_id: body.task_id };
  }
}
