import fs from 'node:fs';
import { diffExportFiles } from '../src/server/exports/export-file-diff.ts';
import type { ExportDiffFindings } from '../src/server/exports/export-diff-tally.ts';

// One diff in a fresh process, so its peak RSS is its own: argv[2] is `{ fromPath, toPath }`; prints
// one JSON line of measurements and findings.

/** What the child is asked. */
export interface DiffRequest {
  fromPath: string;
  toPath: string;
}

/** What the child measured. */
export interface DiffMeasurement {
  seconds: number;
  /** RSS just before the diff, MiB. */
  baselineRssMiB: number;
  /** Peak RSS of the process (`resourceUsage().maxRSS`), MiB. */
  peakRssMiB: number;
  findings: Omit<ExportDiffFindings, 'files' | 'instances'> & {
    files: Record<string, number>;
    instances: { added: number; removed: number; changed: number; labels: number };
  };
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as DiffRequest;
  const open = (filePath: string) => () => fs.createReadStream(filePath);
  const baselineRss = process.memoryUsage().rss;
  const started = process.hrtime.bigint();
  const found = await diffExportFiles(
    { exportId: 1, open: open(request.fromPath) },
    { exportId: 2, open: open(request.toPath) },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const measurement: DiffMeasurement = {
    seconds,
    baselineRssMiB: baselineRss / 1024 / 1024,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    findings: {
      from: found.from,
      to: found.to,
      identical: found.identical,
      files: {
        added: found.files.added.count,
        removed: found.files.removed.count,
        changed: found.files.changed.count,
        completion_changed: found.files.completion_changed.count,
        unchanged: found.files.unchanged_count,
      },
      instances: { ...found.instances, labels: found.instances.per_label.length },
    },
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
