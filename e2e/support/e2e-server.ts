import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/server/db/database.ts';
import { migrateToLatest } from '../../src/server/db/migrator.ts';
import { seedBulkProject } from '../../src/server/seed/bulk-project.ts';
import { seedDemoProject } from '../../src/server/seed/demo-project.ts';
import { seedE2eAccounts } from './e2e-accounts.ts';
import { e2eBulkFiles, e2eBulkProject, e2ePort } from './e2e-settings.ts';

// Playwright's webServer: the real annex server on a fresh temporary DATA_DIR, removed again when
// Playwright stops it. The database is seeded first with the demo project (as SEED_DEMO does on an
// empty database) and a bulk project whose exports take seconds, which the specs use to see exports
// queued and running, and the accounts the specs sign in as (e2e-accounts.ts). Specs find the
// records they need (a task, say) through the API.

const dataDir = mkdtempSync(path.join(tmpdir(), 'annex-e2e-'));
const databaseUrl = `sqlite:${path.join(dataDir, 'annex.db')}`;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATA_DIR: dataDir,
  DATABASE_URL: databaseUrl,
  HOST: '127.0.0.1',
  PORT: String(e2ePort),
  SEED_DEMO: 'true',
  LOG_LEVEL: 'warn',
  // One export at a time, so an export asked for behind a long one stays queued where a spec can see it.
  WORKER_CONCURRENCY: '1',
  // Every spec signs in from 127.0.0.1 and the suite generates many exports as one admin: the limits
  // are tested in the server's own tests, not here.
  SIGN_IN_LIMIT_PER_ADDRESS: '100000',
  SIGN_IN_LIMIT_PER_ACCOUNT: '100000',
  EXPORTS_PER_MINUTE: '100000',
};
const tsx = path.resolve('node_modules/.bin/tsx');
let child: ChildProcess | undefined;
let stopping = false;

function cleanUp(): void {
  rmSync(dataDir, { recursive: true, force: true });
}

function stop(signal: NodeJS.Signals): void {
  stopping = true;
  if (child === undefined) {
    cleanUp();
    process.exit(0);
  }
  child.kill(signal);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

async function seed(): Promise<void> {
  const database = await openDatabase(databaseUrl);
  try {
    await migrateToLatest(database);
    const demo = await seedDemoProject(database);
    await seedE2eAccounts(database, demo.projectId);
    const bulk = await seedBulkProject(database, {
      files: e2eBulkFiles,
      projectStringId: e2eBulkProject,
    });
    console.log(
      `annex e2e: seeded ${demo.projectStringId} and ${bulk.projectStringId} (${bulk.counts.files} files)`,
    );
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  console.log(`annex e2e: DATA_DIR=${dataDir}`);
  await seed();
  if (stopping) {
    cleanUp();
    process.exit(0);
  }
  const server = spawn(tsx, ['src/server/main.ts'], { env, stdio: 'inherit' });
  child = server;
  server.on('exit', (code) => {
    cleanUp();
    process.exit(stopping ? 0 : (code ?? 1));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  cleanUp();
  process.exit(1);
});
