import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DialectName } from '../src/server/db/database.ts';
import { createTestDatabase } from '../src/server/db/test-database.ts';
import { seedBulkProject } from '../src/server/seed/bulk-project.ts';
import { LocalExportStorage } from '../src/server/storage/local-export-storage.ts';
import type { TestS3Server } from '../src/server/storage/test-s3-server.ts';
import type { BenchStorage } from './bench-args.ts';
import type {
  GenerationMeasurement,
  GenerationRequest,
  GenerationStorage,
} from './export-generation-child.ts';
import type { ImportMeasurement, ImportRequest } from './import-child.ts';

// The generation benchmark: seed a bulk project in a temporary database, then generate one
// all-files export of its default directory per page size and storage, each in a fresh child process.

const run = promisify(execFile);
const childScript = fileURLToPath(new URL('./export-generation-child.ts', import.meta.url));
const importChildScript = fileURLToPath(new URL('./import-child.ts', import.meta.url));

/** One row of the results: a dialect, page size and storage, and what its generation measured. */
export interface GenerationResult extends GenerationMeasurement {
  /** The engine. */
  dialect: DialectName;
  /** The writer's page size. */
  pageSize: number;
  /** Where the file went. */
  storage: BenchStorage;
}

/** One import of the dialect's first generated file into a new project, beside that generation. */
export interface ImportResult extends ImportMeasurement {
  /** The engine. */
  dialect: DialectName;
  /** The generation the file came from (same files, same bytes). */
  generation: GenerationResult;
}

/** What seeding a dialect's project took. */
export interface SeedResult {
  /** The engine. */
  dialect: DialectName;
  /** Files seeded. */
  files: number;
  /** Instances seeded. */
  instances: number;
  /** Wall time of the seed. */
  seconds: number;
}

/** What a dialect's run measures where. */
export interface DialectBenchOptions {
  /** Files to seed. */
  files: number;
  /** Page sizes to generate with, in order. */
  pageSizes: number[];
  /** Storages to generate into, in order, for each page size. */
  storages: BenchStorage[];
  /** The S3-compatible server the `s3` storage writes to (the bench starts it); needed with `s3`. */
  s3: TestS3Server | undefined;
}

/**
 * Seeds `files` files on `dialect` and measures one generation per page size and storage, then the
 * import of the first local file (none without a local storage); cleans up after itself.
 */
export async function benchDialect(
  dialect: DialectName,
  { files, pageSizes, storages, s3 }: DialectBenchOptions,
  log: (line: string) => void,
): Promise<{ seed: SeedResult; generations: GenerationResult[]; imported: ImportResult | null }> {
  const database = await createTestDatabase(dialect);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-bench-'));
  const localRoot = path.join(outDir, 'exports');
  const storageOf = (storage: BenchStorage): GenerationStorage => {
    if (storage === 'local') return { kind: 'local', root: localRoot };
    if (s3 === undefined) throw new Error('the s3 storage needs the bench to start an S3 server');
    // A prefix per dialect: both share the one server.
    return {
      kind: 's3',
      settings: { ...s3.settings, prefix: `${dialect}/` },
      credentials: s3.credentials,
    };
  };
  try {
    log(`${dialect}: seeding ${files.toLocaleString('en-US')} files…`);
    const seedStarted = performance.now();
    let lastLogged = 0;
    const summary = await seedBulkProject(database, {
      files,
      projectStringId: 'bench',
      onProgress: (written, total) => {
        if (written - lastLogged >= total / 4 || written === total) {
          lastLogged = written;
          log(
            `${dialect}:   ${written.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} files`,
          );
        }
      },
    });
    const seed: SeedResult = {
      dialect,
      files: summary.counts.files,
      instances: summary.counts.instances,
      seconds: (performance.now() - seedStarted) / 1000,
    };
    log(
      `${dialect}: seeded in ${seed.seconds.toFixed(1)} s (${seed.instances.toLocaleString('en-US')} instances)`,
    );

    const generations: GenerationResult[] = [];
    // Storages alternate within a page size, so a machine that slows down over the run slows both.
    for (const pageSize of pageSizes) {
      for (const storage of storages) {
        const request: GenerationRequest = {
          databaseUrl: database.url,
          projectId: summary.projectId,
          directoryId: summary.defaultDirectoryId,
          pageSize,
          storage: storageOf(storage),
        };
        log(`${dialect}: generating with page size ${pageSize} into ${storage}…`);
        const { stdout } = await run(
          process.execPath,
          ['--expose-gc', '--import', 'tsx', childScript, JSON.stringify(request)],
          { maxBuffer: 1024 * 1024 },
        );
        const measurement = JSON.parse(
          stdout.trim().split('\n').at(-1) ?? '{}',
        ) as GenerationMeasurement;
        generations.push({ dialect, pageSize, storage, ...measurement });
      }
    }

    // The same data back in: the first local generation's file imported into a new project, measured
    // the same way (a fresh process), so export and import speeds stand side by side.
    const first = generations.find((generation) => generation.storage === 'local');
    if (first === undefined) {
      if (generations.length === 0) throw new Error('no page size to generate with');
      return { seed, generations, imported: null };
    }
    const importRequest: ImportRequest = {
      databaseUrl: database.url,
      filePath: new LocalExportStorage(localRoot).pathOf(first.key),
      projectStringId: 'bench-imported',
      roundTripPath: path.join(outDir, 'round-trip.json'),
    };
    log(`${dialect}: importing the file generated with page size ${first.pageSize}…`);
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', importChildScript, JSON.stringify(importRequest)],
      { maxBuffer: 1024 * 1024 },
    );
    const measurement = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ImportMeasurement;
    return { seed, generations, imported: { dialect, generation: first, ...measurement } };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
    await database.drop();
  }
}
