import { parseArgs } from 'node:util';
import type { DialectName } from '../src/server/db/database.ts';

/** The command line of `npm run bench`. */
export const benchUsage = `Usage: npm run bench -- [--files N] [--page-sizes A,B,…] [--dialects sqlite,postgres] [--storage local|s3|both]

  --files N          files in the seeded project (default 100000; 1 to 2,000,000)
  --page-sizes LIST  the writer's page sizes to compare (default 100,500,2000)
  --dialects LIST    sqlite (default), postgres, or both: sqlite,postgres
  --storage WHERE    where each generation writes: local (the default: a folder on this disk), s3 (an
                     S3-compatible server the bench starts on 127.0.0.1, s3rver), or both, side by side
  --diff             instead: the diff of two N-file exports beside two N/10-file ones (time, peak RSS)

Seeds a bulk project in a temporary database per dialect, then generates one all-files export of its
default directory per page size (and per storage), each in a fresh child process so that its peak RSS
is its own; then imports the first page size's local file into a new project (validating, then
writing), measured the same way (not with --storage s3 alone: there is no local file to import).`;

/** Where a generation writes its file. */
export type BenchStorage = 'local' | 's3';

/** What `npm run bench` is asked to do. */
export interface BenchOptions {
  /** Files in the seeded project. */
  files: number;
  /** Page sizes to generate with, in order. */
  pageSizes: number[];
  /** Engines to run on, in order. */
  dialects: DialectName[];
  /** Storages to generate into, in order (each page size runs on each). */
  storages: BenchStorage[];
  /** Print the usage and stop. */
  help: boolean;
  /** Run the export diff bench instead. */
  diff: boolean;
}

/** A bad command line; the message names the flag and what is wrong. */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

function wholeNumber(flag: string, value: string, max: number): number {
  if (!/^\d[\d_,]*$/.test(value))
    throw new BenchUsageError(`${flag} takes whole numbers, got "${value}"`);
  const number = Number(value.replaceAll(/[_,]/g, ''));
  if (!Number.isSafeInteger(number) || number < 1 || number > max) {
    throw new BenchUsageError(
      `${flag} must be between 1 and ${max.toLocaleString('en-US')}, got ${value}`,
    );
  }
  return number;
}

function listOf(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Parses the bench command line; throws BenchUsageError naming the bad flag. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  let values: {
    files?: string;
    'page-sizes'?: string;
    dialects?: string;
    storage?: string;
    help?: boolean;
    diff?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        files: { type: 'string' },
        'page-sizes': { type: 'string' },
        dialects: { type: 'string' },
        storage: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        diff: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BenchUsageError(error instanceof Error ? error.message : String(error));
  }
  const files =
    values.files === undefined ? 100_000 : wholeNumber('--files', values.files, 2_000_000);
  // Page sizes are kept below SQLite's bound-parameter limit for the page's `IN (…)` lists.
  const pageSizes =
    values['page-sizes'] === undefined
      ? [100, 500, 2000]
      : listOf(values['page-sizes']).map((size) => wholeNumber('--page-sizes', size, 30_000));
  if (pageSizes.length === 0)
    throw new BenchUsageError('--page-sizes needs at least one size, e.g. 500');
  const dialectNames = values.dialects === undefined ? ['sqlite'] : listOf(values.dialects);
  const dialects = dialectNames.map((name) => {
    if (name !== 'sqlite' && name !== 'postgres') {
      throw new BenchUsageError(`--dialects takes sqlite and/or postgres, got "${name}"`);
    }
    return name;
  });
  if (dialects.length === 0) throw new BenchUsageError('--dialects needs sqlite, postgres or both');
  const storageNames =
    values.storage === undefined
      ? ['local']
      : listOf(values.storage).flatMap((name) => (name === 'both' ? ['local', 's3'] : [name]));
  const storages = storageNames.map((name) => {
    if (name !== 'local' && name !== 's3') {
      throw new BenchUsageError(`--storage takes local, s3 or both, got "${name}"`);
    }
    return name;
  });
  if (storages.length === 0) throw new BenchUsageError('--storage needs local, s3 or both');
  return {
    files,
    pageSizes: [...new Set(pageSizes)],
    dialects: [...new Set(dialects)],
    storages: [...new Set(storages)],
    help: values.help === true,
    diff: values.diff === true,
  };
}
