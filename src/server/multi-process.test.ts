import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Export, ExportLink } from '../contract/exports.ts';
import type { TestDatabase } from './db/test-database.ts';
import { createDemoDatabase } from './exports/export-file-fixtures.ts';
import { seedBulkProject } from './seed/bulk-project.ts';
import type { BulkProjectSummary } from './seed/bulk-project.ts';
import type { DemoProjectSummary } from './seed/demo-project.ts';
import { S3ExportStorage } from './storage/s3-export-storage.ts';
import { startTestS3Server } from './storage/test-s3-server.ts';
import type { TestS3Server } from './storage/test-s3-server.ts';
import { findFreePort, scratchCwd, spawnAnnex, waitUntil } from './test-utils/annex-process.ts';
import { EventStreamClient } from './test-utils/event-stream-client.ts';
import type { AnnexProcess } from './test-utils/annex-process.ts';
import { ensureTestAdmin, testAdminAuthorization } from './test-utils/test-accounts.ts';

// annex as a team that outgrew one machine runs it: PostgreSQL, an S3-compatible store (s3rver in a
// process of its own), two API processes and two worker processes, each with a DATA_DIR of its own
// so that nothing can pass through a shared disk. What one API queues, a worker builds into the
// bucket and the other API serves; a live-status stream on one API sees what the other queued; a
// worker killed with SIGKILL mid-export is recovered by the other; no export is claimed twice.

const linkSecret = 'multi-process-test-link-secret-0123456789abcdef';

/** An annex process this test started, with its own DATA_DIR. */
interface Node {
  annex: AnnexProcess;
  dataDir: string;
  /** `http://127.0.0.1:<port>` for an API process. */
  host?: string;
}

describe('two API and two worker processes on PostgreSQL and an S3-compatible store', () => {
  let database: TestDatabase;
  let demo: DemoProjectSummary;
  let bulk: BulkProjectSummary;
  let s3: TestS3Server;
  const apis: Node[] = [];
  const workers: Node[] = [];

  async function startNode(services: 'api' | 'worker'): Promise<Node> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `annex-node-${services}-`));
    const port = services === 'api' ? await findFreePort() : undefined;
    const annex = spawnAnnex([`--services=${services}`], await scratchCwd(dataDir), {
      HOST: '127.0.0.1',
      PORT: String(port ?? 0),
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      LINK_SECRET: linkSecret,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      WORKER_POLL_MS: '200',
      WORKER_CONCURRENCY: '2',
      EXPORTS_PER_MINUTE: '100000',
      EXPORT_STORAGE: `s3://${s3.settings.bucket}/${s3.settings.prefix}`,
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      // The SDK's notice that its 2027 releases need Node 22 would fill the captured output.
      NODE_NO_WARNINGS: '1',
    });
    const host = port === undefined ? undefined : `http://127.0.0.1:${port}`;
    if (host === undefined) {
      await waitUntil(annex, 'building exports', () =>
        Promise.resolve(annex.output().includes('is building exports')),
      );
    } else {
      await waitUntil(annex, `serving ${host}`, async () => {
        try {
          return (await fetch(`${host}/readyz`)).ok;
        } catch {
          return false;
        }
      });
    }
    return { annex, dataDir, ...(host === undefined ? {} : { host }) };
  }

  function hostOf(node: Node | undefined): string {
    if (node?.host === undefined) throw new Error('not an API process');
    return node.host;
  }

  async function call<T>(node: Node | undefined, method: string, url: string, body?: unknown) {
    const response = await fetch(`${hostOf(node)}${url}`, {
      method,
      headers: {
        authorization: testAdminAuthorization,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async function requestExport(node: Node | undefined, project: string, directoryId: number) {
    return call<Export>(node, 'POST', `/api/v1/projects/${project}/exports`, {
      source: 'directory',
      directory_id: directoryId,
      ann_is_complete: false,
    });
  }

  async function waitComplete(node: Node | undefined, project: string, id: number) {
    const deadline = Date.now() + 150_000;
    for (;;) {
      const record = await call<Export>(node, 'GET', `/api/v1/projects/${project}/exports/${id}`);
      if (record.status === 'complete') return record;
      if (record.status === 'failed' || record.status === 'cancelled')
        throw new Error(`export ${id} ended ${record.status}: ${record.status_text ?? ''}`);
      if (Date.now() > deadline) throw new Error(`export ${id} still ${record.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Downloads an export's file through `node`, by a link `linkFrom` signed: its SHA-256. */
  async function downloadSha(
    linkFrom: Node | undefined,
    node: Node | undefined,
    project: string,
    id: number,
  ) {
    const link = await call<ExportLink>(
      linkFrom,
      'POST',
      `/api/v1/projects/${project}/exports/${id}/link`,
    );
    const url = new URL(link.url);
    const response = await fetch(`${hostOf(node)}${url.pathname}${url.search}`);
    expect(response.status).toBe(200);
    return createHash('sha256')
      .update(Buffer.from(await response.arrayBuffer()))
      .digest('hex');
  }

  async function attemptsOf(id: number): Promise<number> {
    const row = await database.db
      .selectFrom('export')
      .select('attempt_count')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return row.attempt_count;
  }

  beforeAll(async () => {
    s3 = await startTestS3Server({ prefix: 'cluster/', separateProcess: true });
    ({ database, demo } = await createDemoDatabase('postgres'));
    await ensureTestAdmin(database.db);
    // Big enough that a worker is still writing it when the test kills that worker.
    bulk = await seedBulkProject(database, { files: 12_000, projectStringId: 'bulk' });
    apis.push(...(await Promise.all([startNode('api'), startNode('api')])));
    workers.push(...(await Promise.all([startNode('worker'), startNode('worker')])));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((node) => node.annex.stop()));
    for (const node of [...apis, ...workers])
      fs.rmSync(node.dataDir, { recursive: true, force: true });
    await database.drop();
    await s3.close();
  }, 60_000);

  it('an export asked for on one API is complete on the other and downloads through either', async () => {
    const created = await requestExport(apis[0], 'demo', demo.defaultDirectoryId);
    const complete = await waitComplete(apis[1], 'demo', created.id);
    expect(await downloadSha(apis[1], apis[0], 'demo', created.id)).toBe(complete.sha256);
    expect(await downloadSha(apis[0], apis[1], 'demo', created.id)).toBe(complete.sha256);
    // In the bucket, and on no process's disk.
    const store = new S3ExportStorage(s3.client, s3.settings);
    expect((await store.listFinals()).map((file) => file.exportId)).toContain(created.id);
    for (const node of [...apis, ...workers])
      expect(
        fs.existsSync(path.join(node.dataDir, 'exports'))
          ? fs
              .readdirSync(path.join(node.dataDir, 'exports'))
              .filter((name) => name.endsWith('.json'))
          : [],
      ).toEqual([]);
  }, 180_000);

  it('a live-status stream on one API sees every status of an export asked for on the other', async () => {
    const stream = await EventStreamClient.connect(
      `${hostOf(apis[1])}/api/v1/projects/demo/exports/events`,
      { authorization: testAdminAuthorization },
    );
    try {
      const created = await requestExport(apis[0], 'demo', demo.defaultDirectoryId);
      await stream.untilChange(
        (change) => change.id === created.id && change.status === 'complete',
        60_000,
      );
      const statuses = stream
        .exportChanges()
        .filter((change) => change.id === created.id)
        .map((change) => change.status);
      // Heard from the database (NOTIFY), not from this API's own process: API 2 neither queued nor built it.
      expect(statuses[0]).toBe('queued');
      expect(statuses).toContain('running');
      expect(statuses.at(-1)).toBe('complete');
    } finally {
      await stream.close();
    }
  }, 120_000);

  it('no export is claimed twice when both APIs queue many at once for both workers', async () => {
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        requestExport(apis[index % 2], 'demo', demo.defaultDirectoryId),
      ),
    );
    const completed = await Promise.all(
      created.map((record, index) => waitComplete(apis[(index + 1) % 2], 'demo', record.id)),
    );
    for (const record of completed)
      expect(await attemptsOf(record.id), `export ${record.id}`).toBe(1);
    // The same data, the same content: every one of them wrote the same file but for its own id and time.
    expect(new Set(completed.map((record) => record.content_sha256)).size).toBe(1);
  }, 240_000);

  it('a worker killed with SIGKILL mid-export is recovered by the other, which completes it', async () => {
    const created = await requestExport(apis[0], 'bulk', bulk.defaultDirectoryId);
    // Running under one of the two workers: which one, its claim says (`worker-<pid>-…`).
    let claimedBy: string | null = null;
    const deadline = Date.now() + 60_000;
    while (claimedBy === null) {
      const row = await database.db
        .selectFrom('export')
        .select(['status', 'claimed_by'])
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      if (row.status === 'running') claimedBy = row.claimed_by;
      else if (row.status !== 'queued') throw new Error(`export ${created.id} went ${row.status}`);
      if (Date.now() > deadline) throw new Error(`export ${created.id} was never claimed`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const victim = workers.find((node) => claimedBy.startsWith(`worker-${node.annex.child.pid}-`));
    if (victim === undefined) throw new Error(`no worker of this test claimed it: ${claimedBy}`);

    // The row is locked first, so the worker can neither finish nor give it up before it dies.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      const locked = await client.query<{ status: string }>(
        'SELECT status FROM export WHERE id = $1 FOR UPDATE',
        [created.id],
      );
      expect(locked.rows[0]?.status).toBe('running');
      const exited = new Promise((resolve) => victim.annex.child.once('exit', resolve));
      victim.annex.child.kill('SIGKILL');
      await exited;
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }

    const complete = await waitComplete(apis[1], 'bulk', created.id);
    const preflight = await call<{ file_count: number }>(
      apis[1],
      'GET',
      `/api/v1/projects/bulk/exports/preflight?source=directory&directory_id=${bulk.defaultDirectoryId}&ann_is_complete=false`,
    );
    expect(complete.file_list_length).toBe(preflight.file_count);
    // Bigger than one 8 MiB part: the killed worker had begun a multipart upload, not one PUT.
    expect(complete.size_bytes).toBeGreaterThan(8 * 1024 * 1024);
    expect(await attemptsOf(created.id)).toBe(2);
    expect(await downloadSha(apis[0], apis[1], 'bulk', created.id)).toBe(complete.sha256);
    // The dead worker's unfinished upload never became an object: one file for this export.
    const store = new S3ExportStorage(s3.client, s3.settings);
    expect((await store.listFinals()).filter((file) => file.exportId === created.id)).toHaveLength(
      1,
    );
  }, 300_000);
});
