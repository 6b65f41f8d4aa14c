import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { ExportTestEnv } from './export-test-harness.ts';

// A worker in another process, for the crash-recovery test: started as an operator would start it,
// and killed with SIGKILL at a moment the test chooses.

/** A worker process the test started, and when it is ready. */
export interface WorkerProcess {
  process: ChildProcess;
  /** Resolves once the process says it is building exports. */
  ready: Promise<void>;
}

/**
 * `main.ts --services=worker` against the test's database and DATA_DIR, as an operator would run it;
 * `extraEnv` over its defaults (a long WORKER_POLL_MS, say).
 */
export function startWorkerProcess(
  env: Pick<ExportTestEnv, 'database' | 'dataDir' | 'config'>,
  extraEnv: Record<string, string> = {},
): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/server/main.ts', '--services=worker'],
    {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      env: {
        ...process.env,
        DATABASE_URL: env.database.url,
        DATA_DIR: env.dataDir,
        SEED_DEMO: 'false',
        WORKER_POLL_MS: '50',
        WORKER_CONCURRENCY: '1',
        LINK_SECRET: env.config.LINK_SECRET ?? '',
        LOG_LEVEL: 'silent',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('is building exports')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) =>
      reject(
        new Error(`the worker process exited (${String(code)}) before it was ready:\n${output}`),
      ),
    );
  });
  return { process: child, ready };
}

/** The temporary files of an export in the storage's tmp folder. */
export function tempsOf(env: ExportTestEnv, id: number): string[] {
  const folder = path.join(env.storage.root, 'tmp');
  return fs.existsSync(folder)
    ? fs.readdirSync(folder).filter((name) => name.startsWith(`${id}.`))
    : [];
}

/**
 * Kills the worker process with SIGKILL while the export is still running. The row is locked (a
 * write lock on SQLite, a row lock on PostgreSQL) first, so the process can neither complete nor
 * touch it between the check and the kill.
 */
export async function killMidExport(
  env: ExportTestEnv,
  id: number,
  child: ChildProcess,
): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (env.dialect === 'sqlite') {
    const connection = new SQLite(env.database.url.replace(/^sqlite:/, ''));
    try {
      connection.pragma('busy_timeout = 10000');
      connection.exec('BEGIN IMMEDIATE');
      const row = connection.prepare('SELECT status FROM export WHERE id = ?').get(id) as {
        status: string;
      };
      if (row.status !== 'running')
        throw new Error(`export ${id} finished (${row.status}) before the worker could be killed`);
      child.kill('SIGKILL');
      await exited;
      connection.exec('ROLLBACK');
    } finally {
      connection.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: env.database.url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const result = await client.query<{ status: string }>(
      'SELECT status FROM export WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (result.rows[0]?.status !== 'running')
      throw new Error(`export ${id} finished before the worker could be killed`);
    child.kill('SIGKILL');
    await exited;
    await client.query('ROLLBACK');
  } finally {
    await client.end();
  }
}
