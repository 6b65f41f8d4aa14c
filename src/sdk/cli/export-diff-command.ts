import type { Command } from 'commander';
import { maxDiffListed } from '../../contract/export-diff.ts';
import type { DiffFileList, ExportDiff } from '../../contract/export-diff.ts';
import type { Project } from '../project-client.ts';
import type { CliIo } from './annex-cli.ts';
import { plural } from './progress-reporter.ts';

/** What the diff command borrows from the program: its connection options and its project. */
export interface ExportDiffCommandDeps {
  io: CliIo;
  /** Adds --host, --project and --json (the program's `withConnection`). */
  withConnection: (command: Command) => Command;
  /** Parses a positive integer argument. */
  positiveInteger: (value: string) => number;
  /** The project the flags name, with the program's credentials. */
  projectOf: (flags: { host: string; project: string }) => Project;
}

interface DiffFlags {
  host: string;
  project: string;
  json?: boolean;
}

/** How many ids of a list the text summary prints; `--json` has them all (up to `maxDiffListed`). */
const idsShown = 20;

function idLine(name: string, list: DiffFileList): string {
  const shown = list.file_ids.slice(0, idsShown).join(', ');
  const more = list.count > Math.min(list.count, idsShown) ? ', …' : '';
  return `  ${name.padEnd(20)}${String(list.count).padStart(8)}${list.count > 0 ? `  ${shown}${more}` : ''}`;
}

/** The diff in words: both sides, file lists (first ids), instance counts and the per-label table. */
export function diffSummaryLines(diff: ExportDiff): string[] {
  const { from, to, files, instances } = diff;
  const lines = [
    `Export ${from.id} → export ${to.id}: ${diff.identical ? 'identical' : 'changed'}`,
    `  from  ${plural(from.file_list_length, 'file')}, ${plural(from.instance_count, 'instance')} (${from.created_time})`,
    `  to    ${plural(to.file_list_length, 'file')}, ${plural(to.instance_count, 'instance')} (${to.created_time})`,
    'Files',
    idLine('added', files.added),
    idLine('removed', files.removed),
    idLine('changed', files.changed),
    idLine('completion changed', files.completion_changed),
    `  ${'unchanged'.padEnd(20)}${String(files.unchanged_count).padStart(8)}`,
    `Instances: ${instances.added} added, ${instances.removed} removed, ${instances.changed} changed`,
  ];
  if (instances.per_label.length > 0) {
    const width = Math.max(5, ...instances.per_label.map((row) => row.label.length));
    lines.push(`  ${'label'.padEnd(width)}  added  removed  changed`);
    for (const row of instances.per_label) {
      lines.push(
        `  ${row.label.padEnd(width)}  ${String(row.added).padStart(5)}  ${String(row.removed).padStart(7)}  ${String(row.changed).padStart(7)}`,
      );
    }
  }
  const cut = [files.added, files.removed, files.changed, files.completion_changed].some(
    (list) => list.count > maxDiffListed,
  );
  if (cut) lines.push(`Lists keep the first ${maxDiffListed} file ids; the counts are whole.`);
  return lines;
}

/** `annex export diff FROM TO`: what changed between two complete exports of the project. */
export function registerExportDiffCommand(
  exportCommand: Command,
  deps: ExportDiffCommandDeps,
): void {
  deps
    .withConnection(exportCommand.command('diff'))
    .description(
      'what changed between two complete exports: files added, removed and changed, completion, instances per label',
    )
    .argument('<from>', 'the older export id', deps.positiveInteger)
    .argument('<to>', 'the newer export id', deps.positiveInteger)
    .action(async (from: number, to: number, flags: DiffFlags) => {
      const diff = await deps.projectOf(flags).export.diff(from, to);
      if (flags.json === true) {
        deps.io.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
        return;
      }
      deps.io.stdout.write(`${diffSummaryLines(diff).join('\n')}\n`);
    });
}
