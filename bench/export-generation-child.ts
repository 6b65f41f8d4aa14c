import fs from 'node:fs';
import { openDatabase } from '../src/server/db/database.ts';
import { startExportChecks } from '../src/server/exports/export-checks-run.ts';
import { writeExportFile } from '../src/server/exports/export-file-writer.ts';

// One measured generation, in a process of its own so that its peak RSS is the writer's and not the
// seeder's: `node --import tsx bench/export-generation-child.ts <request JSON>`. It prints one line of
// JSON (`GenerationMeasurement`) on stdout.

/** What the parent asks the child to generate. */
export interface GenerationRequest {
  /** `openDatabase` URL of the seeded database. */
  databaseUrl: string;
  /** The bulk project. */
  projectId: number;
  /** Its default directory, which holds every file. */
  directoryId: number;
  /** The writer's page size. */
  pageSize: number;
  /** Where to write the file (the parent deletes it). */
  outPath: string;
}

/** What one generation measured. */
export interface GenerationMeasurement {
  /** File packets written. */
  files: number;
  /** Instances written. */
  instances: number;
  /** Size of the file. */
  bytes: number;
  /** Wall time of `writeExportFile`, from the call to the closed, fsynced file. */
  seconds: number;
  /** RSS just before the write (modules loaded, database open), MiB. */
  baselineRssMiB: number;
  /** Peak RSS of the process (`resourceUsage().maxRSS`), MiB. */
  peakRssMiB: number;
  /** Highest V8 heap in use sampled during the write, MiB. */
  peakHeapMiB: number;
}

const mib = (bytes: number) => bytes / 1024 / 1024;

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (raw === undefined)
    throw new Error('export-generation-child needs its request as a JSON argument');
  const request = JSON.parse(raw) as GenerationRequest;
  const database = await openDatabase(request.databaseUrl);
  try {
    global.gc?.();
    const baselineRss = process.memoryUsage().rss;
    let peakHeap = process.memoryUsage().heapUsed;
    // The writer yields to the event loop between pages and while the disk drains, so sampling catches each page.
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 20);
    const started = process.hrtime.bigint();
    // The check values are counted as the worker counts them, so their cost is in the numbers.
    const checks = startExportChecks(null);
    const result = await writeExportFile(
      database,
      {
        projectId: request.projectId,
        source: 'directory',
        sourceId: request.directoryId,
        annIsComplete: false,
        includeRemoved: false,
        exportId: 1,
        createdTime: new Date().toISOString(),
        createdBy: 'bench@annex.local',
      },
      request.outPath,
      { pageSize: request.pageSize, ...checks.hooks },
    );
    checks.result();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const onDisk = fs.statSync(request.outPath).size;
    if (onDisk !== result.sizeBytes)
      throw new Error(`the writer reported ${result.sizeBytes} bytes but wrote ${onDisk}`);
    const measurement: GenerationMeasurement = {
      files: result.fileCount,
      instances: result.instanceCount,
      bytes: result.sizeBytes,
      seconds,
      baselineRssMiB: mib(baselineRss),
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      peakHeapMiB: mib(peakHeap),
    };
    process.stdout.write(`${JSON.stringify(measurement)}\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
