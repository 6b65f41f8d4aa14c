import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import type { AccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import { addPasswordAccount, sessionCookieOf, signIn } from './auth-test-fixtures.ts';

// The session cookie is Secure over HTTPS. Behind a reverse proxy that ends TLS, annex hears plain
// HTTP and learns the scheme from X-Forwarded-Proto, which it believes only with TRUST_PROXY: the
// whole app (config → Fastify's trustProxy → request.protocol → the cookie) is checked here.

describe('the session cookie behind a proxy', () => {
  let trusting: AccountsTestEnv;
  let untrusting: AccountsTestEnv;

  beforeAll(async () => {
    trusting = await createAccountsTestEnv('sqlite', { env: { TRUST_PROXY: 'true' } });
    untrusting = await createAccountsTestEnv('sqlite');
  });
  afterAll(async () => {
    await trusting.close();
    await untrusting.close();
  });

  it('is Secure when a trusted proxy says the request came over HTTPS', async () => {
    const account = await addPasswordAccount(trusting.database.db);
    const overHttps = await signIn(trusting.anonymousApp, account.email, account.password, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(overHttps.response.statusCode).toBe(200);
    expect(sessionCookieOf(overHttps.response)?.secure).toBe(true);

    const overHttp = await signIn(trusting.anonymousApp, account.email, account.password);
    expect(sessionCookieOf(overHttp.response)?.secure).toBeUndefined();
  });

  it('is not Secure on the word of a proxy annex was not told to trust', async () => {
    const account = await addPasswordAccount(untrusting.database.db);
    const claimed = await signIn(untrusting.anonymousApp, account.email, account.password, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(claimed.response.statusCode).toBe(200);
    expect(sessionCookieOf(claimed.response)?.secure).toBeUndefined();
  });
});
