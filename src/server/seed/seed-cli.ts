import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/env.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { projectStringIdPattern, seedBulkProject } from './bulk-project.ts';
import { seedDemoProject } from './demo-project.ts';

// `npm run seed` seeds the demo project; `npm run seed -- --files N [--project NAME]` a bulk project
// of N files for benchmarks. The database is the one DATABASE_URL names, migrated first.

const usage = `Usage: npm run seed -- [--files N] [--project NAME] [--seed S]

  (no flags)      seed the demo project "demo" (needs a database without it)
  --files N       seed a bulk project of N files (1 to 10,000,000) for benchmarks
  --project NAME  the bulk project's project_string_id (default "bulk-N")
  --seed S        random seed of the bulk project (default 42)

The database is DATABASE_URL (default sqlite:./data/annex.db).`;

/** A bad command line: the message says what is wrong, the usage follows. */
export class SeedUsageError extends Error {
  override name = 'SeedUsageError';
}

/** What the command line asks for. */
export type SeedCommand =
  | { kind: 'demo' }
  | { kind: 'bulk'; files: number; projectStringId: string; seed: number }
  | { kind: 'help' };

function wholeNumber(flag: string, value: string, max: number): number {
  if (!/^\d[\d_,]*$/.test(value))
    throw new SeedUsageError(`${flag} takes a whole number, got "${value}"`);
  const number = Number(value.replaceAll(/[_,]/g, ''));
  if (!Number.isSafeInteger(number) || number < 1 || number > max) {
    throw new SeedUsageError(
      `${flag} must be between 1 and ${max.toLocaleString('en-US')}, got ${value}`,
    );
  }
  return number;
}

/** Parses the seed command line; throws SeedUsageError naming the bad flag. */
export function parseSeedArgs(argv: string[]): SeedCommand {
  let values: { files?: string; project?: string; seed?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        files: { type: 'string' },
        project: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new SeedUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { kind: 'help' };
  if (values.files === undefined) {
    if (values.project !== undefined || values.seed !== undefined) {
      throw new SeedUsageError('--project and --seed apply to a bulk project: add --files N');
    }
    return { kind: 'demo' };
  }
  const files = wholeNumber('--files', values.files, 10_000_000);
  const seed = values.seed === undefined ? 42 : wholeNumber('--seed', values.seed, 2 ** 31);
  const projectStringId = values.project ?? `bulk-${files}`;
  if (!projectStringIdPattern.test(projectStringId)) {
    throw new SeedUsageError(
      `--project "${projectStringId}" is not a valid project_string_id: use 1–100 lowercase letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
  return { kind: 'bulk', files, projectStringId, seed };
}

function seconds(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

async function main(): Promise<void> {
  const command = parseSeedArgs(process.argv.slice(2));
  if (command.kind === 'help') {
    console.log(usage);
    return;
  }
  const config = loadConfig();
  const where = config.DATABASE_URL.replace(/\/\/[^@/]*@/, '//');
  const database = await openDatabase(config.DATABASE_URL);
  try {
    await migrateToLatest(database);
    const start = performance.now();
    if (command.kind === 'demo') {
      const demo = await seedDemoProject(database);
      console.log(
        `Seeded the demo project "${demo.projectStringId}" (id ${demo.projectId}) in ${where}: ${demo.counts.files} files, ` +
          `${demo.counts.instances} instances, ${demo.counts.tasks} tasks in ${Object.keys(demo.jobs).length} jobs, in ${seconds(start)}.`,
      );
      return;
    }
    console.error(
      `Seeding "${command.projectStringId}" with ${command.files.toLocaleString('en-US')} files in ${where}…`,
    );
    let lastReport = 0;
    const bulk = await seedBulkProject(database, {
      files: command.files,
      projectStringId: command.projectStringId,
      seed: command.seed,
      onProgress: (written, total) => {
        const now = performance.now();
        if (written === total || now - lastReport > 2000) {
          lastReport = now;
          console.error(
            `  ${written.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} files (${seconds(start)})`,
          );
        }
      },
    });
    const { counts } = bulk;
    console.log(
      `Seeded "${bulk.projectStringId}" (id ${bulk.projectId}) in ${where}: ${counts.files} files ` +
        `(${counts.images} images, ${counts.videos} videos, ${counts.texts} texts; ${counts.completeFiles} complete, ${counts.removedFiles} removed), ` +
        `${counts.instances} instances (${counts.softDeletedInstances} soft-deleted), ${counts.sequences} sequences, ${counts.tasks} tasks, in ${seconds(start)}.`,
    );
  } finally {
    await database.close();
  }
}

// Run only as a script, so tests can import parseSeedArgs.
if (
  process.argv[1] !== undefined &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1])
) {
  main().catch((error: unknown) => {
    if (error instanceof SeedUsageError) console.error(`seed: ${error.message}\n\n${usage}`);
    else if (error instanceof ConfigError) console.error(error.message);
    else console.error(`seed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof SeedUsageError ? 2 : 1);
  });
}
