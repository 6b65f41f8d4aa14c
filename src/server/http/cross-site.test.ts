import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Export } from '../../contract/exports.ts';
import { sessionCookieName } from '../auth/authenticate.ts';
import { SessionStore } from '../auth/session-store.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { seedDemoProject } from '../seed/demo-project.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import { errorOf } from '../test-utils/api-responses.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import type { TestAccount } from '../test-utils/test-accounts.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';

// A page on another site must not create or archive an export with a signed-in admin's cookie.
// The rule reads headers only, the same on both engines: SQLite.

const exportsUrl = '/api/v1/projects/demo/exports';
// Stands for the public sign-in and sign-up routes (another module's): public, no cookie yet.
const publicAuthUrl = '/api/v1/auth/cross-site-probe';

describe('the cross-site check', () => {
  let database: TestDatabase;
  let demo: DemoProjectSummary;
  let test: TestApp;
  let admin: TestAccount;
  let cookie: string;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    demo = await seedDemoProject(database);
    test = await createTestApp(database, {
      env: { PUBLIC_URL: 'https://annex.example.com', CORS_ORIGINS: 'https://dash.example.com' },
    });
    test.anonymousApp.post(publicAuthUrl, { config: { public: true } }, () => ({ ok: true }));
    admin = await addTestAccount(database.db, { instanceAdmin: true });
    const sessions = new SessionStore(database.db, { idleMinutes: 60, absoluteHours: 1 });
    const { token } = await sessions.create(admin.userId, { ip: null, userAgent: null });
    cookie = `${sessionCookieName}=${token}`;
  });
  afterAll(async () => {
    await test.close();
    await database.drop();
  });

  const body = () => ({ source: 'directory', directory_id: demo.defaultDirectoryId });

  async function createWithCookie(headers: Record<string, string>) {
    return test.app.inject({
      method: 'POST',
      url: exportsUrl,
      payload: body(),
      headers: { cookie, ...headers },
    });
  }

  it('refuses a cookie-authenticated POST from another site, or one naming no origin', async () => {
    const refused: Record<string, string>[] = [
      { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.annex.example.com', 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      { origin: 'http://localhost:8080' }, // another port is another origin
      { 'sec-fetch-site': 'cross-site' },
      {},
    ];
    for (const headers of refused) {
      const response = await createWithCookie(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(errorOf(response).code).toBe('forbidden');
      expect(errorOf(response).message).toMatch(/cross-site request was refused/);
    }
  });

  it("accepts it from the panel's own origin, PUBLIC_URL's or a CORS origin", async () => {
    const accepted: Record<string, string>[] = [
      { 'sec-fetch-site': 'same-origin', origin: 'http://localhost' },
      { 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
      { origin: 'http://localhost' }, // inject's Host is localhost:80
      { origin: 'https://annex.example.com', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://dash.example.com', 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of accepted) {
      const response = await createWithCookie(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(202);
      expect(response.json<Export>().created_by).toBe(admin.email);
    }
  });

  it('refuses a cross-site DELETE by cookie and accepts the same-origin one', async () => {
    const created = (await createWithCookie({ 'sec-fetch-site': 'same-origin' })).json<Export>();
    const url = `${exportsUrl}/${created.id}`;
    const crossSite = await test.app.inject({
      method: 'DELETE',
      url,
      headers: { cookie, origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.statusCode).toBe(403);
    const sameOrigin = await test.app.inject({
      method: 'DELETE',
      url,
      headers: { cookie, origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.statusCode).toBe(204);
  });

  it('leaves safe methods and API keys alone', async () => {
    const read = await test.app.inject({
      url: exportsUrl,
      headers: { cookie, origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(read.statusCode).toBe(200);
    const byKey = await test.app.inject({
      method: 'POST',
      url: exportsUrl,
      payload: body(),
      headers: { ...admin.headers, origin: 'https://attacker.example' },
    });
    expect(byKey.statusCode).toBe(202);
  });

  it('checks public auth routes too (login CSRF), but lets a script without origin headers through', async () => {
    const crossSite = await test.anonymousApp.inject({
      method: 'POST',
      url: publicAuthUrl,
      headers: { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.statusCode).toBe(403);
    const script = await test.anonymousApp.inject({ method: 'POST', url: publicAuthUrl });
    expect(script.statusCode).toBe(200);
    const panel = await test.anonymousApp.inject({
      method: 'POST',
      url: publicAuthUrl,
      headers: { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
    });
    expect(panel.statusCode).toBe(200);
  });

  it('refuses text/plain and form bodies to create an export with 415 (what a plain HTML form sends)', async () => {
    for (const [contentType, payload] of [
      ['text/plain', JSON.stringify(body())],
      [
        'application/x-www-form-urlencoded',
        `source=directory&directory_id=${demo.defaultDirectoryId}`,
      ],
      ['multipart/form-data; boundary=x', '--x--'],
    ] as const) {
      const response = await test.app.inject({
        method: 'POST',
        url: exportsUrl,
        payload,
        headers: { 'content-type': contentType },
      });
      expect(response.statusCode, contentType).toBe(415);
      expect(errorOf(response).code).toBe('bad_request');
    }
  });
});
