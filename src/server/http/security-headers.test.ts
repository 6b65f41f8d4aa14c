import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportLink } from '../../contract/exports.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import {
  createExportTestEnv,
  defaultDirectoryExport,
  requestExport,
  watchExport,
} from '../exports/export-test-harness.ts';
import type { ExportTestEnv } from '../exports/export-test-harness.ts';
import { seedDemoProject } from '../seed/demo-project.ts';
import { pathOf } from '../test-utils/api-responses.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';

// The headers are the same on both engines (nothing here reads the database differently): SQLite.

describe('security headers on the panel and the API', () => {
  let database: TestDatabase;
  let test: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    await seedDemoProject(database);
    test = await createTestApp(database, { withPanel: true });
  });
  afterAll(async () => {
    await test.close();
    await database.drop();
  });

  it('the panel gets its CSP, nosniff, a referrer policy and no framing', async () => {
    for (const url of ['/', '/projects/demo/export']) {
      const response = await test.app.inject({ url });
      expect(response.statusCode).toBe(200);
      const csp = String(response.headers['content-security-policy']).split(';');
      expect(csp).toEqual(
        expect.arrayContaining([
          "default-src 'self'",
          "script-src 'self'",
          "style-src 'self' 'unsafe-inline'",
          "img-src 'self' data:",
          "connect-src 'self'",
          "frame-ancestors 'none'",
          "base-uri 'self'",
          "form-action 'self'",
          "object-src 'none'",
        ]),
      );
      expect(csp.join(';')).not.toMatch(/unsafe-eval|upgrade-insecure-requests/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('same-origin');
      expect(response.headers['x-frame-options']).toBe('DENY');
      // HSTS is the TLS terminator's to send.
      expect(response.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('every /api/ answer, errors included, is no-store and nosniff', async () => {
    const answers = [
      await test.app.inject({ url: '/api/v1/projects' }),
      await test.app.inject({ url: '/api/v1/projects/demo/exports?limit=0' }),
      await test.app.inject({ url: '/api/v1/projects/nope' }),
      await test.anonymousApp.inject({ url: '/api/v1/projects' }),
      await test.app.inject({ url: '/api/v1/nothing' }),
      await test.app.inject({
        method: 'POST',
        url: '/api/v1/projects/demo/exports',
        payload: 'x',
        headers: { 'content-type': 'text/plain' },
      }),
    ];
    expect(answers.map((response) => response.statusCode)).toEqual([200, 400, 404, 401, 404, 415]);
    for (const response of answers) {
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('export files and links behind PUBLIC_URL', () => {
  let env: ExportTestEnv;
  let link: ExportLink;
  beforeAll(async () => {
    env = await createExportTestEnv('sqlite', { PUBLIC_URL: 'https://example.org/annex/' });
    await env.startWorker();
    const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
    await watchExport(env.app, 'demo', created.id);
    link = (
      await env.app.inject({
        method: 'POST',
        url: `/api/v1/projects/demo/exports/${created.id}/link`,
      })
    ).json<ExportLink>();
  });
  afterAll(async () => {
    await env.close();
  });

  it('builds the link on PUBLIC_URL and its base path, not on the Host the request came in on', () => {
    expect(link.url).toMatch(/^https:\/\/example\.org\/annex\/files\/exports\/\d+\?/);
  });

  it('serves the file, inline or saved, with nosniff and a sandbox CSP, ranges still served', async () => {
    // The proxy in front strips the base path.
    const path = pathOf(link.url).replace(/^\/annex/, '');
    for (const url of [path, `${path}&download=1`]) {
      const response = await env.app.inject({ url, headers: { host: 'example.org' } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toBe('sandbox');
      expect(response.headers.etag).toBeDefined();
    }
    const partial = await env.app.inject({ url: path, headers: { range: 'bytes=0-9' } });
    expect(partial.statusCode).toBe(206);
    expect(partial.headers['content-security-policy']).toBe('sandbox');
    expect(partial.body).toHaveLength(10);
  });
});
