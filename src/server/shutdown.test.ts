import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './db/test-database.ts';
import {
  createExportTestEnv,
  exportRowOf,
  untilRow,
  watchExport,
} from './exports/export-test-harness.ts';
import type { ExportTestEnv } from './exports/export-test-harness.ts';
import { tempsOf } from './exports/export-worker-process-fixtures.ts';
import { seedBulkProject } from './seed/bulk-project.ts';
import type { BulkProjectSummary } from './seed/bulk-project.ts';
import { shutDown, ShutdownError } from './shutdown.ts';
import type { StoppablePart } from './shutdown.ts';
import { findFreePort } from './test-utils/annex-process.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A child process the test started, its output so far and its end. */
interface Child {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output: () => string;
  /** Resolves once the output contains `text`; rejects if the process exits first. */
  waitFor: (text: string) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Child {
  const child = spawn(process.execPath, ['--import', tsxLoader, script, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of waiters.filter(({ text }) => output.includes(text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (text) =>
      output.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ text, resolve });
            void exited.then(() => {
              if (!output.includes(text))
                reject(new Error(`the process exited before saying "${text}":\n${output}`));
            });
          }),
  };
}

describe('shutDown', () => {
  /** A part that records when it starts and stops, and stops when the test says. */
  function part(name: string, events: string[], outcome: Promise<void> = Promise.resolve()) {
    return {
      name,
      stop: async () => {
        events.push(`${name} stopping`);
        await outcome;
        events.push(`${name} stopped`);
      },
    } satisfies StoppablePart;
  }

  it('stops every part taking work at once, and closes the database only once they all stopped', async () => {
    const events: string[] = [];
    let finishApi: () => void = () => undefined;
    const api = new Promise<void>((resolve) => {
      finishApi = resolve;
    });
    const done = shutDown({
      stopWork: [part('API', events, api), part('export worker', events)],
      closeLast: [part('database', events)],
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual(['API stopping', 'export worker stopping', 'export worker stopped']);
    finishApi();
    await done;
    expect(events.slice(3)).toEqual(['API stopped', 'database stopping', 'database stopped']);
  });

  it('still stops the other parts and the database when one part fails, then names it', async () => {
    const events: string[] = [];
    const failing = shutDown({
      stopWork: [
        part('export worker', events, Promise.reject(new Error('the queue refused'))),
        part('import worker', events),
      ],
      closeLast: [part('database', events)],
    });
    await expect(failing).rejects.toThrow(ShutdownError);
    await expect(failing).rejects.toThrow('Could not stop export worker (the queue refused)');
    expect(events).toContain('import worker stopped');
    expect(events.at(-1)).toBe('database stopped');
  });
});

describe('graceful shutdown of a process (close-with-grace)', () => {
  const fixture = path.join(repoRoot, 'src/server/shutdown-process-fixture.ts');
  const run = (mode: string, graceMs: number) =>
    startChild(fixture, [mode, String(graceMs)], {}, repoRoot);

  it('on SIGTERM stops every part, closes the database last and exits 0', async () => {
    const child = run('ok', 5000);
    await child.waitFor('ready');
    child.child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    const output = child.output();
    expect(output).toContain('annex: SIGTERM: stopping');
    expect(output.indexOf('export worker stopped')).toBeLessThan(
      output.indexOf('database stopped'),
    );
    expect(output).toContain('annex: stopped');
  }, 30_000);

  it('exits 1 with a message when stopping takes longer than the grace delay', async () => {
    const child = run('hang', 300);
    await child.waitFor('ready');
    const signalled = Date.now();
    child.child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(child.output()).toContain(
      'annex: still stopping after 300 ms (SHUTDOWN_GRACE_MS); exiting now (1)',
    );
    expect(child.output()).not.toContain('database stopped');
  }, 30_000);

  it('exits 1 at once on a second signal while stopping', async () => {
    const child = run('hang', 60_000);
    await child.waitFor('ready');
    child.child.kill('SIGTERM');
    await child.waitFor('annex: SIGTERM: stopping');
    child.child.kill('SIGINT');
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(child.output()).toContain('annex: second SIGINT while stopping; exiting now (1)');
  }, 30_000);

  it('exits 1 naming the part that could not stop, after closing the database anyway', async () => {
    const child = run('fail', 5000);
    await child.waitFor('ready');
    child.child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(child.output()).toContain('database stopped');
    expect(child.output()).toContain(
      'Could not stop export worker (the queue refused the hand-back)',
    );
  }, 30_000);
});

// The real server: `main.ts --services=worker`, as an operator runs it, gets SIGTERM while it builds
// an export. On PostgreSQL the test holds the export's row lock across the signal, so the worker is
// caught mid-export whatever the machine's speed (its next write waits for the test; the event loop
// stays free to take the signal). On SQLite a write waiting for a lock blocks the whole process, so
// the export is made long instead (10,000 files, seconds) and the signal sent as soon as it runs.
describe.each(testDialects)('SIGTERM to a worker process on %s', (dialect) => {
  let env: ExportTestEnv;
  let bulk: BulkProjectSummary;
  beforeAll(async () => {
    env = await createExportTestEnv(dialect);
    bulk = await seedBulkProject(env.database, {
      files: dialect === 'sqlite' ? 10_000 : 3000,
      projectStringId: 'bulk',
      seed: 7,
    });
  }, 120_000);
  afterAll(async () => {
    await env.close();
  });

  it('hands the running export back to the queue, closes the database and exits 0; its METRICS_PORT served /metrics', async () => {
    const metricsPort = await findFreePort();
    const metricsToken = 'metrics-token-0123456789abcdef';
    const cwd = path.join(env.dataDir, 'cwd'); // no .env of the checkout
    fs.mkdirSync(cwd, { recursive: true });
    const worker = startChild(
      path.join(repoRoot, 'src/server/main.ts'),
      ['--services=worker'],
      {
        DATABASE_URL: env.database.url,
        DATA_DIR: env.dataDir,
        HOST: '127.0.0.1',
        SEED_DEMO: 'false',
        WORKER_POLL_MS: '50',
        WORKER_CONCURRENCY: '1',
        LINK_SECRET: env.config.LINK_SECRET ?? '',
        LOG_LEVEL: 'silent',
        METRICS_PORT: String(metricsPort),
        METRICS_TOKEN: metricsToken,
        SHUTDOWN_GRACE_MS: '30000',
      },
      cwd,
    );
    let locker: pg.Client | undefined;
    try {
      await worker.waitFor('is building exports');
      expect(worker.output()).toContain(`metrics      http://127.0.0.1:${metricsPort}/metrics`);
      const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      expect((await fetch(metricsUrl)).status).toBe(401);
      const scrape = async () => {
        const response = await fetch(metricsUrl, {
          headers: { authorization: `Bearer ${metricsToken}` },
        });
        expect(response.status).toBe(200);
        return response.text();
      };
      const idle = await scrape();
      expect(idle).toContain('annex_database_up 1');
      expect(idle).toContain('process_cpu_user_seconds_total');

      const created = await env.app.inject({
        method: 'POST',
        url: '/api/v1/projects/bulk/exports',
        payload: {
          source: 'directory',
          directory_id: bulk.defaultDirectoryId,
          ann_is_complete: false,
        },
      });
      expect(created.statusCode, created.body).toBe(202);
      const exportId = created.json<{ id: number }>().id;
      await untilRow(env, exportId, (row) => row.status === 'running');

      if (dialect === 'postgres') {
        locker = new pg.Client({ connectionString: env.database.url });
        await locker.connect();
        await locker.query('BEGIN');
        const locked = await locker.query<{ status: string; percent_complete: number }>(
          'SELECT status, percent_complete FROM export WHERE id = $1 FOR UPDATE',
          [exportId],
        );
        expect(locked.rows[0]?.status, 'the export finished before the test could hold it').toBe(
          'running',
        );
        // Scraped mid-export: the database's view, this worker among those running.
        const scraped = await scrape();
        expect(scraped).toContain('annex_exports{status="running"} 1');
        expect(scraped).toMatch(/annex_worker_heartbeat_age_seconds\{worker_id="worker-\d+-\w+"\}/);
      }

      worker.child.kill('SIGTERM');
      await worker.waitFor('annex: SIGTERM: stopping');
      if (locker !== undefined) {
        await locker.query('ROLLBACK');
        await locker.end();
        locker = undefined;
      }
      expect(await worker.exited, worker.output()).toEqual({ code: 0, signal: null });
      expect(worker.output()).toContain('annex: stopped');
      expect(worker.output()).not.toMatch(/could not|error/i);

      // Back in the queue as if never claimed, its temporary file gone.
      const row = await exportRowOf(env, exportId);
      expect(row).toMatchObject({
        status: 'queued',
        claimed_by: null,
        started_time: null,
        percent_complete: 0,
        attempt_count: 0,
      });
      expect(tempsOf(env, exportId)).toEqual([]);
      // Another worker takes it from the queue and completes it.
      const successor = await env.startWorker();
      try {
        expect((await watchExport(env.app, 'bulk', exportId)).at(-1)?.status).toBe('complete');
      } finally {
        await successor.stop();
      }
    } finally {
      if (locker !== undefined) await locker.end().catch(() => undefined);
      if (worker.child.exitCode === null && worker.child.signalCode === null)
        worker.child.kill('SIGKILL');
    }
    // Starting a second Node process with tsx takes seconds on a busy machine.
  }, 120_000);
});
