import { sourceIdOf } from '../../contract/exports.ts';
import type { ExportSource, SourceIdFields } from '../../contract/exports.ts';
import type { ExportRow } from '../db/schema.ts';

// What an export selects, in the server's own words. A source is one kind and one id, so settings
// cannot name two sources at once; the request's three id fields are checked by the contract
// (`refineOneIdPerSource`) and the row's three id columns are written and read only here.

/** The settings an export (or a preflight) selects files with. */
export interface ExportSettings {
  /** The project the source must belong to. */
  projectId: number;
  /** What to read from. */
  source: ExportSource;
  /** The directory's, job's or task's id, as `source` says. */
  sourceId: number;
  /** True: completed files only. False: all files. */
  annIsComplete: boolean;
  /** Write (and count) soft-deleted instances too. */
  includeRemoved: boolean;
}

/** A request's (or query's) selection fields, checked by the contract, as settings in a project. */
export function exportSettingsFrom(
  projectId: number,
  fields: SourceIdFields & { ann_is_complete: boolean; include_removed: boolean },
): ExportSettings {
  const sourceId = sourceIdOf(fields);
  // The contract's refinement makes this unreachable; a route without it would be a bug, not bad input.
  if (sourceId === undefined) throw new Error(`${fields.source}_id is missing after validation`);
  return {
    projectId,
    source: fields.source,
    sourceId,
    annIsComplete: fields.ann_is_complete,
    includeRemoved: fields.include_removed,
  };
}

/** The export row's source columns for settings: the source's id in its own column, null in the others. */
export function sourceColumnsOf(settings: ExportSettings): {
  directory_id: number | null;
  job_id: number | null;
  task_id: number | null;
} {
  return {
    directory_id: settings.source === 'directory' ? settings.sourceId : null,
    job_id: settings.source === 'job' ? settings.sourceId : null,
    task_id: settings.source === 'task' ? settings.sourceId : null,
  };
}

/** The settings an export row was asked with. */
export function exportSettingsOf(row: ExportRow): ExportSettings {
  const sourceId = { directory: row.directory_id, job: row.job_id, task: row.task_id }[row.source];
  if (sourceId === null) throw new Error(`Export ${row.id} has no ${row.source}_id`);
  return {
    projectId: row.project_id,
    source: row.source,
    sourceId,
    annIsComplete: row.ann_is_complete === 1,
    includeRemoved: row.include_removed === 1,
  };
}
