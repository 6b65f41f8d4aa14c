import os from 'node:os';
import { BenchUsageError, benchUsage, parseBenchArgs } from './bench-args.ts';
import { benchDialect } from './export-generation-bench.ts';
import type { GenerationResult, SeedResult } from './export-generation-bench.ts';

// `npm run bench [-- --files N --page-sizes 100,500,2000 --dialects sqlite,postgres]`: export
// generation speed (files/s, MB/s, wall time) and peak memory, side by side per dialect and page size.

const log = (line: string) => process.stderr.write(`${line}\n`);

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((cell, index) =>
      index < 2 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
    )
    .join('  ');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, index) =>
    Math.max(cell.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  return [
    pad(header, widths),
    pad(
      widths.map((width) => '-'.repeat(width)),
      widths,
    ),
    ...rows.map((row) => pad(row, widths)),
  ].join('\n');
}

function report(
  files: number,
  seeds: SeedResult[],
  results: GenerationResult[],
  loadBefore: number[],
): string {
  const first = results[0];
  const number = (value: number, digits = 0) =>
    value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const ratio = (value: number, base: number | undefined) =>
    base === undefined || base === 0 ? '' : `${(value / base).toFixed(2)}×`;
  const header = [
    'dialect',
    'page',
    'files',
    'instances',
    'MB',
    'wall s',
    'files/s',
    'MB/s',
    'peak RSS MiB',
    'RSS before MiB',
    'peak heap MiB',
    'files/s ratio',
    'peak RSS ratio',
  ];
  const rows = results.map((result) => {
    const mb = result.bytes / 1e6;
    const filesPerSecond = result.files / result.seconds;
    const firstRate = first === undefined ? undefined : first.files / first.seconds;
    return [
      result.dialect,
      String(result.pageSize),
      number(result.files),
      number(result.instances),
      number(mb, 1),
      number(result.seconds, 2),
      number(filesPerSecond),
      number(mb / result.seconds, 1),
      number(result.peakRssMiB, 0),
      number(result.baselineRssMiB, 0),
      number(result.peakHeapMiB, 0),
      ratio(filesPerSecond, firstRate),
      ratio(result.peakRssMiB, first?.peakRssMiB),
    ];
  });
  const seedLines = seeds.map(
    (seed) =>
      `  ${seed.dialect}: ${number(seed.files)} files, ${number(seed.instances)} instances seeded in ${number(seed.seconds, 1)} s`,
  );
  return [
    `annex export generation: one all-files export of the default directory, ${number(files)} files`,
    `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${os.platform()} ${os.release()}`,
    `load average (1, 5, 15 min): ${loadBefore.map((load) => load.toFixed(2)).join(', ')} before, ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(', ')} after: other processes on the machine slow every number below`,
    'seed:',
    ...seedLines,
    '',
    table(header, rows),
    '',
    "Ratios are against the first row. Each generation runs in a fresh process: peak RSS is that process's",
    'maxRSS (Node, modules and database driver included); "RSS before" is its RSS just before the write.',
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${benchUsage}\n`);
    return;
  }
  const loadBefore = os.loadavg();
  const seeds: SeedResult[] = [];
  const results: GenerationResult[] = [];
  for (const dialect of options.dialects) {
    const { seed, generations } = await benchDialect(
      dialect,
      options.files,
      options.pageSizes,
      log,
    );
    seeds.push(seed);
    results.push(...generations);
  }
  process.stdout.write(`${report(options.files, seeds, results, loadBefore)}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof BenchUsageError) {
    process.stderr.write(`${error.message}\n\n${benchUsage}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
