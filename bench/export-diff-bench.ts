import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DiffMeasurement, DiffRequest } from './export-diff-child.ts';
import { writeDiffPair } from './export-diff-pair.ts';
import type { DiffPairEdits } from './export-diff-pair.ts';

// `npm run bench -- --diff [--files N]`: the diff of two exports of N files, and of N/10 beside it,
// each in a fresh child process: wall time and peak RSS side by side, to show memory stays flat as
// the files grow tenfold; and the diff's counts against what the pair was made to differ in.

const run = promisify(execFile);
const childScript = fileURLToPath(new URL('./export-diff-child.ts', import.meta.url));

/** One size's pair and its diff. */
export interface DiffBenchResult {
  files: number;
  fromBytes: number;
  toBytes: number;
  edits: DiffPairEdits;
  measurement: DiffMeasurement;
}

/** Runs the diff bench on a pair of `files / 10` and a pair of `files` files; returns one result each. */
export async function benchDiff(
  files: number,
  log: (line: string) => void,
): Promise<DiffBenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-diff-bench-'));
  const results: DiffBenchResult[] = [];
  try {
    for (const size of [...new Set([Math.max(1, Math.floor(files / 10)), files])]) {
      const request: DiffRequest = {
        fromPath: path.join(dir, `from-${size}.json`),
        toPath: path.join(dir, `to-${size}.json`),
      };
      log(`diff: writing a pair of ${size.toLocaleString('en-US')}-file exports…`);
      const edits = await writeDiffPair(request.fromPath, request.toPath, size);
      log('diff: comparing them in a child process…');
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', childScript, JSON.stringify(request)],
        { maxBuffer: 1024 * 1024 },
      );
      const measurement = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as DiffMeasurement;
      results.push({
        files: size,
        fromBytes: fs.statSync(request.fromPath).size,
        toBytes: fs.statSync(request.toPath).size,
        edits,
        measurement,
      });
      fs.rmSync(request.fromPath);
      fs.rmSync(request.toPath);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** The results as a table, then each size's counts beside what its pair was made to differ in. */
export function diffReport(results: DiffBenchResult[]): string {
  const header = ['files', 'MB (from + to)', 'wall s', 'files/s', 'RSS before MiB', 'peak RSS MiB'];
  const rows = results.map((result) => [
    result.files.toLocaleString('en-US'),
    ((result.fromBytes + result.toBytes) / 1e6).toFixed(1),
    result.measurement.seconds.toFixed(2),
    Math.round(result.files / result.measurement.seconds).toLocaleString('en-US'),
    result.measurement.baselineRssMiB.toFixed(0),
    result.measurement.peakRssMiB.toFixed(0),
  ]);
  const widths = header.map((cell, index) =>
    Math.max(cell.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, index) => cell.padStart(widths[index] ?? 0)).join('  ');
  const counts = results.map((result) => {
    const { files, instances } = result.measurement.findings;
    const { edits } = result;
    return `${result.files.toLocaleString('en-US')} files: added ${files.added} (made ${edits.filesAdded}), removed ${files.removed} (made ${edits.filesRemoved}), completion changed ${files.completion_changed} (made ${edits.completionFlipped}), changed ${files.changed}, unchanged ${files.unchanged}; instances +${instances.added} −${instances.removed} ~${instances.changed} over ${instances.labels} labels`;
  });
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    ...counts,
    '',
    "Each diff runs in a fresh process: peak RSS is that process's maxRSS (Node and modules included).",
  ].join('\n');
}
