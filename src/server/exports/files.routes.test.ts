import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFileSchema } from '../../contract/export-file.ts';
import type { ExportLink, ExportListResponse, PreflightResponse } from '../../contract/exports.ts';
import { testDialects } from '../db/test-database.ts';
import { errorOf, pathOf } from '../test-utils/api-responses.ts';
import {
  createExportTestEnvWithWorker,
  exportFilePathOf,
  exportRowOf,
  requestExport,
  watchExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// The signed download route, end to end: a worker builds the file, `POST …/link` signs it, and
// `GET /files/exports/:id` serves it (headers, ranges, validators), refuses bad links, and stops
// serving it once the export is archived.

const api = '/api/v1/projects';

describe.each(testDialects)('export downloads on %s', (dialect) => {
  let env: ExportTestEnv;
  let luckfrill: number;

  beforeAll(async () => {
    env = await createExportTestEnvWithWorker(dialect);
    luckfrill = env.demo.defaultDirectoryId;
  });
  afterAll(async () => {
    await env.close();
  });

  /** A complete export of Luckfrill, its link and its file's bytes. */
  async function completeExport(
    body: Record<string, unknown> = { source: 'directory', directory_id: luckfrill },
  ) {
    const created = await requestExport(env.app, 'demo', body);
    const final = (await watchExport(env.app, 'demo', created.id)).at(-1);
    if (final?.status !== 'complete')
      throw new Error(`export ${created.id} ended ${JSON.stringify(final)}`);
    const linkResponse = await env.app.inject({
      method: 'POST',
      url: `${api}/demo/exports/${created.id}/link`,
    });
    expect(linkResponse.statusCode).toBe(200);
    const link = linkResponse.json<ExportLink>();
    const download = await env.app.inject({ method: 'GET', url: pathOf(link.url) });
    return { record: final, link, download };
  }

  it('builds the file a link downloads: the check value matches the preflight and the file itself', async () => {
    const preflight = (
      await env.app.inject({
        method: 'GET',
        url: `${api}/demo/exports/preflight?source=directory&directory_id=${luckfrill}`,
      })
    ).json<PreflightResponse>();
    const { record, link, download } = await completeExport();

    expect(record.file_list_length).toBe(preflight.file_count);
    expect(record.instance_count).toBe(preflight.instance_count);
    expect(record.percent_complete).toBe(100);
    expect(record.file_name).toMatch(
      new RegExp(`^${record.id}_diffgram_annotations__source_directory_Luckfrill_datetime_`),
    );
    expect(link.url).toMatch(
      new RegExp(`^http://localhost(:80)?/files/exports/${record.id}\\?expires=\\d+&signature=`),
    );
    expect(Date.parse(link.expires_at) - Date.now()).toBeGreaterThan(
      (env.config.LINK_TTL_MINUTES - 1) * 60_000,
    );
    expect(link.export.id).toBe(record.id);

    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(download.headers['content-disposition']).toBe(
      `inline; filename="${record.file_name ?? ''}"; filename*=UTF-8''${record.file_name ?? ''}`,
    );
    expect(download.headers['content-length']).toBe(String(record.size_bytes));
    expect(download.headers['accept-ranges']).toBe('bytes');
    expect(download.headers.etag).toBe(`"${record.sha256 ?? ''}"`);
    expect(createHash('sha256').update(download.rawPayload).digest('hex')).toBe(record.sha256);
    const file = exportFileSchema.parse(download.json());
    expect(file.export_info.file_list_length).toBe(preflight.file_count);
    expect(file.export_info.id).toBe(record.id);
  });

  it('makes ?download=1 an attachment', async () => {
    const { link, record } = await completeExport();
    const response = await env.app.inject({
      method: 'GET',
      url: `${pathOf(link.url)}&download=1`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="${record.file_name ?? ''}"`),
    );
  });

  it('serves one byte range (206), a suffix range, and 416 for a range past the end', async () => {
    const { link, download } = await completeExport();
    const url = pathOf(link.url);
    const whole = download.rawPayload;

    const head = await env.app.inject({ method: 'GET', url, headers: { range: 'bytes=0-9' } });
    expect(head.statusCode).toBe(206);
    expect(head.headers['content-range']).toBe(`bytes 0-9/${whole.length}`);
    expect(head.headers['content-length']).toBe('10');
    expect(head.rawPayload.equals(whole.subarray(0, 10))).toBe(true);

    const middle = await env.app.inject({ method: 'GET', url, headers: { range: 'bytes=100-' } });
    expect(middle.statusCode).toBe(206);
    expect(middle.rawPayload.equals(whole.subarray(100))).toBe(true);

    const tail = await env.app.inject({ method: 'GET', url, headers: { range: 'bytes=-20' } });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(whole.subarray(whole.length - 20))).toBe(true);

    const past = await env.app.inject({
      method: 'GET',
      url,
      headers: { range: `bytes=${whole.length}-` },
    });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${whole.length}`);
    expect(past.headers['content-disposition']).toBeUndefined();
    expect(errorOf(past).code).toBe('range_not_satisfiable');

    const stale = await env.app.inject({
      method: 'GET',
      url,
      headers: { range: 'bytes=0-9', 'if-range': '"another"' },
    });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.length).toBe(whole.length);
  });

  it('answers 304 to a matching If-None-Match and HEAD with the headers alone', async () => {
    const { link, record } = await completeExport();
    const url = pathOf(link.url);
    const cached = await env.app.inject({
      method: 'GET',
      url,
      headers: { 'if-none-match': `"${record.sha256 ?? ''}"` },
    });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    const head = await env.app.inject({ method: 'HEAD', url });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(record.size_bytes));
    expect(head.body).toBe('');
  });

  it('answers 404 with what to do when a complete export lost its file', async () => {
    const { link, record } = await completeExport();
    fs.rmSync(await exportFilePathOf(env, record.id));
    const response = await env.app.inject({ method: 'GET', url: pathOf(link.url) });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).message).toBe(
      `The file of export ${record.id} is missing from the server's storage. Generate the export again.`,
    );
  });

  it('answers 403 for a tampered, foreign or incomplete link and 403 link_expired for an old one', async () => {
    const { link, record } = await completeExport();
    const url = new URL(link.url);
    const signature = url.searchParams.get('signature') ?? '';
    const expires = url.searchParams.get('expires') ?? '';

    const tampered = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const cases = [
      `/files/exports/${record.id}?expires=${expires}&signature=${tampered}`,
      `/files/exports/${record.id}?expires=${String(Number(expires) + 86_400)}&signature=${signature}`,
      `/files/exports/${record.id + 1}?expires=${expires}&signature=${signature}`,
      `/files/exports/${record.id}?expires=${expires}`,
      `/files/exports/${record.id}`,
    ];
    for (const bad of cases) {
      const response = await env.app.inject({ method: 'GET', url: bad });
      expect(response.statusCode, bad).toBe(403);
      expect(errorOf(response).code).toBe('forbidden');
      expect(errorOf(response).message).toMatch(/^This download link is invalid/);
    }

    const old = env.linkSigner.signUntil(record.id, Math.floor(Date.now() / 1000) - 60);
    const expired = await env.app.inject({ method: 'GET', url: old.path });
    expect(expired.statusCode).toBe(403);
    expect(errorOf(expired)).toMatchObject({
      code: 'link_expired',
      message: `This download link expired at ${old.expiresAt.toISOString()}; ask for a new one.`,
    });
  });

  it('never reaches a path on disk through the download route', async () => {
    const attempts = [
      '/files/exports/..%2F..%2Fannex.db',
      '/files/exports/../link-secret',
      '/files/exports/%2e%2e/%2e%2e/etc/passwd',
    ];
    for (const attempt of attempts) {
      const response = await env.app.inject({ method: 'GET', url: attempt });
      expect([400, 403, 404], attempt).toContain(response.statusCode);
      expect(response.body).not.toContain(testSecretFragment(env));
    }
  });

  it('archives a complete export: gone from the list, its file deleted, its link dead', async () => {
    const { link, record } = await completeExport();
    const filePath = await exportFilePathOf(env, record.id);
    expect(fs.existsSync(filePath)).toBe(true);

    const response = await env.app.inject({
      method: 'DELETE',
      url: `${api}/demo/exports/${record.id}`,
    });
    expect(response.statusCode).toBe(204);

    expect(fs.existsSync(filePath)).toBe(false);
    const list = (
      await env.app.inject({ method: 'GET', url: `${api}/demo/exports?limit=100` })
    ).json<ExportListResponse>();
    expect(list.exports.map((item) => item.id)).not.toContain(record.id);
    expect(
      (await env.app.inject({ method: 'GET', url: `${api}/demo/exports/${record.id}` })).statusCode,
    ).toBe(404);
    expect((await env.app.inject({ method: 'GET', url: pathOf(link.url) })).statusCode).toBe(404);
    expect(await exportRowOf(env, record.id)).toMatchObject({ archived: 1, status: 'complete' });
  });
});

/** A piece of the link secret: no response may ever carry it. */
function testSecretFragment(env: ExportTestEnv): string {
  return env.config.LINK_SECRET?.slice(0, 16) ?? 'unset';
}
