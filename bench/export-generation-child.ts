import { openDatabase } from '../src/server/db/database.ts';
import { startExportChecks } from '../src/server/exports/export-checks-run.ts';
import { writeExportFile } from '../src/server/exports/export-file-writer.ts';
import type { ExportFileStore, ExportUpload } from '../src/server/storage/export-file-store.ts';
import { LocalExportStorage } from '../src/server/storage/local-export-storage.ts';
import { S3ExportStorage } from '../src/server/storage/s3-export-storage.ts';
import { s3ClientOf } from '../src/server/storage/s3-settings.ts';
import type { S3Credentials, S3Settings } from '../src/server/storage/s3-settings.ts';

// One measured generation, in a process of its own so that its peak RSS is the writer's and not the
// seeder's: `node --import tsx bench/export-generation-child.ts <request JSON>`. It prints one line of
// JSON (`GenerationMeasurement`) on stdout.

/** Where the file goes: a local export folder, or a bucket (both through the worker's `ExportFileStore`). */
export type GenerationStorage =
  | { kind: 'local'; root: string }
  | { kind: 's3'; settings: S3Settings; credentials: S3Credentials };

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
  /** Where to store the file (the parent deletes it). */
  storage: GenerationStorage;
}

/** What one generation measured. */
export interface GenerationMeasurement {
  /** File packets written. */
  files: number;
  /** Instances written. */
  instances: number;
  /** Size of the file. */
  bytes: number;
  /** Its key in the storage. */
  key: string;
  /** Wall time of `writeExportFile` and the commit, from the call to the file stored under its key. */
  seconds: number;
  /** RSS just before the write (modules loaded, database open), MiB. */
  baselineRssMiB: number;
  /** Peak RSS of the process (`resourceUsage().maxRSS`), MiB. */
  peakRssMiB: number;
  /** Highest V8 heap in use sampled during the write, MiB. */
  peakHeapMiB: number;
}

const mib = (bytes: number) => bytes / 1024 / 1024;

/** The store, and what closes it (the S3 client's sockets would keep the process alive). */
function storeOf(storage: GenerationStorage): { store: ExportFileStore; close: () => void } {
  if (storage.kind === 'local')
    return { store: new LocalExportStorage(storage.root), close: () => {} };
  const client = s3ClientOf(storage.settings, storage.credentials);
  return { store: new S3ExportStorage(client, storage.settings), close: () => client.destroy() };
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (raw === undefined)
    throw new Error('export-generation-child needs its request as a JSON argument');
  const request = JSON.parse(raw) as GenerationRequest;
  const database = await openDatabase(request.databaseUrl);
  const { store, close } = storeOf(request.storage);
  try {
    await store.ensureReady();
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
    // As the worker does: an upload opened once there is something to write, committed after.
    let upload: ExportUpload | undefined;
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
      async (signal) => (upload = await store.openUpload(1, 'bench', signal)),
      { pageSize: request.pageSize, ...checks.hooks },
    );
    if (upload === undefined) throw new Error('the writer wrote nothing');
    const key = await upload.commit();
    checks.result();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const stored = await store.stat(key);
    if (stored?.sizeBytes !== result.sizeBytes)
      throw new Error(
        `the writer reported ${result.sizeBytes} bytes but ${store.location} holds ${String(stored?.sizeBytes)} under ${key}`,
      );
    const measurement: GenerationMeasurement = {
      files: result.fileCount,
      instances: result.instanceCount,
      bytes: result.sizeBytes,
      key,
      seconds,
      baselineRssMiB: mib(baselineRss),
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      peakHeapMiB: mib(peakHeap),
    };
    process.stdout.write(`${JSON.stringify(measurement)}\n`);
  } finally {
    close();
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
