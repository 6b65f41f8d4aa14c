import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { exportSources } from '../../contract/exports.ts';
import type { ExportSource } from '../../contract/exports.ts';
import { importErrorModes } from '../../contract/imports.ts';
import type { ImportErrorMode } from '../../contract/imports.ts';
import {
  AuthenticationError,
  ExportNotReadyError,
  ImportFailedError,
  ImportTimeoutError,
} from '../annex-errors.ts';
import { defaultAnnexHost } from '../annex-http-client.ts';
import type { Export } from '../export-handle.ts';
import type { Import } from '../import-handle.ts';
import { Project } from '../project-client.ts';
import {
  authenticationFailureLine,
  credentialsHelp,
  credentialsOf,
  withCredentialOptions,
} from './cli-credentials.ts';
import { checksSummaryLine } from './export-checks-report.ts';
import { registerExportChecksCommand } from './export-checks-command.ts';
import { exitCodeFor, exitCodes, exitCodesHelp, UsageError } from './exit-codes.ts';
import { registerExportCancelRetryCommands } from './export-cancel-retry-command.ts';
import { registerExportDiffCommand } from './export-diff-command.ts';
import { registerExportStorageCommand } from './export-storage-command.ts';
import type { ExitCode } from './exit-codes.ts';
import { formatBytes, plural, ProgressReporter } from './progress-reporter.ts';
import type { ProgressStream } from './progress-reporter.ts';
import { exportStatusCell, importSummaryLines, retryLines, staleLine } from './record-summaries.ts';

/** Where the CLI writes; `main.ts` passes the process's own streams. */
export interface CliIo {
  /** Data, URLs and `--json` output. */
  stdout: Writable;
  /** Progress, notes and the one-line reason of a failure. */
  stderr: ProgressStream;
}

interface ConnectionFlags {
  host: string;
  project: string;
  json?: boolean;
}

interface GenerateFlags extends ConnectionFlags {
  job?: number;
  directory?: string;
  all?: boolean;
  includeRemoved?: boolean;
  wait: boolean;
  returnType: 'data' | 'url';
  output?: string;
  timeout?: number;
}

interface ListFlags extends ConnectionFlags {
  source?: ExportSource;
  limit?: number;
}

interface StatusFlags extends ConnectionFlags {
  wait?: boolean;
  timeout?: number;
}

interface DownloadFlags extends ConnectionFlags {
  output?: string;
}

interface ImportFlags extends ConnectionFlags {
  directory: string;
  onError: ImportErrorMode;
  wait: boolean;
  timeout?: number;
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a positive integer.');
  }
  return Number(value);
}

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError('must be a positive number of seconds.');
  }
  return seconds;
}

function packageVersion(): string {
  const manifest: unknown = JSON.parse(
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
  );
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}

function withConnection(command: Command): Command {
  return command
    .addOption(
      new Option('--host <url>', 'where annex listens').env('ANNEX_HOST').default(defaultAnnexHost),
    )
    .addOption(
      new Option('--project <id>', "the project's project_string_id")
        .env('ANNEX_PROJECT')
        .makeOptionMandatory(),
    )
    .option('--json', 'machine-readable JSON on stdout');
}

// What every command's help ends with: where the API key comes from, and the exit codes.
const commandHelp = `${credentialsHelp}\n${exitCodesHelp}`;

function sourceName(item: Export): string {
  const ref = item.directory ?? item.job ?? item.task;
  return ref === null ? item.source : `${item.source} ${ref.name}`;
}

function checkValues(item: Export): string {
  const files = item.file_list_length === null ? '? files' : plural(item.file_list_length, 'file');
  const instances =
    item.instance_count === null ? '? instances' : plural(item.instance_count, 'instance');
  return `${files}, ${instances}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The `annex` program: `annex export generate | list | status | checks | download | cancel |
 * retry | diff | storage` and `annex import FILE`.
 */
export function buildAnnexCli(io: CliIo): Command {
  const reporter = new ProgressReporter(io.stderr);
  const program = new Command('annex')
    .description(
      'Generate, list and download Diffgram JSON exports from an annex server, and import Diffgram JSON files into it.',
    )
    .version(packageVersion())
    .exitOverride()
    // The API key options belong to the program but are given on any command; its help lists them.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) =>
        write(`annex: ${oneLine(text.replace(/^error: /, ''))} (see --help)\n`),
    })
    .addHelpText('after', commandHelp);
  withCredentialOptions(program);

  const exportCommand = program
    .command('export')
    .description('generate, list, inspect and download exports')
    .addHelpText('after', commandHelp);

  function projectOf(flags: ConnectionFlags): Project {
    const credentials = credentialsOf(program);
    return new Project({
      projectStringId: flags.project,
      host: flags.host,
      ...(credentials === undefined
        ? {}
        : { clientId: credentials.clientId, clientSecret: credentials.clientSecret }),
    });
  }

  async function waitFor(created: Export, timeoutSeconds: number | undefined): Promise<Export> {
    try {
      await created.waitUntilDone({
        ...(timeoutSeconds === undefined ? {} : { timeoutMs: timeoutSeconds * 1000 }),
        onProgress: (current) => reporter.exportProgress(current),
      });
    } finally {
      reporter.stop();
    }
    return created;
  }

  async function downloadTo(
    item: Export,
    output: string | undefined,
    json: boolean,
  ): Promise<void> {
    if (output === '-' || output === undefined) {
      await item.download(io.stdout);
      return;
    }
    const target = path.resolve(output);
    let result;
    try {
      result = await item.download(target, {
        onProgress: (progress) => reporter.downloadProgress(`export ${item.id}`, progress),
      });
    } finally {
      reporter.stop();
    }
    if (json) {
      writeJson(io, { path: target, bytes: result.bytes, sha256: result.sha256, export: item });
    } else {
      reporter.note(
        `annex: wrote export ${item.id} (${formatBytes(result.bytes)}, sha256 ${result.sha256}) to ${target}`,
      );
    }
  }

  withConnection(exportCommand.command('generate'))
    .description(
      'generate an export of a job or a directory, wait for it, and print its data or URL',
    )
    .option('--job <id>', 'export the files of this job', positiveInteger)
    .option('--directory <name>', 'export the files of the directory with this name')
    .option('--all', 'export all files, not only those marked complete')
    .option('--include-removed', 'write soft-deleted instances too, each with "removed": true')
    .option('--no-wait', 'return at once with the queued export (its id and status)')
    .addOption(
      new Option('--return-type <type>', 'print the data, or a download URL')
        .choices(['data', 'url'])
        .default('data'),
    )
    .option('-o, --output <file>', 'write the data to this file instead of stdout')
    .option(
      '--timeout <seconds>',
      'give up waiting after this long (default 1800)',
      positiveSeconds,
    )
    .addHelpText(
      'after',
      `
Examples:
  annex export generate --project demo --directory Luckfrill -o luckfrill.json
  annex export generate --project demo --job 1 --return-type url
  annex export generate --project demo --job 1 --all --no-wait --json
${commandHelp}`,
    )
    .action(async (flags: GenerateFlags) => {
      if ((flags.job === undefined) === (flags.directory === undefined)) {
        throw new UsageError('give one source: --job ID or --directory NAME.');
      }
      if (flags.output !== undefined && (!flags.wait || flags.returnType === 'url')) {
        throw new UsageError(
          "-o/--output writes the export's data: it does not go with --no-wait or --return-type url.",
        );
      }
      const project = projectOf(flags);
      const source =
        flags.job !== undefined
          ? await project.job.getById(flags.job)
          : await project.directory.getByName(flags.directory ?? '');
      // The CLI always polls rather than letting the server hold the request, so it can draw progress.
      const created = await source.generateExport({
        waitForExportGeneration: false,
        annIsComplete: flags.all !== true,
        includeRemoved: flags.includeRemoved === true,
      });
      if (!flags.wait) {
        if (flags.json === true) writeJson(io, created);
        else {
          io.stdout.write(`${created.id}\n`);
          reporter.note(
            `annex: export ${created.id} is ${created.status}; follow it with: annex export status ${created.id} --wait`,
          );
        }
        return;
      }
      await waitFor(created, flags.timeout);
      reporter.note(
        `annex: export ${created.id} complete: ${checkValues(created)}, ${formatBytes(created.size_bytes)}`,
      );
      if (flags.returnType === 'url') {
        const link = await created.getLink();
        if (flags.json === true) writeJson(io, link);
        else io.stdout.write(`${link.url}\n`);
        return;
      }
      await downloadTo(created, flags.output, flags.json === true);
    });

  withConnection(exportCommand.command('list'))
    .description("list the project's exports, newest first")
    .addOption(
      new Option('--source <kind>', 'only exports of this source kind').choices(exportSources),
    )
    .option('--limit <n>', 'show at most this many', positiveInteger)
    .action(async (flags: ListFlags) => {
      const exports: Export[] = [];
      const pageSize = Math.min(flags.limit ?? 100, 100);
      for await (const item of projectOf(flags).export.list({
        limit: pageSize,
        ...(flags.source ? { source: flags.source } : {}),
      })) {
        exports.push(item);
        if (flags.limit !== undefined && exports.length >= flags.limit) break;
      }
      if (flags.json === true) {
        writeJson(io, exports);
        return;
      }
      if (exports.length === 0) {
        reporter.note(
          'annex: no exports yet. Make one with: annex export generate --project <id> --directory <name>',
        );
        return;
      }
      const rows = exports.map((item) => [
        String(item.id),
        exportStatusCell(item.status, item.percent_complete, item.changesSince),
        sourceName(item),
        item.ann_is_complete ? 'completed' : 'all',
        item.file_list_length === null ? '-' : String(item.file_list_length),
        item.instance_count === null ? '-' : String(item.instance_count),
        formatBytes(item.size_bytes),
        item.created_time,
      ]);
      const header = ['ID', 'STATUS', 'SOURCE', 'FILTER', 'FILES', 'INSTANCES', 'SIZE', 'CREATED'];
      const widths = header.map((title, column) =>
        Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
      );
      for (const row of [header, ...rows]) {
        io.stdout.write(
          `${row
            .map((cell, column) => cell.padEnd(widths[column] ?? 0))
            .join('  ')
            .trimEnd()}\n`,
        );
      }
    });

  withConnection(exportCommand.command('status'))
    .description(
      "show one export's status, progress and check values, and whether its source changed since (stale)",
    )
    .argument('<id>', 'the export id', positiveInteger)
    .option('--wait', 'wait until it is complete (exit 4 if it fails, 10 if cancelled)')
    .option(
      '--timeout <seconds>',
      'with --wait, give up after this long (default 1800)',
      positiveSeconds,
    )
    .action(async (id: number, flags: StatusFlags) => {
      const item = await projectOf(flags).export.getById(id);
      if (flags.wait === true) await waitFor(item, flags.timeout);
      if (flags.json === true) {
        writeJson(io, item);
        return;
      }
      const lines = [
        `Export ${item.id}`,
        `  status     ${item.status} (${Math.round(item.percent_complete)}%)`,
        `  source     ${sourceName(item)}`,
        `  files      ${item.ann_is_complete ? 'completed only' : 'all'}, removed instances ${item.include_removed ? 'included' : 'left out'}`,
        `  check      ${checkValues(item)}`,
        `  size       ${formatBytes(item.size_bytes)}`,
        `  file       ${item.file_name ?? '-'}`,
        `  created    ${item.created_time} by ${item.created_by}`,
        `  finished   ${item.finished_time ?? '-'}`,
      ];
      if (item.status_text !== null) lines.push(`  reason     ${item.status_text}`);
      const warnings = item.checkWarnings();
      if (warnings !== null) lines.push(`  ${checksSummaryLine(item.id, flags.project, warnings)}`);
      lines.push(...retryLines(item));
      const stale = staleLine(item.changesSince);
      if (stale !== null) lines.push(`  ${stale}`, `  ${regenerateHint(item, flags.project)}`);
      io.stdout.write(`${lines.join('\n')}\n`);
    });

  registerExportChecksCommand(exportCommand, { io, withConnection, projectOf, commandHelp });

  withConnection(exportCommand.command('download'))
    .description("download a complete export's file, byte for byte, checked against its SHA-256")
    .argument('<id>', 'the export id', positiveInteger)
    .option(
      '-o, --output <file>',
      'where to write it; "-" for stdout (default: its file name, here)',
    )
    .action(async (id: number, flags: DownloadFlags) => {
      const item = await projectOf(flags).export.getById(id);
      const output = flags.output ?? item.file_name ?? `${item.id}.json`;
      await downloadTo(item, output, flags.json === true);
    });

  registerExportCancelRetryCommands(exportCommand, {
    withConnection,
    projectOf,
    waitFor,
    positiveInteger,
    positiveSeconds,
    out: (text) => io.stdout.write(text),
    note: (line) => reporter.note(line),
    commandHelp,
  });
  registerExportDiffCommand(exportCommand, { io, withConnection, positiveInteger, projectOf });
  registerExportStorageCommand(exportCommand, {
    withConnection,
    projectOf,
    out: (text) => io.stdout.write(text),
  });

  withConnection(program.command('import'))
    .description(
      'import a Diffgram JSON file (what annex or Diffgram exported) into a directory, made when missing; ' +
        'shows the upload and the import as they go, then a summary',
    )
    .argument('<file>', 'the Diffgram JSON file to import')
    .addOption(
      new Option(
        '--directory <name>',
        'the directory to import into (made when missing)',
      ).makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--on-error <mode>',
        'a bad packet fails the import with nothing written (fail), or is left out (skip)',
      )
        .choices(importErrorModes)
        .default('fail'),
    )
    .option('--no-wait', 'return once the server has the file, with the queued import (its id)')
    .option(
      '--timeout <seconds>',
      'give up waiting after this long (default 1800); the import goes on',
      positiveSeconds,
    )
    .addHelpText(
      'after',
      `
Importing the same file again into the same directory updates its files in place, without duplicates.
The summary (stdout) counts files created, updated and skipped, instances and labels, and lists the
first problems, each as "packet 812 › instance_list[3] › x_max: expected a number". A failed import
prints it on stderr and exits 4; with --json the import record goes to stdout either way.

Examples:
  annex import luckfrill.json --project demo --directory "Luckfrill copy"
  annex import big.json --project demo --directory Street --on-error skip --json
${commandHelp}`,
    )
    .action(async (file: string, flags: ImportFlags) => {
      const label = path.basename(file);
      let done: Import;
      try {
        done = await projectOf(flags).directory.importFile(file, {
          directory: flags.directory,
          onError: flags.onError,
          wait: flags.wait,
          ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout * 1000 }),
          onProgress: (progress) => {
            if (progress.phase === 'upload') reporter.uploadProgress(label, progress);
            else reporter.importProgress(progress.import);
          },
        });
      } catch (error) {
        reporter.stop();
        if (error instanceof ImportFailedError) {
          if (flags.json === true) writeJson(io, error.import);
          else io.stderr.write(`${importSummaryLines(error.import).join('\n')}\n`);
        }
        throw error;
      } finally {
        reporter.stop();
      }
      if (flags.json === true) {
        writeJson(io, done);
        return;
      }
      if (!flags.wait) {
        io.stdout.write(`${done.id}\n`);
        reporter.note(
          `annex: import ${done.id} of ${label} into "${flags.directory}" is ${done.status}; ` +
            "the panel's Import list follows it.",
        );
        return;
      }
      io.stdout.write(`${importSummaryLines(done).join('\n')}\n`);
    });

  return program;
}

/** How to ask again for what a stale export exported: the `annex export generate` line with its settings. */
function regenerateHint(item: Export, project: string): string {
  const settings = `${item.ann_is_complete ? '' : ' --all'}${item.include_removed ? ' --include-removed' : ''}`;
  const command = `annex export generate --project ${project}`;
  if (item.source === 'directory' && item.directory !== null)
    return `Regenerate it with: ${command} --directory ${JSON.stringify(item.directory.name)}${settings}`;
  if (item.source === 'job' && item.job !== null)
    return `Regenerate it with: ${command} --job ${item.job.id}${settings}`;
  // The CLI names no single task; the SDK and the panel regenerate any export.
  return "Regenerate it with the panel's Regenerate, or export.regenerate() in the SDK.";
}

// What to do next, for the errors where the message alone does not say.
function hintFor(error: unknown): string {
  if (error instanceof UsageError) return ' (see --help)';
  if (error instanceof ImportTimeoutError) {
    return " (it goes on on the server; the panel's Import list follows it)";
  }
  if (error instanceof ExportNotReadyError) {
    const { id, percent_complete: percent } = error.export;
    return ` (export ${id} is ${error.status}, ${Math.round(percent)}%; wait for it with: annex export status ${id} --wait)`;
  }
  return '';
}

/** Runs `annex` with these arguments (without `node` and the script) and returns its exit code. */
export async function runAnnexCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const program = buildAnnexCli(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    // Commander has already printed its own message (help, version, or a usage error).
    if (!(error instanceof CommanderError)) {
      const message =
        error instanceof AuthenticationError
          ? authenticationFailureLine(error, credentialsOf(program), error.host)
          : // Its problems are in the summary printed above this line.
            error instanceof ImportFailedError
            ? `Import ${error.import.id} failed: ${error.reason}`
            : error instanceof Error
              ? error.message
              : String(error);
      io.stderr.write(`annex: ${oneLine(message)}${hintFor(error)}\n`);
    }
    return exitCodeFor(error);
  }
}
