import { formatCheckExample, geometryRows, taskRows } from '../../contract/export-check-rows.ts';
import type { FindingRow } from '../../contract/export-check-rows.ts';
import type { CheckWarning, ExportChecks } from '../../contract/export-checks.ts';
import { plural } from './progress-reporter.ts';

// What `annex export checks` prints: plain functions of the check values, so the words and the
// alignment are tested without a server. The warnings come first (what to act on), then the values.

/** How many places to look each warning lists unless `--examples` says otherwise. */
export const defaultExamplesShown = 3;

/** Where a sentence wraps, so a warning reads as a paragraph in an 80-column terminal. */
const wrapWidth = 78;

function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > wrapWidth) {
      lines.push(`${indent}${line}`);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(`${indent}${line}`);
  return lines;
}

/** Rows as columns padded to their widest cell; the columns in `rightAligned` (numbers) to the right. */
export function alignColumns(rows: string[][], rightAligned: readonly number[] = []): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(0, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) =>
        rightAligned.includes(column)
          ? cell.padStart(widths[column] ?? 0)
          : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** A check's count as the table shows it: `none` when it found nothing. */
function findingCell(row: FindingRow): string {
  return row.finding.count === 0 ? 'none' : String(row.finding.count);
}

function warningLines(warning: CheckWarning, examplesShown: number): string[] {
  const lines = [`! ${warning.title}`, ...wrap(warning.sentence, '  ')];
  const finding = warning.finding;
  if (finding === null || finding.examples.length === 0 || examplesShown === 0) return lines;
  const shown = finding.examples.slice(0, examplesShown);
  lines.push(...shown.map((example) => `  - ${formatCheckExample(example)}`));
  if (finding.count > shown.length) {
    // The record keeps the first few only; --json has every one it keeps.
    const kept = finding.examples.length;
    lines.push(
      `  … and ${finding.count - shown.length} more` +
        (kept > shown.length ? ` (--json lists the first ${kept})` : ''),
    );
  }
  return lines;
}

function section(title: string, body: string[]): string[] {
  return ['', title, ...body.map((line) => `  ${line}`)];
}

function countRows(counts: Partial<Record<string, number>>): string[][] {
  return Object.entries(counts).flatMap(([name, count]) =>
    count === undefined ? [] : [[name, String(count)]],
  );
}

/**
 * The report of `annex export checks`: a headline with the warning count, each warning (title,
 * sentence, the first `examplesShown` places), then every value in aligned tables.
 */
export function exportChecksReportLines(
  exportId: number,
  checks: ExportChecks,
  warnings: readonly CheckWarning[],
  examplesShown: number = defaultExamplesShown,
): string[] {
  const lines = [
    warnings.length === 0
      ? `Export ${exportId}: no warnings, every check passed`
      : `Export ${exportId}: ${plural(warnings.length, 'warning')}`,
  ];
  for (const warning of warnings) lines.push('', ...warningLines(warning, examplesShown));

  const counts = checks.expected_vs_written;
  lines.push(
    ...section(
      'Expected and written',
      alignColumns(
        [
          ['', 'EXPECTED', 'SELECTED', 'WRITTEN'],
          [
            'files',
            counts.expected_file_count === null ? '-' : String(counts.expected_file_count),
            String(counts.selected_file_count),
            String(counts.written_file_count),
          ],
          [
            'instances',
            '-',
            String(counts.selected_instance_count),
            String(counts.written_instance_count),
          ],
        ],
        [1, 2, 3],
      ),
    ),
  );
  if (checks.tasks !== null) {
    lines.push(
      ...section(
        'Tasks and files (archived tasks left out)',
        alignColumns(
          [
            ['Tasks complete', `${checks.tasks.tasks_complete} of ${checks.tasks.tasks_total}`],
            ['Files exported', String(checks.tasks.files_exported)],
            ...taskRows(checks).map((row) => [row.label, findingCell(row)]),
          ],
          [1],
        ),
      ),
    );
  }
  lines.push(
    ...section(
      'Geometry and resolution',
      alignColumns(
        geometryRows(checks).map((row) => [row.label, findingCell(row)]),
        [1],
      ),
    ),
    ...section(
      'Files per type',
      alignColumns(
        [
          ...countRows(checks.files_per_type),
          ['with no instance', String(checks.files_without_instances.count)],
        ],
        [1],
      ),
    ),
  );
  const types = countRows(checks.instances_per_type);
  lines.push(
    ...section('Instances per type', types.length === 0 ? ['none'] : alignColumns(types, [1])),
  );
  const labels = checks.instances_per_label.map((label) => [label.name, String(label.count)]);
  lines.push(
    ...section('Instances per label', labels.length === 0 ? ['none'] : alignColumns(labels, [1])),
  );
  return lines;
}

/** The line `annex export status` adds for a complete export with check values. */
export function checksSummaryLine(
  exportId: number,
  project: string,
  warnings: readonly CheckWarning[],
): string {
  if (warnings.length === 0) return 'checks     no warnings';
  return `checks     ${plural(warnings.length, 'warning')}: annex export checks ${exportId} --project ${project}`;
}
