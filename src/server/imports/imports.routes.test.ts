import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { importListResponseSchema, importResponseSchema } from '../../contract/imports.ts';
import { auditEventsOf } from '../audit/audit-test-reads.ts';
import { loadConfig } from '../config/env.ts';
import { testDialects } from '../db/test-database.ts';
import { addAlphaTeam, createAccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import type { AccountsTestEnv, AlphaTeam } from '../test-utils/accounts-test-env.ts';
import { errorOf } from '../test-utils/api-responses.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import type { TestAccount } from '../test-utils/test-accounts.ts';
import { createTestDataDir } from '../test-utils/test-app.ts';
import { LocalImportUploads } from '../storage/import-uploads.ts';
import { ImportEvents } from './import-events.ts';
import { directoryRunner, RecordingLogger } from './import-test-runners.ts';
import { ImportWorker } from './import-worker.ts';

// The import's front door: the file streamed to storage through the limit and the upload check
// (the pipeline's `ImportFileCheck`, which has its own tests), the row queued (202), the refusals
// (400, 413, 415, 403, 404) leaving nothing behind, and the reads.

const goodFile = JSON.stringify({
  export_info: { name: 'x' },
  label_map: {},
  '11': { file: { id: 11, type: 'image' }, instance_list: [] },
  '12': { file: { id: 12, type: 'image' }, instance_list: [] },
});

const json = { 'content-type': 'application/json' };

describe.each(testDialects)('import routes on %s', (dialect) => {
  let env: AccountsTestEnv;
  let team: AlphaTeam;
  let outsider: TestAccount;
  let dataDir: string;
  let uploads: LocalImportUploads;
  const events = new ImportEvents();

  beforeAll(async () => {
    dataDir = createTestDataDir();
    uploads = LocalImportUploads.forDataDir(dataDir);
    env = await createAccountsTestEnv(dialect, {
      dataDir,
      env: { IMPORT_MAX_BYTES: '4096', IMPORT_MAX_PACKET_BYTES: '1024' },
      deps: { importUploads: uploads, importEvents: events },
    });
    team = await addAlphaTeam(env);
    outsider = await addTestAccount(env.database.db);
  });
  afterAll(async () => {
    await env.close();
  });
  afterEach(async () => {
    // Every refusal leaves nothing: no upload, whole or partial.
    expect(await storedFiles()).toEqual([]);
  });

  /** The files under DATA_DIR/imports (temporary ones included), with the rows' uploads left out. */
  async function storedFiles(): Promise<string[]> {
    const rows = await env.database.db.selectFrom('import_job').select('upload_key').execute();
    const named = new Set(rows.map((row) => row.upload_key));
    return (await uploads.list())
      .filter((listing) => listing.temporary || !named.has(listing.name))
      .map((listing) => listing.name);
  }

  async function rowCount(): Promise<number> {
    const rows = await env.database.db.selectFrom('import_job').select('id').execute();
    return rows.length;
  }

  function upload(query: string, payload: string | Readable, headers: Record<string, string>) {
    return env.app.inject({
      method: 'POST',
      url: `/api/v1/projects/alpha/imports?${query}`,
      headers,
      payload,
    });
  }

  it('streams the file to storage, queues its import and answers 202 with it', async () => {
    const told: number[] = [];
    const listener = (id: number) => told.push(id);
    events.on('queued', listener);
    // In small chunks, as a network delivers it.
    const chunks = goodFile.match(/.{1,16}/gs) ?? [];
    const response = await upload(
      'directory=Incoming&on_error=skip&filename=export%201.json',
      Readable.from(chunks.map((chunk) => Buffer.from(chunk))),
      { ...json, ...team.alphaEditor.headers },
    ).finally(() => events.off('queued', listener));

    expect(response.statusCode).toBe(202);
    const { import: created } = importResponseSchema.parse(response.json());
    expect(created).toMatchObject({
      project_string_id: 'alpha',
      directory: null,
      directory_name: 'Incoming',
      on_error: 'skip',
      status: 'queued',
      stage: null,
      percent_complete: 0,
      original_filename: 'export 1.json',
      size_bytes: Buffer.byteLength(goodFile),
      files_created: 0,
      errors: [],
      created_by: 'eddie@example.com',
      started_time: null,
    });
    expect(told).toEqual([created.id]);

    const row = await env.database.db
      .selectFrom('import_job')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.created_by_user_id).toBe(team.alphaEditor.userId);
    expect(row.upload_key).not.toBeNull();
    expect(fs.readFileSync(uploads.pathOf(row.upload_key ?? ''), 'utf8')).toBe(goodFile);

    const [event] = await auditEventsOf(env.database.db, 'import_started', `import ${created.id}`);
    expect(event).toMatchObject({
      actor_email: 'eddie@example.com',
      project_id: env.alpha,
      details: { directory: 'Incoming', size_bytes: created.size_bytes, filename: 'export 1.json' },
    });
  });

  it('takes on_error=fail when not given, and a charset=utf-8 label', async () => {
    const response = await upload('directory=Other', goodFile, {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(response.statusCode).toBe(202);
    expect(importResponseSchema.parse(response.json()).import).toMatchObject({
      on_error: 'fail',
      original_filename: null,
      created_by: 'admin@annex.local',
    });
  });

  it('refuses a file the check refuses with its message, and keeps no part of it', async () => {
    const before = await rowCount();
    const notJson = await upload('directory=Incoming', 'name,x\nimage,1\n', json);
    expect(notJson.statusCode).toBe(400);
    expect(errorOf(notJson).code).toBe('invalid_import_file');
    expect(errorOf(notJson).message).toMatch(
      /^The file is not valid JSON: unexpected "a" at byte 1/,
    );

    // Refused in its middle, after chunks already went to storage.
    const middle = Readable.from(
      [goodFile.slice(0, -1), ', "13": "refuse me" }'].map((text) => Buffer.from(text)),
    );
    const refused = await upload('directory=Incoming', middle, json);
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).message).toMatch(/packet 13 \(at byte \d+\) is a string/);
    expect(refused.headers.connection).toBe('close');

    const cut = await upload('directory=Incoming', goodFile.slice(0, 40), json);
    expect(errorOf(cut).message).toMatch(/ends in the middle of a JSON value.*cut short/);
    expect(await rowCount()).toBe(before);
  });

  it('refuses a packet over IMPORT_MAX_PACKET_BYTES with 400, naming the packet and the limit', async () => {
    const names = Array.from({ length: 60 }, (_, index) => `"n${index}":"${'x'.repeat(20)}"`);
    const big = `"13":{"file":{"id":13,"type":"image"},"extra":{${names.join(',')}}}`;
    const response = await upload('directory=Incoming', `${goodFile.slice(0, -1)},${big}}`, json);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toEqual({
      code: 'invalid_import_file',
      message:
        'packet 13 is over 1 KiB, the most a packet may be; split the file or raise IMPORT_MAX_PACKET_BYTES.',
    });
  });

  it('refuses an empty body as no file', async () => {
    const response = await upload('directory=Incoming', Readable.from([]), json);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: 'invalid_import_file' });
    expect(errorOf(response).message).toMatch(/The file is empty/);
  });

  it('refuses a file over IMPORT_MAX_BYTES with 413: by its declared length before reading, or once it passes the limit', async () => {
    const before = await rowCount();
    // Diffgram JSON all the way, so only its size is refused.
    const big = JSON.stringify({
      label_map: {},
      ...Object.fromEntries(
        Array.from({ length: 300 }, (_, index) => [String(index + 1), { file: { id: index + 1 } }]),
      ),
    });
    expect(big.length).toBeGreaterThan(4096);
    const declared = await upload('directory=Incoming', big, json);
    expect(declared.statusCode).toBe(413);
    expect(errorOf(declared)).toMatchObject({
      code: 'payload_too_large',
      details: { max_bytes: 4096 },
    });
    expect(errorOf(declared).message).toMatch(/4 KiB, IMPORT_MAX_BYTES/);

    // Chunked: no length is declared, so the limit stops it on the way.
    const streamed = await upload(
      'directory=Incoming',
      Readable.from((big.match(/.{1,500}/gs) ?? []).map((chunk) => Buffer.from(chunk))),
      json,
    );
    expect(streamed.statusCode).toBe(413);
    expect(errorOf(streamed).code).toBe('payload_too_large');
    expect(await rowCount()).toBe(before);
  });

  it('refuses a body that is not JSON with 415 saying how to send the file', async () => {
    const csv = await upload('directory=Incoming', 'a,b', { 'content-type': 'text/csv' });
    expect(csv.statusCode).toBe(415);
    expect(errorOf(csv).message).toMatch(/labelled text\/csv.*content-type application\/json/);
    const latin = await upload('directory=Incoming', goodFile, {
      'content-type': 'application/json; charset=latin1',
    });
    expect(latin.statusCode).toBe(415);
    expect(errorOf(latin).message).toMatch(/charset=latin1; annex reads UTF-8 only/);
    const none = await env.app.inject({
      method: 'POST',
      url: '/api/v1/projects/alpha/imports?directory=Incoming',
    });
    expect(none.statusCode).toBe(415);
    expect(errorOf(none).message).toMatch(/has no body.*--data-binary/);
  });

  it('names the bad query field: a missing directory, an unknown on_error', async () => {
    const missing = await upload('', goodFile, json);
    expect(missing.statusCode).toBe(400);
    expect(errorOf(missing).message).toMatch(/query\.directory/);
    const mode = await upload('directory=Incoming&on_error=ignore', goodFile, json);
    expect(mode.statusCode).toBe(400);
    expect(errorOf(mode).message).toMatch(/query\.on_error/);
  });

  it('lets a viewer read imports but not upload (403), and tells a non-member the project is not there (404)', async () => {
    const before = await rowCount();
    const viewer = await upload('directory=Incoming', goodFile, {
      ...json,
      ...team.alphaViewer.headers,
    });
    expect(viewer.statusCode).toBe(403);
    expect(errorOf(viewer).code).toBe('forbidden');
    const stranger = await upload('directory=Incoming', goodFile, { ...json, ...outsider.headers });
    expect(stranger.statusCode).toBe(404);
    // Neither body was read: the connection closes rather than the server reading it to the end.
    expect([viewer.headers.connection, stranger.headers.connection]).toEqual(['close', 'close']);
    expect(await rowCount()).toBe(before);

    const list = await env.app.inject({
      url: '/api/v1/projects/alpha/imports',
      headers: team.alphaViewer.headers,
    });
    expect(list.statusCode).toBe(200);
    const strangerList = await env.app.inject({
      url: '/api/v1/projects/alpha/imports',
      headers: outsider.headers,
    });
    expect(strangerList.statusCode).toBe(404);
  });

  it('lists imports newest first in pages, and reads one; another project’s import is a 404', async () => {
    const ids: number[] = [];
    for (const name of ['A', 'B', 'C']) {
      const response = await upload(`directory=${name}`, goodFile, json);
      ids.push(importResponseSchema.parse(response.json()).import.id);
    }
    const first = importListResponseSchema.parse(
      (await env.app.inject({ url: '/api/v1/projects/alpha/imports?limit=2' })).json(),
    );
    expect(first.imports.map((row) => row.directory_name)).toEqual(['C', 'B']);
    expect(first.next_cursor).toBe(String(ids[1]));
    const second = importListResponseSchema.parse(
      (
        await env.app.inject({
          url: `/api/v1/projects/alpha/imports?limit=2&cursor=${first.next_cursor}`,
        })
      ).json(),
    );
    expect(second.imports[0]?.directory_name).toBe('A');

    const one = await env.app.inject({
      url: `/api/v1/projects/alpha/imports/${ids[0]}`,
      headers: team.alphaViewer.headers,
    });
    expect(one.statusCode).toBe(200);
    expect(importResponseSchema.parse(one.json()).import).toMatchObject({
      id: ids[0],
      directory_name: 'A',
    });
    const elsewhere = await env.app.inject({ url: `/api/v1/projects/beta/imports/${ids[0]}` });
    expect(elsewhere.statusCode).toBe(404);
    expect(errorOf(elsewhere).message).toMatch(/Import \d+ in project "beta" was not found/);
    const betaList = importListResponseSchema.parse(
      (await env.app.inject({ url: '/api/v1/projects/beta/imports' })).json(),
    );
    expect(betaList.imports).toEqual([]);
  });

  it('shows an import the worker ran through GET: complete, its directory, its counts', async () => {
    const response = await upload('directory=Worked', goodFile, json);
    const { id } = importResponseSchema.parse(response.json()).import;
    const worker = new ImportWorker({
      database: env.database,
      config: loadConfig({ DATA_DIR: dataDir, DATABASE_URL: env.database.url }),
      workerId: 'route-test-worker',
      run: directoryRunner,
      uploads,
      events,
      logger: new RecordingLogger(),
    });
    worker.start();
    try {
      let record = importResponseSchema.parse(
        (await env.app.inject({ url: `/api/v1/projects/alpha/imports/${id}` })).json(),
      ).import;
      while (record.status !== 'complete' && record.status !== 'failed') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        record = importResponseSchema.parse(
          (await env.app.inject({ url: `/api/v1/projects/alpha/imports/${id}` })).json(),
        ).import;
      }
      const directory = await env.database.db
        .selectFrom('directory')
        .select('id')
        .where('nickname', '=', 'Worked')
        .executeTakeFirstOrThrow();
      expect(record).toMatchObject({
        status: 'complete',
        stage: null,
        percent_complete: 100,
        directory: { id: directory.id, name: 'Worked' },
        packet_count: 2,
        files_created: 2,
        errors: [],
      });
      expect(record.started_time).not.toBeNull();
      expect(record.finished_time).not.toBeNull();
    } finally {
      await worker.stop();
    }
  });

  it('keeps the app’s own 1 MiB JSON parser on other routes', async () => {
    const response = await env.app.inject({
      method: 'POST',
      url: '/api/v1/projects/alpha/exports',
      headers: json,
      payload: `{"pad":"${'x'.repeat(1_100_000)}"}`,
    });
    expect(response.statusCode).toBe(413);
  });

  it('leaves nothing behind when the client hangs up mid-upload: no row, no file', async () => {
    const before = await rowCount();
    const port = await listen(env);
    const request = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/projects/alpha/imports?directory=Gone',
      headers: { ...json, ...team.alphaEditor.headers, 'transfer-encoding': 'chunked' },
    });
    request.on('error', () => undefined);
    request.write(goodFile.slice(0, 30));
    // The part sent is on the server's disk…
    await until(async () => (await uploads.list()).some((listing) => listing.temporary));
    request.destroy();
    // …and gone once the server sees the connection close.
    await until(async () => (await uploads.list()).every((listing) => !listing.temporary));
    expect(await rowCount()).toBe(before);
    expect(fs.readdirSync(path.join(dataDir, 'imports', 'tmp'))).toEqual([]);
  });
});

/** Serves the test app on a free local port (once) and returns it. */
async function listen(env: AccountsTestEnv): Promise<number> {
  const server = env.anonymousApp.server;
  if (!server.listening) await env.anonymousApp.listen({ host: '127.0.0.1', port: 0 });
  return (server.address() as AddressInfo).port;
}

/** Waits until `condition` holds, checking every 10 ms; the test's own timeout bounds it. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}
