import { isStale } from '../../contract/exports.ts';
import type { ChangesSince } from '../../contract/exports.ts';
import { formatImportProblem } from '../../contract/imports.ts';
import type { Import as ImportRecord } from '../../contract/imports.ts';
import { formatBytes, plural } from './progress-reporter.ts';

// What `annex` prints about an export's staleness and an import's outcome: plain functions of the
// records, so the words are tested without a server.

/** How many problems an import's summary lists before "and N more". */
export const problemsShown = 10;

/**
 * The stale line of `annex export status` (the panel's "Stale" badge in words):
 * `Stale: 4 files changed since this export (changed 2, added 1, removed 1)`; null when nothing
 * changed, or when the export does not know (not complete, or made before change tracking).
 */
export function staleLine(changes: ChangesSince | null): string | null {
  if (changes === null || !isStale(changes)) return null;
  const total = changes.files_changed + changes.files_added + changes.files_removed;
  return (
    `Stale: ${plural(total, 'file')} changed since this export ` +
    `(changed ${changes.files_changed}, added ${changes.files_added}, removed ${changes.files_removed})`
  );
}

/** The STATUS cell of `annex export list`: the status, its percent while running, and staleness. */
export function exportStatusCell(
  status: string,
  percentComplete: number,
  changes: ChangesSince | null,
): string {
  if (status === 'running') return `running ${Math.round(percentComplete)}%`;
  if (changes !== null && isStale(changes)) {
    const total = changes.files_changed + changes.files_added + changes.files_removed;
    return `${status}, stale (${total} changed)`;
  }
  return status;
}

/** Problems past the listed ones: the record holds at most 100, `error_count` counts them all. */
function moreProblemsLine(record: ImportRecord, listed: number): string | null {
  const more = record.error_count - listed;
  if (more <= 0) return null;
  return `    … and ${plural(more, 'more problem')} (--json lists the first ${record.errors.length})`;
}

/**
 * An import's outcome as `annex import` prints it: where it went, the counts (files created,
 * updated and skipped, instances created, updated and removed, labels created), then the first
 * problems, one a line, as the panel words them.
 */
export function importSummaryLines(
  record: ImportRecord,
  maxProblems: number = problemsShown,
): string[] {
  const from =
    record.original_filename === null
      ? formatBytes(record.size_bytes)
      : `${record.original_filename}, ${formatBytes(record.size_bytes)}`;
  const packets =
    record.packet_count === null ? '' : ` of ${plural(record.packet_count, 'packet')}`;
  const lines = [
    `Import ${record.id} into directory "${record.directory?.name ?? record.directory_name}" (${from}): ${record.status}`,
    `  files      ${record.files_created} created, ${record.files_updated} updated, ${record.files_skipped} skipped${packets}`,
    `  instances  ${record.instances_created} created, ${record.instances_updated} updated, ${record.instances_removed} removed`,
    `  labels     ${record.labels_created} created`,
  ];
  if (record.status === 'failed' && record.status_text !== null)
    lines.push(`  reason     ${record.status_text}`);
  if (record.error_count > 0) {
    const what =
      record.on_error === 'skip' && record.status === 'complete'
        ? ' (on-error skip: the bad packets were left out)'
        : '';
    lines.push(`  problems   ${record.error_count}${what}`);
    const shown = record.errors.slice(0, maxProblems);
    lines.push(...shown.map((problem) => `    ${formatImportProblem(problem)}`));
    const more = moreProblemsLine(record, shown.length);
    if (more !== null) lines.push(more);
  }
  return lines;
}

/**
 * The retry lines of `annex export status`: `retry of   export 12` on a retry, `retried as export 15`
 * on an export that was retried (a failed or cancelled one); none otherwise.
 */
export function retryLines(record: {
  retry_of: number | null;
  retried_by: number | null;
}): string[] {
  const lines: string[] = [];
  if (record.retry_of !== null) lines.push(`  retry of   export ${record.retry_of}`);
  if (record.retried_by !== null) lines.push(`  retried as export ${record.retried_by}`);
  return lines;
}
