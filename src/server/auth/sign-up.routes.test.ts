import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meResponseSchema, signUpInfoSchema } from '../../contract/auth.ts';
import { testDialects } from '../db/test-database.ts';
import { createAccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import type { AccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import {
  addPasswordAccount,
  addSignUpLink,
  sessionCookieOf,
  signIn,
  withSession,
} from './auth-test-fixtures.ts';

describe.each(testDialects)('the sign-up routes on %s', (dialect) => {
  let env: AccountsTestEnv;

  beforeAll(async () => {
    env = await createAccountsTestEnv(dialect);
  });
  afterAll(async () => {
    await env.close();
  });

  async function invitedUser() {
    // A user an instance admin added: no password until they sign up.
    return addTestAccount(env.database.db);
  }

  async function info(token: string) {
    return env.anonymousApp.inject({ method: 'GET', url: `/api/v1/auth/sign-up/${token}` });
  }

  async function signUp(payload: object, headers: Record<string, string> = {}) {
    return env.anonymousApp.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      payload,
      headers,
    });
  }

  describe('GET /api/v1/auth/sign-up/:token', () => {
    it('says whose link it is and until when, without credentials', async () => {
      const user = await invitedUser();
      const link = await addSignUpLink(env.database.db, user.userId);
      const response = await info(link.token);

      expect(response.statusCode).toBe(200);
      expect(signUpInfoSchema.parse(response.json())).toEqual({
        email: user.email,
        expires_at: link.expiresAt,
      });
    });

    it('answers an unknown, a used and an expired link with 404s that say which', async () => {
      const user = await invitedUser();
      const used = await addSignUpLink(env.database.db, user.userId, { used: true });
      const expired = await addSignUpLink(env.database.db, user.userId, { expiresInMinutes: -1 });
      const unknown = 'x'.repeat(43);

      const answers = {
        unknown: await info(unknown),
        used: await info(used.token),
        expired: await info(expired.token),
      };
      for (const [reason, response] of Object.entries(answers)) {
        expect(response.statusCode, reason).toBe(404);
        expect(errorOf(response).code).toBe('not_found');
        expect(errorOf(response).details).toEqual({ reason });
      }
      expect(errorOf(answers.unknown).message).toMatch(/not valid/);
      expect(errorOf(answers.used).message).toMatch(/already used/);
      expect(errorOf(answers.expired).message).toMatch(/expired/);
    });

    it('refuses a malformed token with a 400 naming it', async () => {
      const response = await info('short');
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain('params.token');
    });
  });

  describe('POST /api/v1/auth/sign-up', () => {
    it('sets the password, uses up the link and signs in with a session cookie', async () => {
      const user = await invitedUser();
      const link = await addSignUpLink(env.database.db, user.userId);
      const password = 'my-first-password';
      const response = await signUp({ token: link.token, password });

      expect(response.statusCode).toBe(200);
      const me = meResponseSchema.parse(response.json());
      expect(me).toMatchObject({
        via: 'session',
        must_change_password: false,
        user: { email: user.email, status: 'active' },
      });
      const cookie = sessionCookieOf(response);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      const signedIn = await env.anonymousApp.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: withSession(cookie?.value ?? ''),
      });
      expect(signedIn.statusCode).toBe(200);
      expect((await signIn(env.anonymousApp, user.email, password)).response.statusCode).toBe(200);

      const again = await signUp({ token: link.token, password: 'someone-elses-password' });
      expect(again.statusCode).toBe(404);
      expect(errorOf(again).details).toEqual({ reason: 'used' });
      expect((await info(link.token)).statusCode).toBe(404);

      const audit = await env.database.db
        .selectFrom('audit_event')
        .select(['actor_email', 'via'])
        .where('action', '=', 'signed_up')
        .where('target', '=', user.email)
        .executeTakeFirstOrThrow();
      expect(audit).toEqual({ actor_email: user.email, via: 'session' });
    });

    it('lets exactly one of two simultaneous uses of a link through', async () => {
      const user = await invitedUser();
      const link = await addSignUpLink(env.database.db, user.userId);
      const answers = await Promise.all([
        signUp({ token: link.token, password: 'first-racer-password' }),
        signUp({ token: link.token, password: 'second-racer-password' }),
      ]);

      expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 404]);
      const winner = answers[0].statusCode === 200 ? 'first' : 'second';
      expect(
        (await signIn(env.anonymousApp, user.email, `${winner}-racer-password`)).response
          .statusCode,
      ).toBe(200);
    });

    it('refuses an expired, used or unknown link with the 404 that says which, setting nothing', async () => {
      const user = await invitedUser();
      const expired = await addSignUpLink(env.database.db, user.userId, { expiresInMinutes: -1 });
      const used = await addSignUpLink(env.database.db, user.userId, { used: true });
      const cases = [
        [expired.token, 'expired'],
        [used.token, 'used'],
        ['y'.repeat(43), 'unknown'],
      ] as const;
      for (const [token, reason] of cases) {
        const response = await signUp({ token, password: 'a-good-password' });
        expect(response.statusCode, reason).toBe(404);
        expect(errorOf(response).details).toEqual({ reason });
        expect(sessionCookieOf(response)).toBeUndefined();
      }
      const row = await env.database.db
        .selectFrom('app_user')
        .select('password_hash')
        .where('id', '=', user.userId)
        .executeTakeFirstOrThrow();
      expect(row.password_hash).toBeNull();
    });

    it('refuses the link of a disabled account', async () => {
      const user = await addTestAccount(env.database.db, { disabled: true });
      const link = await addSignUpLink(env.database.db, user.userId);
      const response = await signUp({ token: link.token, password: 'a-good-password' });
      expect(response.statusCode).toBe(404);
      expect(errorOf(response).details).toEqual({ reason: 'account_disabled' });
    });

    it('resets a forgotten password: the sessions from before the link end', async () => {
      const account = await addPasswordAccount(env.database.db);
      const before = await signIn(env.anonymousApp, account.email, account.password);
      const link = await addSignUpLink(env.database.db, account.userId);
      const response = await signUp({ token: link.token, password: 'a-remembered-password' });

      expect(response.statusCode).toBe(200);
      const old = await env.anonymousApp.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: withSession(before.token ?? ''),
      });
      expect(old.statusCode).toBe(401);
      expect(
        (await signIn(env.anonymousApp, account.email, account.password)).response.statusCode,
      ).toBe(401);
    });

    it('refuses a malformed body with a 400 naming the field', async () => {
      const token = 'z'.repeat(43);
      const cases: [object, string][] = [
        [{ password: 'a-good-password' }, 'body.token'],
        [{ token: 'bad token!', password: 'a-good-password' }, 'body.token'],
        [{ token }, 'body.password'],
        [{ token, password: 'short' }, 'body.password'],
        [{ token, password: 'p'.repeat(201) }, 'body.password'],
        [{ token, password: 'a-good-password', email: 'me@example.com' }, 'body.email'],
      ];
      for (const [payload, field] of cases) {
        const response = await signUp(payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(fieldsOf(response)).toContain(field);
      }
    });
  });
});
