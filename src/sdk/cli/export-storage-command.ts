import type { Command } from 'commander';
import { retentionPolicyText } from '../../contract/export-storage.ts';
import type { ExportStorageResponse } from '../../contract/export-storage.ts';
import type { ExportCommandKit } from './export-cancel-retry-command.ts';
import { formatBytes, plural } from './progress-reporter.ts';

// `annex export storage`: how much storage the project's exports take, and the retention that
// archives old ones, in the words the panel uses.

/** The lines `annex export storage` prints: the storage used, then the retention policy. */
export function storageSummaryLines(storage: ExportStorageResponse): string[] {
  return [
    `Storage used: ${formatBytes(storage.bytes)} in ${plural(storage.export_count, 'export')}`,
    retentionPolicyText(storage.retention) ??
      'Retention: none set; exports are kept until someone archives them.',
  ];
}

/** Registers `storage` under `annex export`. */
export function registerExportStorageCommand(
  exportCommand: Command,
  kit: Pick<ExportCommandKit, 'withConnection' | 'projectOf' | 'out'>,
): void {
  kit
    .withConnection(exportCommand.command('storage'))
    .description(
      "how much storage the project's exports take (those with a file), and the server's retention",
    )
    .action(async (flags: { host: string; project: string; json?: boolean }) => {
      const storage = await kit.projectOf(flags).export.storage();
      if (flags.json === true) kit.out(`${JSON.stringify(storage, null, 2)}\n`);
      else kit.out(`${storageSummaryLines(storage).join('\n')}\n`);
    });
}
