import Fastify from 'fastify';
import { register as globalRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { createTestDatabase, TEST_POSTGRES_URL, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import {
  createExportTestEnv,
  defaultDirectoryExport,
  exportRowOf,
  finalOf,
  requestExport,
} from '../exports/export-test-harness.ts';
import type { ExportTestEnv } from '../exports/export-test-harness.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import { addExportRow } from '../test-utils/test-records.ts';
import { AnnexMetrics } from './annex-metrics.ts';
import { startMetricsServer } from './metrics-server.ts';
import { installHttpMetrics } from './metrics.routes.ts';

/** The value of one sample line (`name{labels} value`) of a Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

describe.each(testDialects)('GET /metrics on %s', (dialect) => {
  let env: ExportTestEnv;
  beforeAll(async () => {
    env = await createExportTestEnv(dialect);
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });

  async function scrape(): Promise<string> {
    const response = await env.anonymousApp.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.body;
  }

  it('reports exports by status, both queues and each running worker’s heartbeat age, read from the database', async () => {
    const project = env.demo.projectId;
    const directory = env.demo.defaultDirectoryId;
    const base = { project_id: project, directory_id: directory };
    await addExportRow(env.database, { ...base, status: 'queued' });
    await addExportRow(env.database, { ...base, status: 'queued' });
    // Archived exports are out of every count.
    await addExportRow(env.database, { ...base, status: 'queued', archived: 1 });
    await addExportRow(env.database, { ...base, status: 'complete' });
    await addExportRow(env.database, {
      ...base,
      status: 'running',
      claimed_by: 'metrics-worker-a',
      started_time: secondsAgo(120),
      heartbeat_time: secondsAgo(40),
    });
    await addExportRow(env.database, {
      ...base,
      status: 'running',
      claimed_by: 'metrics-worker-a',
      started_time: secondsAgo(120),
      heartbeat_time: secondsAgo(20),
    });
    // Claimed, no heartbeat written yet: its claim time counts.
    await addExportRow(env.database, {
      ...base,
      status: 'running',
      claimed_by: 'metrics-worker-b',
      started_time: secondsAgo(5),
      heartbeat_time: null,
    });
    await env.database.db
      .insertInto('import_job')
      .values({
        project_id: project,
        directory_name: 'incoming',
        on_error: 'skip',
        status: 'queued',
        errors: '[]',
        created_by: 'ada@example.com',
        created_time: new Date().toISOString(),
      })
      .execute();

    const text = await scrape();
    expect(sample(text, 'annex_database_up')).toBe(1);
    expect(sample(text, 'annex_exports{status="queued"}')).toBe(2);
    expect(sample(text, 'annex_exports{status="running"}')).toBe(3);
    expect(sample(text, 'annex_exports{status="complete"}')).toBe(1);
    expect(sample(text, 'annex_exports{status="failed"}')).toBe(0);
    expect(sample(text, 'annex_exports{status="cancelled"}')).toBe(0);
    expect(sample(text, 'annex_queue_depth{queue="exports"}')).toBe(2);
    expect(sample(text, 'annex_queue_depth{queue="imports"}')).toBe(1);
    // The worker's latest heartbeat on any of its exports.
    const ageA = sample(text, 'annex_worker_heartbeat_age_seconds{worker_id="metrics-worker-a"}');
    expect(ageA).toBeGreaterThanOrEqual(20);
    expect(ageA).toBeLessThan(30);
    const ageB = sample(text, 'annex_worker_heartbeat_age_seconds{worker_id="metrics-worker-b"}');
    expect(ageB).toBeGreaterThanOrEqual(5);
    expect(ageB).toBeLessThan(15);

    // Read afresh at every scrape: a worker no longer running anything is gone from the series.
    await env.database.db
      .updateTable('export')
      .set({ status: 'failed', claimed_by: null })
      .where('claimed_by', '=', 'metrics-worker-b')
      .execute();
    const after = await scrape();
    expect(after).not.toContain('metrics-worker-b');
    expect(sample(after, 'annex_exports{status="failed"}')).toBe(1);
    // Nothing of the process's own (no default process metrics in a test app's registry).
    expect(after).not.toContain('process_cpu_user_seconds_total');
  });

  it('times HTTP requests by method, route pattern and status, never by raw URL', async () => {
    await env.app.inject({ method: 'GET', url: '/api/v1/projects/demo' });
    await env.app.inject({ method: 'GET', url: '/api/v1/projects/no-such-project-zqxv' });
    await env.app.inject({ method: 'GET', url: '/no/route/here-zqxv' });
    const text = await scrape();
    const series = 'annex_http_request_duration_seconds_count';
    expect(
      sample(text, `${series}{method="GET",route="/api/v1/projects/:project",status_code="200"}`),
    ).toBe(1);
    expect(
      sample(text, `${series}{method="GET",route="/api/v1/projects/:project",status_code="404"}`),
    ).toBe(1);
    expect(sample(text, `${series}{method="GET",route="unmatched",status_code="404"}`)).toBe(1);
    // Letters no number or label the registry writes could hold (a digit run could be a timing).
    expect(text).not.toContain('zqxv');
    expect(text).toContain(
      'annex_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/projects/:project",status_code="200"}',
    );
  });

  it('observes the generation duration and size of each export a worker completes', async () => {
    // Only the export asked for below is for the worker to build: the rows above are settled.
    await env.database.db
      .updateTable('export')
      .set({ status: 'cancelled', claimed_by: null })
      .where('status', 'in', ['queued', 'running'])
      .execute();
    const metrics = new AnnexMetrics({ database: env.database });
    const worker = await env.startWorker({ metrics: metrics.exportBuild });
    try {
      const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
      expect((await finalOf(env, created.id)).status).toBe('complete');
      const row = await exportRowOf(env, created.id);
      const text = await metrics.render();
      expect(sample(text, 'annex_export_generation_duration_seconds_count')).toBe(1);
      expect(sample(text, 'annex_export_size_bytes_count')).toBe(1);
      expect(sample(text, 'annex_export_size_bytes_sum')).toBe(row.size_bytes);
      const seconds = sample(text, 'annex_export_generation_duration_seconds_sum') ?? -1;
      expect(seconds).toBeGreaterThanOrEqual(0);
      expect(seconds).toBeLessThan(60);
    } finally {
      await worker.stop();
    }
  });

  it('keeps every metric in its own registry, none in prom-client’s global one', async () => {
    expect(await globalRegistry.metrics()).not.toContain('annex_');
  });
});

describe('GET /metrics with METRICS_TOKEN set', () => {
  let database: TestDatabase;
  let test: TestApp;
  const token = 'metrics-token-0123456789abcdef';
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    test = await createTestApp(database, { env: { METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await test.close();
    await database.drop();
  });

  it('answers 401 with the envelope and a Bearer challenge without the token, a wrong one, or an API key', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789abcdef',
      `Bearer ${token}x`,
      `Basic ${Buffer.from(`x:${token}`).toString('base64')}`,
      token,
    ]) {
      const response = await test.anonymousApp.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.statusCode, authorization).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="annex metrics"');
      const { error } = response.json<{ error: { code: string; message: string } }>();
      expect(error.code).toBe('unauthenticated');
      expect(error.message).toContain('Authorization: Bearer <METRICS_TOKEN>');
      expect(response.body).not.toContain(token);
    }
  });

  it('answers 200 with the token as a bearer token', async () => {
    const response = await test.anonymousApp.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(sample(response.body, 'annex_database_up')).toBe(1);
  });

  it('answers whatever the Host header says (scrapers call the pod address)', async () => {
    const response = await test.anonymousApp.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${token}`, host: '10.244.3.17:8080' },
    });
    expect(response.statusCode).toBe(200);
  });
});

describe.each(testDialects)('GET /metrics on %s with the database closed', (dialect) => {
  let database: TestDatabase;
  let test: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    test = await createTestApp(database);
    await database.close();
  });
  afterAll(async () => {
    await test.close();
    await database.drop();
  });

  it('still answers 200: annex_database_up 0, the database series left out, the rest kept', async () => {
    await test.anonymousApp.inject({ method: 'GET', url: '/healthz' });
    const response = await test.anonymousApp.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    const text = response.body;
    expect(sample(text, 'annex_database_up')).toBe(0);
    expect(text).not.toMatch(/^annex_exports\{/m);
    expect(text).not.toMatch(/^annex_queue_depth\{/m);
    expect(text).not.toMatch(/^annex_worker_heartbeat_age_seconds\{/m);
    expect(text).toContain(
      'annex_http_request_duration_seconds_count{method="GET",route="/healthz"',
    );
  });
});

describe('GET /metrics with the database unreachable (PostgreSQL on a port nobody listens on)', () => {
  it('answers 200 with annex_database_up 0 within the timeout', async () => {
    const unreachable = await openDatabase(TEST_POSTGRES_URL.replace(':5432', ':1'), {
      poolSize: 1,
    });
    try {
      const metrics = new AnnexMetrics({ database: unreachable, databaseTimeoutMs: 1000 });
      const text = await metrics.render();
      expect(sample(text, 'annex_database_up')).toBe(0);
      expect(text).not.toMatch(/^annex_exports\{/m);
    } finally {
      await unreachable.close();
    }
  });
});

describe('process metrics and the metrics server (METRICS_PORT)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await database.drop();
  });

  it('serves the same registry over HTTP, with the default process metrics, and asks for the token when set', async () => {
    const metrics = new AnnexMetrics({ database, processMetrics: true });
    const token = 'metrics-token-0123456789abcdef';
    const server = await startMetricsServer({ metrics, token, host: '127.0.0.1', port: 0 });
    try {
      const refused = await fetch(`${server.address}/metrics`);
      expect(refused.status).toBe(401);
      const response = await fetch(`${server.address}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(sample(text, 'annex_database_up')).toBe(1);
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
      // Its own requests are timed into the same registry.
      expect(await metrics.render()).toContain(
        'annex_http_request_duration_seconds_count{method="GET",route="/metrics",status_code="401"} 1',
      );
      expect((await fetch(`${server.address}/api/v1/projects`)).status).toBe(404);
    } finally {
      await server.app.close();
    }
  });

  it('leaves event streams out of the HTTP latency: a stream open for minutes is no latency', async () => {
    const metrics = new AnnexMetrics({ database });
    const app = Fastify();
    installHttpMetrics(app, metrics);
    app.get('/stream', (_request, reply) =>
      reply.header('content-type', 'text/event-stream; charset=utf-8').send(': hello\n\n'),
    );
    app.get('/json', () => ({ ok: true }));
    try {
      expect((await app.inject({ method: 'GET', url: '/stream' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/json' })).statusCode).toBe(200);
      const text = await metrics.render();
      expect(
        sample(
          text,
          'annex_http_request_duration_seconds_count{method="GET",route="/json",status_code="200"}',
        ),
      ).toBe(1);
      expect(text).not.toContain('route="/stream"');
    } finally {
      await app.close();
    }
  });
});
