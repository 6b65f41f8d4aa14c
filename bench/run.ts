import os from 'node:os';
import { startTestS3Server } from '../src/server/storage/test-s3-server.ts';
import type { TestS3Server } from '../src/server/storage/test-s3-server.ts';
import { BenchUsageError, benchUsage, parseBenchArgs } from './bench-args.ts';
import { benchDiff, diffReport } from './export-diff-bench.ts';
import { benchDialect } from './export-generation-bench.ts';
import type { GenerationResult, ImportResult, SeedResult } from './export-generation-bench.ts';

// `npm run bench [-- --files N --page-sizes 100,500,2000 --dialects sqlite,postgres --storage both]`:
// export generation speed (files/s, MB/s, wall time) and peak memory, side by side per dialect, page
// size and storage (a local folder, an S3-compatible server); then the import of the same file into a
// new project, side by side with its export.

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Cells padded to their column's width: the first `leftColumns` (names) to the left, numbers to the right. */
function pad(cells: string[], widths: number[], leftColumns: number): string {
  return cells
    .map((cell, index) =>
      index < leftColumns ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
    )
    .join('  ');
}

function table(header: string[], rows: string[][], leftColumns = 2): string {
  const widths = header.map((cell, index) =>
    Math.max(cell.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  return [
    pad(header, widths, leftColumns),
    pad(
      widths.map((width) => '-'.repeat(width)),
      widths,
      leftColumns,
    ),
    ...rows.map((row) => pad(row, widths, leftColumns)),
  ].join('\n');
}

const number = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Export and import of the same file, side by side per dialect. */
function importReport(imports: ImportResult[]): string {
  const header = [
    'dialect',
    'direction',
    'files',
    'instances',
    'MB',
    'wall s',
    'files/s',
    'MB/s',
    'peak RSS MiB',
    'RSS at 25/50/75/100 % MiB',
    'files/s ratio',
  ];
  const rows = imports.flatMap((result) => {
    const mb = result.bytes / 1e6;
    const exportRate = result.generation.files / result.generation.seconds;
    const importRate = result.files / result.seconds;
    return [
      [
        result.dialect,
        `export (page ${result.generation.pageSize})`,
        number(result.generation.files),
        number(result.generation.instances),
        number(result.generation.bytes / 1e6, 1),
        number(result.generation.seconds, 2),
        number(exportRate),
        number(result.generation.bytes / 1e6 / result.generation.seconds, 1),
        number(result.generation.peakRssMiB),
        '',
        '1.00×',
      ],
      [
        result.dialect,
        `import (validating ${number(result.validatingSeconds, 1)} s)`,
        number(result.files),
        number(result.instances),
        number(mb, 1),
        number(result.seconds, 2),
        number(importRate),
        number(mb / result.seconds, 1),
        number(result.peakRssMiB),
        result.rssAtQuartersMiB.map((rss) => number(rss)).join(' / '),
        `${(importRate / exportRate).toFixed(2)}×`,
      ],
    ];
  });
  const roundTrips = imports.map((result) => {
    const equal =
      result.roundTrip.files === result.generation.files &&
      result.roundTrip.instances === result.generation.instances;
    return `  ${result.dialect}: exported again ${number(result.roundTrip.files)} files, ${number(result.roundTrip.instances)} instances: ${equal ? 'equal to' : 'DIFFERENT FROM'} the file imported`;
  });
  return [
    'The same file back in: the first generation above imported into a new project of the same database',
    '(both passes: validating every packet, then writing), in a fresh process, beside that export.',
    '',
    table(header, rows),
    '',
    'files/s ratio: import against the export of the same dialect. Memory is flat when the RSS at each',
    'quarter and the peak stay in one band whatever the file size (compare --files 10000 with 100000); the',
    'step between 25 % and 50 % is the writing pass (database pages, batches) starting after validation.',
    '',
    'Round trip (the imported directory exported the same way; check values against the imported file):',
    ...roundTrips,
  ].join('\n');
}

function report(
  files: number,
  seeds: SeedResult[],
  results: GenerationResult[],
  loadBefore: number[],
): string {
  const first = results[0];
  const ratio = (value: number, base: number | undefined) =>
    base === undefined || base === 0 ? '' : `${(value / base).toFixed(2)}×`;
  const header = [
    'dialect',
    'page',
    'storage',
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
      result.storage,
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
    table(header, rows, 3),
    '',
    "Ratios are against the first row. Each generation runs in a fresh process: peak RSS is that process's",
    'maxRSS (Node, modules and database driver included); "RSS before" is its RSS just before the write.',
    'Wall time runs from the call to the file stored under its key (local: fsynced and renamed into',
    'place; s3: the multipart upload completed).',
    ...storageComparison(results),
  ].join('\n');
}

/** S3 beside local for each dialect and page size that ran on both; nothing when only one ran. */
function storageComparison(results: GenerationResult[]): string[] {
  const rows: string[][] = [];
  for (const local of results.filter((result) => result.storage === 'local')) {
    const s3 = results.find(
      (result) =>
        result.storage === 's3' &&
        result.dialect === local.dialect &&
        result.pageSize === local.pageSize,
    );
    if (s3 === undefined) continue;
    const localRate = local.files / local.seconds;
    const s3Rate = s3.files / s3.seconds;
    rows.push([
      local.dialect,
      String(local.pageSize),
      number(localRate),
      number(s3Rate),
      `${(s3Rate / localRate).toFixed(2)}×`,
      number(local.peakRssMiB),
      number(s3.peakRssMiB),
      `${(s3.peakRssMiB / local.peakRssMiB).toFixed(2)}×`,
      s3.bytes === local.bytes ? 'yes' : 'NO',
    ]);
  }
  if (rows.length === 0) return [];
  return [
    '',
    'S3 beside local: the same data generated into each (s3rver, started by the bench on 127.0.0.1, on',
    'this machine: its CPU and its disk writes, each part then the whole object, are shared with the writer).',
    '',
    table(
      [
        'dialect',
        'page',
        'local files/s',
        's3 files/s',
        's3/local files/s',
        'local peak RSS MiB',
        's3 peak RSS MiB',
        's3/local peak RSS',
        'same bytes',
      ],
      rows,
    ),
  ];
}

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${benchUsage}\n`);
    return;
  }
  if (options.diff) {
    process.stdout.write(`${diffReport(await benchDiff(options.files, log))}\n`);
    return;
  }
  const loadBefore = os.loadavg();
  const seeds: SeedResult[] = [];
  const results: GenerationResult[] = [];
  const imports: ImportResult[] = [];
  let s3: TestS3Server | undefined;
  try {
    if (options.storages.includes('s3')) {
      s3 = await startTestS3Server({ bucket: 'annex-bench' });
      log(`s3: s3rver at ${s3.endpoint}, bucket ${s3.settings.bucket}, folder ${s3.directory}`);
    }
    for (const dialect of options.dialects) {
      const { seed, generations, imported } = await benchDialect(
        dialect,
        { files: options.files, pageSizes: options.pageSizes, storages: options.storages, s3 },
        log,
      );
      seeds.push(seed);
      results.push(...generations);
      if (imported !== null) imports.push(imported);
    }
  } finally {
    await s3?.close();
  }
  const importPart =
    imports.length === 0
      ? 'No import: it reads a local file, and --storage s3 wrote none.'
      : importReport(imports);
  process.stdout.write(`${report(options.files, seeds, results, loadBefore)}\n\n${importPart}\n`);
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
