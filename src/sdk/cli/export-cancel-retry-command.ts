import type { Command } from 'commander';
import type { Export } from '../export-handle.ts';
import type { Project } from '../project-client.ts';

// `annex export cancel ID` and `annex export retry ID [--wait]`. The pieces every export command
// shares (the connection options, the project, waiting with progress, output) come from the program
// in `annex-cli.ts` as a kit, so these commands read and behave like their siblings.

/** The options every export command takes. */
export interface ConnectedFlags {
  host: string;
  project: string;
  json?: boolean;
}

/** What the program lends its export commands. */
export interface ExportCommandKit {
  /** Adds --host, --project and --json to a command. */
  withConnection(command: Command): Command;
  /** The project the flags name, with the program's API key. */
  projectOf(flags: ConnectedFlags): Project;
  /** Waits for an export with progress on stderr; throws as `waitUntilDone` does. */
  waitFor(item: Export, timeoutSeconds: number | undefined): Promise<Export>;
  /** Parses an id argument (a positive integer). */
  positiveInteger(value: string): number;
  /** Parses --timeout (a positive number of seconds). */
  positiveSeconds(value: string): number;
  /** Writes data (an id, JSON) to stdout. */
  out(text: string): void;
  /** Writes a note for people to stderr. */
  note(line: string): void;
  /** What every command's help ends with. */
  commandHelp: string;
}

interface RetryFlags extends ConnectedFlags {
  wait?: boolean;
  timeout?: number;
}

/** Registers `cancel` and `retry` under `annex export`. */
export function registerExportCancelRetryCommands(
  exportCommand: Command,
  kit: ExportCommandKit,
): void {
  const write = (flags: ConnectedFlags, item: Export, line: string) => {
    if (flags.json === true) kit.out(`${JSON.stringify(item, null, 2)}\n`);
    else kit.note(line);
  };

  kit
    .withConnection(exportCommand.command('cancel'))
    .description(
      'cancel a queued or running export: the worker stops between pages and leaves no file',
    )
    .argument('<id>', 'the export id', (value) => kit.positiveInteger(value))
    .addHelpText(
      'after',
      `
An export that already finished (complete, failed or cancelled) cannot be cancelled: exit 1, saying so.
An editor may cancel their own exports, a project admin anyone's.

Examples:
  annex export cancel 12 --project demo
${kit.commandHelp}`,
    )
    .action(async (id: number, flags: ConnectedFlags) => {
      const item = await kit.projectOf(flags).export.getById(id);
      await item.cancel();
      write(flags, item, `annex: export ${item.id} cancelled (${item.status_text ?? 'cancelled'})`);
    });

  kit
    .withConnection(exportCommand.command('retry'))
    .description(
      'retry a failed or cancelled export: a new export with the same settings, linked to the old one',
    )
    .argument('<id>', 'the failed or cancelled export id', (value) => kit.positiveInteger(value))
    .option('--wait', 'wait until the new export is complete (exit 4 if it fails, 10 if cancelled)')
    .option('--timeout <seconds>', 'with --wait, give up after this long (default 1800)', (value) =>
      kit.positiveSeconds(value),
    )
    .addHelpText(
      'after',
      `
Prints the new export's id (with --json, the new export). Needs editor.

Examples:
  annex export retry 12 --project demo
  annex export retry 12 --project demo --wait && annex export download 13 --project demo
${kit.commandHelp}`,
    )
    .action(async (id: number, flags: RetryFlags) => {
      const old = await kit.projectOf(flags).export.getById(id);
      const retry = await old.retry();
      if (flags.wait === true) await kit.waitFor(retry, flags.timeout);
      if (flags.json === true) {
        kit.out(`${JSON.stringify(retry, null, 2)}\n`);
        return;
      }
      kit.out(`${retry.id}\n`);
      kit.note(
        flags.wait === true
          ? `annex: export ${retry.id} (retry of ${old.id}) is ${retry.status}; get it with: annex export download ${retry.id}`
          : `annex: export ${retry.id} (retry of ${old.id}) is ${retry.status}; follow it with: annex export status ${retry.id} --wait`,
      );
    });
}
