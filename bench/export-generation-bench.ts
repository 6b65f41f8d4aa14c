import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DialectName } from '../src/server/db/database.ts';
import { createTestDatabase } from '../src/server/db/test-database.ts';
import { seedBulkProject } from '../src/server/seed/bulk-project.ts';
import type { GenerationMeasurement, GenerationRequest } from './export-generation-child.ts';
import type { ImportMeasurement, ImportRequest } from './import-child.ts';

// The generation benchmark: seed a bulk project in a temporary database, then generate one
// all-files export of its default directory per page size, each in a fresh child process.

const run = promisify(execFile);
const childScript = fileURLToPath(new URL('./export-generation-child.ts', import.meta.url));
const importChildScript = fileURLToPath(new URL('./import-child.ts', import.meta.url));

/** One row of the results: a dialect and page size, and what its generation measured. */
export interface GenerationResult extends GenerationMeasurement {
  /** The engine. */
  dialect: DialectName;
  /** The writer's page size. */
  pageSize: number;
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

/** Seeds `files` files on `dialect` and measures one generation per page size; cleans up after itself. */
export async function benchDialect(
  dialect: DialectName,
  files: number,
  pageSizes: number[],
  log: (line: string) => void,
): Promise<{ seed: SeedResult; generations: GenerationResult[]; imported: ImportResult }> {
  const database = await createTestDatabase(dialect);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-bench-'));
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
    for (const pageSize of pageSizes) {
      const request: GenerationRequest = {
        databaseUrl: database.url,
        projectId: summary.projectId,
        directoryId: summary.defaultDirectoryId,
        pageSize,
        outPath: path.join(outDir, `export-${pageSize}.json`),
      };
      log(`${dialect}: generating with page size ${pageSize}…`);
      const { stdout } = await run(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', childScript, JSON.stringify(request)],
        {
          maxBuffer: 1024 * 1024,
        },
      );
      const measurement = JSON.parse(
        stdout.trim().split('\n').at(-1) ?? '{}',
      ) as GenerationMeasurement;
      generations.push({ dialect, pageSize, ...measurement });
    }

    // The same data back in: the first generation's file imported into a new project, measured the
    // same way (a fresh process), so export and import speeds stand side by side.
    const [first] = generations;
    if (first === undefined) throw new Error('no page size to generate with');
    const importRequest: ImportRequest = {
      databaseUrl: database.url,
      filePath: path.join(outDir, `export-${first.pageSize}.json`),
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
