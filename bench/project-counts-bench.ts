import { parseArgs } from 'node:util';
import type { DialectName } from '../src/server/db/database.ts';
import { createTestDatabase } from '../src/server/db/test-database.ts';
import {
  listDirectorySummaries,
  listJobSummaries,
  recountDirectorySummaries,
  recountJobSummaries,
} from '../src/server/projects/project-queries.ts';
import { seedBulkProject } from '../src/server/seed/bulk-project.ts';
import { createTestApp } from '../src/server/test-utils/test-app.ts';
import { printRequestBench, time } from './call-timing.ts';

// The project counts benchmark: seeds a bulk project in a temporary database, then times the calls
// the panel makes on every page (GET /api/v1/projects/:project and …/jobs, through app.inject) with
// the maintained counts, beside the recount they replaced (the old GROUP BY queries, timed directly).
//
//   npx tsx bench/project-counts-bench.ts [--files N] [--calls N] [--recount-calls N] [--dialects sqlite,postgres]
//
// Run with npx rather than an npm script: package.json is shared and this bench is occasional.

const usage = `Usage: npx tsx bench/project-counts-bench.ts [--files N] [--calls N] [--recount-calls N] [--dialects LIST]

  --files N          files in the seeded project (default 100000)
  --calls N          timed calls of each maintained-count read (default 200)
  --recount-calls N  timed calls of each recount, slow at large N (default 50)
  --dialects LIST    sqlite (default), postgres, or both: sqlite,postgres`;

interface CountsBenchOptions {
  files: number;
  calls: number;
  recountCalls: number;
  dialects: DialectName[];
}

function parseOptions(argv: string[]): CountsBenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      files: { type: 'string', default: '100000' },
      calls: { type: 'string', default: '200' },
      'recount-calls': { type: 'string', default: '50' },
      dialects: { type: 'string', default: 'sqlite' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return undefined;
  const whole = (flag: string, value: string) => {
    const number = Number(value.replaceAll(/[_,]/g, ''));
    if (!Number.isSafeInteger(number) || number < 1)
      throw new Error(`--${flag} takes a positive whole number, got "${value}"`);
    return number;
  };
  const dialects = values.dialects.split(',').map((name) => name.trim());
  for (const name of dialects)
    if (name !== 'sqlite' && name !== 'postgres')
      throw new Error(`--dialects takes sqlite and/or postgres, got "${name}"`);
  return {
    files: whole('files', values.files),
    calls: whole('calls', values.calls),
    recountCalls: whole('recount-calls', values['recount-calls']),
    dialects: dialects as DialectName[],
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function benchDialect(dialect: DialectName, options: CountsBenchOptions): Promise<string[]> {
  const database = await createTestDatabase(dialect);
  const built = await createTestApp(database);
  try {
    log(`${dialect}: seeding ${options.files.toLocaleString('en-US')} files…`);
    const seedStarted = performance.now();
    const bulk = await seedBulkProject(database, {
      files: options.files,
      projectStringId: 'bench',
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(`${dialect}: seeded in ${seedSeconds.toFixed(1)} s; timing…`);
    const inject = async (url: string) => {
      const response = await built.app.inject({ method: 'GET', url });
      if (response.statusCode !== 200)
        throw new Error(`GET ${url} answered ${response.statusCode}: ${response.body}`);
    };
    const { db } = database;
    const rows: [string, number, { p50: number; p99: number }][] = [
      [
        'GET /api/v1/projects/bench (maintained)',
        options.calls,
        await time(options.calls, () => inject('/api/v1/projects/bench')),
      ],
      [
        'GET /api/v1/projects/bench/jobs (maintained)',
        options.calls,
        await time(options.calls, () => inject('/api/v1/projects/bench/jobs')),
      ],
      [
        'directory counts query (maintained)',
        options.calls,
        await time(options.calls, () => listDirectorySummaries(db, bulk.projectId)),
      ],
      [
        'directory counts query (recount, before)',
        options.recountCalls,
        await time(options.recountCalls, () => recountDirectorySummaries(db, bulk.projectId)),
      ],
      [
        'job counts query (maintained)',
        options.calls,
        await time(options.calls, () => listJobSummaries(db, bulk.projectId)),
      ],
      [
        'job counts query (recount, before)',
        options.recountCalls,
        await time(options.recountCalls, () => recountJobSummaries(db, bulk.projectId)),
      ],
    ];
    return [
      `${dialect}: ${options.files.toLocaleString('en-US')} files seeded in ${seedSeconds.toFixed(1)} s`,
      ...rows.map(
        ([name, calls, { p50, p99 }]) =>
          `  ${name.padEnd(46)} ${String(calls).padStart(5)} calls  p50 ${p50.toFixed(2).padStart(8)} ms  p99 ${p99.toFixed(2).padStart(8)} ms`,
      ),
    ];
  } finally {
    await built.close();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  await printRequestBench('annex project counts', options.dialects, (dialect) =>
    benchDialect(dialect, options),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
  process.exitCode = 1;
});
