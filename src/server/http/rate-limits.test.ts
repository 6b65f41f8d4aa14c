import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPasswordAccount, signIn } from '../auth/auth-test-fixtures.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { createExportTestEnv, defaultDirectoryExport } from '../exports/export-test-harness.ts';
import type { ExportTestEnv } from '../exports/export-test-harness.ts';
import { errorOf } from '../test-utils/api-responses.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import { retryAfterWords } from './rate-limits.ts';

describe('retryAfterWords', () => {
  it('says seconds under a minute and whole minutes, rounded up, above', () => {
    expect(retryAfterWords(1)).toBe('1 second');
    expect(retryAfterWords(40)).toBe('40 seconds');
    expect(retryAfterWords(60)).toBe('1 minute');
    expect(retryAfterWords(61)).toBe('2 minutes');
    expect(retryAfterWords(900)).toBe('15 minutes');
  });
});

// A 429 in the envelope, with a Retry-After no longer than the window and a message saying when.
function expectRateLimited(response: LightMyRequestResponse, windowSeconds: number): number {
  expect(response.statusCode).toBe(429);
  const error = errorOf(response);
  expect(error.code).toBe('rate_limited');
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(error.message).toContain(`Try again in ${retryAfterWords(retryAfter)}.`);
  expect(error.details).toMatchObject({ retry_after_seconds: retryAfter });
  return retryAfter;
}

describe.each(testDialects)('sign-in rate limits on %s', (dialect) => {
  let database: TestDatabase;
  let built: TestApp;
  let app: FastifyInstance;
  let addressCounter = 0;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    built = await createTestApp(database, {
      env: {
        SIGN_IN_LIMIT_PER_ACCOUNT: '3',
        SIGN_IN_LIMIT_PER_ADDRESS: '5',
        SIGN_IN_LIMIT_WINDOW_MINUTES: '15',
      },
    });
    app = built.anonymousApp;
    // A route limited through @fastify/rate-limit's own route config, as a later route may be.
    app.get(
      '/api/v1/rate-limit-probe',
      { config: { public: true, rateLimit: { max: 1, timeWindow: 60_000 } } },
      () => ({ ok: true }),
    );
  });
  afterAll(async () => {
    await built.close();
    await database.drop();
  });

  it('answers a route limited by its own config in the envelope too', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/rate-limit-probe' })).statusCode).toBe(
      200,
    );
    const refused = await app.inject({ method: 'GET', url: '/api/v1/rate-limit-probe' });
    expectRateLimited(refused, 60);
    expect(errorOf(refused).details).toMatchObject({ limit: 'route' });
  });

  // Each test signs in from addresses of its own, so the per-address counter is only what it sets.
  function freshAddress(): string {
    addressCounter += 1;
    return `10.${dialect === 'sqlite' ? 1 : 2}.${Math.floor(addressCounter / 250)}.${addressCounter % 250}`;
  }

  it('stops guessing one account after SIGN_IN_LIMIT_PER_ACCOUNT attempts, from any address', async () => {
    const target = await addPasswordAccount(database.db);
    const bystander = await addPasswordAccount(database.db);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const { response } = await signIn(app, target.email, 'a-wrong-guess', {
        remoteAddress: freshAddress(),
      });
      expect(response.statusCode).toBe(401);
    }

    // Even the right password, from an address never seen, waits: the account is what is guarded.
    const { response, token } = await signIn(app, target.email.toUpperCase(), target.password, {
      remoteAddress: freshAddress(),
    });
    expectRateLimited(response, 15 * 60);
    expect(errorOf(response).message).toMatch(/^Too many sign-in attempts for this account\./);
    expect(errorOf(response).details).toMatchObject({ limit: 'sign_in_account' });
    expect(token).toBeUndefined();

    // Another account is not held up by it.
    const other = await signIn(app, bystander.email, bystander.password, {
      remoteAddress: freshAddress(),
    });
    expect(other.response.statusCode).toBe(200);
  });

  it('stops one address after SIGN_IN_LIMIT_PER_ADDRESS attempts, whatever the emails', async () => {
    const address = freshAddress();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const { response } = await signIn(app, `sprayed-${attempt}@example.com`, 'a-wrong-guess', {
        remoteAddress: address,
      });
      expect(response.statusCode).toBe(401);
    }
    const account = await addPasswordAccount(database.db);
    const blocked = await signIn(app, account.email, account.password, { remoteAddress: address });
    expectRateLimited(blocked.response, 15 * 60);
    expect(errorOf(blocked.response).message).toMatch(
      /^Too many sign-in attempts from this address\./,
    );
    expect(errorOf(blocked.response).details).toMatchObject({ limit: 'sign_in_address' });

    // The address is what is held up: the same account signs in from elsewhere.
    const elsewhere = await signIn(app, account.email, account.password, {
      remoteAddress: freshAddress(),
    });
    expect(elsewhere.response.statusCode).toBe(200);
  });

  it('does not count a malformed sign-in (it tries no password)', async () => {
    const address = freshAddress();
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: 'not-an-email', password: 'x' },
        remoteAddress: address,
      });
      expect(response.statusCode).toBe(400);
    }
    const account = await addPasswordAccount(database.db);
    const { response } = await signIn(app, account.email, account.password, {
      remoteAddress: address,
    });
    expect(response.statusCode).toBe(200);
  });
});

describe.each(testDialects)('export creation rate limit on %s', (dialect) => {
  let env: ExportTestEnv;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect, { EXPORTS_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await env.close();
  });

  async function createExport(headers: Record<string, string> = {}) {
    return env.app.inject({
      method: 'POST',
      url: '/api/v1/projects/demo/exports',
      payload: defaultDirectoryExport(env),
      headers,
    });
  }

  it('answers 429 past EXPORTS_PER_MINUTE for one user, and not for another', async () => {
    expect((await createExport()).statusCode).toBe(202);
    expect((await createExport()).statusCode).toBe(202);
    const refused = await createExport();
    expectRateLimited(refused, 60);
    expect(errorOf(refused).message).toContain('at most 2 a minute');
    expect(errorOf(refused).details).toMatchObject({ limit: 'exports' });

    const editor = await addTestAccount(env.database.db, {
      projects: { [env.demo.projectId]: 'editor' },
    });
    expect((await createExport(editor.headers)).statusCode).toBe(202);
  });

  it('does not count a project the user may not see (404 first)', async () => {
    const outsider = await addTestAccount(env.database.db);
    for (let attempt = 0; attempt < 4; attempt += 1)
      expect((await createExport(outsider.headers)).statusCode).toBe(404);
    await env.database.db
      .insertInto('project_member')
      .values({
        project_id: env.demo.projectId,
        user_id: outsider.userId,
        role: 'editor',
        added_time: new Date().toISOString(),
      })
      .execute();
    expect((await createExport(outsider.headers)).statusCode).toBe(202);
  });
});
