import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { maxCheckExamples } from '../../contract/export-checks.ts';
import { ExportFailedError, ExportNotReadyError } from '../annex-errors.ts';
import { cancelledErrorOf } from '../export-cancelled.ts';
import type { Project } from '../project-client.ts';
import type { CliIo } from './annex-cli.ts';
import { defaultExamplesShown, exportChecksReportLines } from './export-checks-report.ts';

/** What `annex export checks` takes from the program that registers it. */
export interface ExportChecksCommandContext {
  io: CliIo;
  /** Adds --host, --project and --json, as every export command has them. */
  withConnection: (command: Command) => Command;
  /** The project the flags name, signed in with the program's API key. */
  projectOf: (flags: { host: string; project: string }) => Project;
  /** What every command's help ends with (API key, exit codes). */
  commandHelp: string;
}

interface ChecksFlags {
  host: string;
  project: string;
  json?: boolean;
  examples: number;
}

/** A complete export made before annex kept check values: it has none, and never will. */
export class NoCheckValuesError extends Error {
  override name = 'NoCheckValuesError';
}

function examplesCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count > maxCheckExamples) {
    throw new InvalidArgumentError(`must be a whole number from 0 to ${maxCheckExamples}.`);
  }
  return count;
}

/** Registers `annex export checks ID` on the `export` command. */
export function registerExportChecksCommand(
  exportCommand: Command,
  context: ExportChecksCommandContext,
): void {
  const { io } = context;
  context
    .withConnection(exportCommand.command('checks'))
    .description(
      "show a complete export's check values: its warnings first (what each means, what to do, where to look), then every value",
    )
    .argument('<id>', 'the export id', (value: string) => {
      if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
        throw new InvalidArgumentError('must be a positive integer.');
      }
      return Number(value);
    })
    .option(
      '--examples <n>',
      `places to look listed per warning, 0 to ${maxCheckExamples}; --json has all the export keeps`,
      examplesCount,
      defaultExamplesShown,
    )
    .addHelpText(
      'after',
      `
The check values are counted while the file is written: instances per label and per type, files per
type, files with no instance, geometry that cannot be right (outside the image, zero-area boxes,
polygons under 3 points, frames past the video's end, keypoints outside), files without width or
height, tasks against files for a job or task source, and expected (preflight) against written.

Warnings do not change the exit code: a finding is for a person to judge (files with no instance
may be meant). A script reads them from --json (the "checks" object of the export record) and
decides. An export that is not complete yet exits 6; a failed one exits 4, a cancelled one 10; one
made before annex kept check values exits 1.

Examples:
  annex export checks 12 --project demo
  annex export checks 12 --project demo --json | jq '.geometry.outside_bounds.count'
${context.commandHelp}`,
    )
    .action(async (id: number, flags: ChecksFlags) => {
      const item = await context.projectOf(flags).export.getById(id);
      if (item.status === 'queued' || item.status === 'running') {
        throw new ExportNotReadyError(
          `Export ${item.id} has no check values yet: they are counted while its file is written`,
          item.toJSON(),
        );
      }
      // The same error (and exit 10) as a wait or a download of a cancelled export.
      if (item.status === 'cancelled') throw cancelledErrorOf(item.toJSON());
      if (item.status === 'failed') {
        const reason = item.status_text === null ? '' : ` (${item.status_text})`;
        throw new ExportFailedError(
          `Export ${item.id} failed${reason}, so it has no file and no check values`,
          item.toJSON(),
        );
      }
      const warnings = item.checkWarnings();
      if (item.checks === null || warnings === null) {
        throw new NoCheckValuesError(
          `Export ${item.id} was made before annex kept check values, so it has none. ` +
            "Regenerate it for a file with them: the panel's Regenerate, export.regenerate() in the SDK, " +
            'or annex export generate with its source.',
        );
      }
      if (flags.json === true) {
        io.stdout.write(`${JSON.stringify(item.checks, null, 2)}\n`);
        return;
      }
      io.stdout.write(
        `${exportChecksReportLines(item.id, item.checks, warnings, flags.examples).join('\n')}\n`,
      );
    });
}
