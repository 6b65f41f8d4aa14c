import type { ExportChecks } from '../../contract/export-checks.ts';
import { ExportChecksCollector } from './export-checks-collector.ts';
import type { ChecksContext } from './export-checks-collector.ts';
import type { WriteHooks } from './export-file-writer.ts';
import { readTaskChecks } from './export-task-checks.ts';

// The check values of one export write, in one place for the worker's build: the collector that
// sees the packets, and the reads in the writer's snapshot (the selected counts, the task values).

/** The write hooks that gather the check values, and the values once the file is written. */
export interface ExportChecksRun {
  /** Spread into the writer's hooks. */
  hooks: Required<Pick<WriteHooks, 'observers' | 'readInSnapshot'>>;
  /** The check values of what was written; call after the writer returns. */
  result(): ExportChecks;
}

/** Starts gathering the check values of one write; `expectedFileCount` is the export row's. */
export function startExportChecks(expectedFileCount: number | null): ExportChecksRun {
  const collector = new ExportChecksCollector();
  let context: ChecksContext | undefined;
  return {
    hooks: {
      observers: [collector],
      readInSnapshot: async (snapshot, selection, preflight) => {
        context = {
          expectedFileCount,
          selected: { fileCount: preflight.file_count, instanceCount: preflight.instance_count },
          tasks: await readTaskChecks(snapshot, selection),
        };
      },
    },
    result() {
      if (context === undefined)
        throw new Error('The check values were asked for before the writer read its snapshot.');
      return collector.result(context);
    },
  };
}
