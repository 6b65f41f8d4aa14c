import type { FieldIssue } from '../../contract/errors.ts';
import { ApiError } from '../http/api-error.ts';

// The refusals the write API shares. A request that is well formed but names what the project does
// not hold (a label of another project, an instance of another file) is a 422 in the same shape as
// the contract's own 400s: `validation_failed`, with each field's path in `details.issues`
// (`body.instance_list.3.label_file_id`), so one client reads both the same way.

/** Issues listed at most in one answer; the message says how many more there were. */
const listedIssues = 50;

/** A 422 `validation_failed` naming each field (paths in the contract's dotted form). */
export function unprocessable(issues: readonly FieldIssue[]): ApiError {
  const listed = issues.slice(0, listedIssues);
  const more = issues.length - listed.length;
  const summary = listed.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  return new ApiError(
    'validation_failed',
    `Invalid request: ${summary}${more > 0 ? ` (and ${more} more problems)` : ''}`,
    { issues: listed, issue_count: issues.length },
    422,
  );
}

/** A 409 `conflict`: the file was removed (DELETE), so it takes no more changes. */
export function fileRemoved(fileId: number): ApiError {
  return new ApiError(
    'conflict',
    `File ${fileId} was removed (DELETE); a removed file takes no more changes and is never exported. Make a new file instead.`,
    { file_id: fileId, state: 'removed' },
  );
}

/** A 409 `conflict`: the name is taken in the project. */
export function nameTaken(what: string, field: string, name: string, existingId: number): ApiError {
  return new ApiError(
    'conflict',
    `A ${what} named "${name}" already exists in this project (id ${existingId}). Choose another name, or use that ${what}.`,
    { field, name, id: existingId },
  );
}
