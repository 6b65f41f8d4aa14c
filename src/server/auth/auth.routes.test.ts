import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meResponseSchema } from '../../contract/auth.ts';
import { testDialects } from '../db/test-database.ts';
import { createAccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import type { AccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { wrongCredentialsMessage } from './account-service.ts';
import { addPasswordAccount, sessionCookieOf, signIn, withSession } from './auth-test-fixtures.ts';
import { initialAdminPasswordPath } from './first-admin.ts';
import { secretHash } from './secret-tokens.ts';

const idleMinutes = 30;
const absoluteHours = 8;

describe.each(testDialects)('the account routes on %s', (dialect) => {
  let env: AccountsTestEnv;

  beforeAll(async () => {
    env = await createAccountsTestEnv(dialect, {
      env: {
        SESSION_IDLE_MINUTES: String(idleMinutes),
        SESSION_ABSOLUTE_HOURS: String(absoluteHours),
      },
    });
  });
  afterAll(async () => {
    await env.close();
  });

  async function me(headers: Record<string, string>) {
    return env.anonymousApp.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
  }

  async function auditActions(email: string) {
    return env.database.db
      .selectFrom('audit_event')
      .select(['action', 'actor_email', 'via', 'details', 'target'])
      .where((where) => where.or([where('actor_email', '=', email), where('target', '=', email)]))
      .orderBy('id')
      .execute();
  }

  describe('POST /api/v1/auth/sign-in', () => {
    it('signs in with email and password: 200, who is signed in, and an HttpOnly Lax cookie', async () => {
      const account = await addPasswordAccount(env.database.db);
      const before = Date.now();
      const { response, token } = await signIn(env.anonymousApp, account.email, account.password);

      expect(response.statusCode).toBe(200);
      const body = meResponseSchema.parse(response.json());
      expect(body.user).toMatchObject({
        id: account.userId,
        email: account.email,
        is_instance_admin: false,
        status: 'active',
      });
      expect(body.via).toBe('session');
      expect(body.must_change_password).toBe(false);
      const expires = new Date(body.expires_at ?? '').getTime();
      expect(expires).toBeGreaterThanOrEqual(before + idleMinutes * 60_000 - 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + idleMinutes * 60_000 + 1000);

      const cookie = sessionCookieOf(response);
      expect(cookie).toMatchObject({
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        maxAge: absoluteHours * 3600,
      });
      expect(cookie?.secure).toBeUndefined();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const row = await env.database.db
        .selectFrom('user_session')
        .selectAll()
        .where('token_hash', '=', secretHash(token ?? ''))
        .executeTakeFirstOrThrow();
      expect(row.user_id).toBe(account.userId);

      const signedIn = await me(withSession(token ?? ''));
      expect(signedIn.statusCode).toBe(200);
      expect(meResponseSchema.parse(signedIn.json()).user.email).toBe(account.email);
      expect(await auditActions(account.email)).toContainEqual(
        expect.objectContaining({ action: 'sign_in', actor_email: account.email, via: 'session' }),
      );
    });

    it('takes the email in any case and around spaces', async () => {
      const account = await addPasswordAccount(env.database.db);
      const { response } = await signIn(
        env.anonymousApp,
        `  ${account.email.toUpperCase()} `,
        account.password,
      );
      expect(response.statusCode).toBe(200);
    });

    it('answers a wrong password, an unknown email, a disabled or passwordless account alike: 401, one message, no cookie', async () => {
      const account = await addPasswordAccount(env.database.db);
      const disabled = await addPasswordAccount(env.database.db, { disabled: true });
      const invited = await addPasswordAccount(env.database.db);
      await env.database.db
        .updateTable('app_user')
        .set({ password_hash: null })
        .where('id', '=', invited.userId)
        .execute();
      const attempts = [
        [account.email, 'not-the-password'],
        ['nobody-here@example.com', account.password],
        [disabled.email, disabled.password],
        [invited.email, invited.password],
      ] as const;
      for (const [email, password] of attempts) {
        const { response } = await signIn(env.anonymousApp, email, password);
        expect(response.statusCode, email).toBe(401);
        expect(errorOf(response)).toMatchObject({
          code: 'unauthenticated',
          message: wrongCredentialsMessage,
        });
        expect(sessionCookieOf(response)).toBeUndefined();
      }
      const failures = await env.database.db
        .selectFrom('audit_event')
        .select(['actor_email', 'actor_user_id', 'details'])
        .where('action', '=', 'sign_in_failed')
        .execute();
      const emailsTried = failures.map(
        (event) => (JSON.parse(event.details) as { email: string }).email,
      );
      expect(emailsTried).toEqual(expect.arrayContaining(attempts.map(([email]) => email)));
      expect(
        failures.every((event) => event.actor_email === null && event.actor_user_id === null),
      ).toBe(true);
    });

    it('refuses a malformed body with a 400 naming the field', async () => {
      const cases: [unknown, string][] = [
        [{ password: 'whatever-password' }, 'body.email'],
        [{ email: 'not-an-email', password: 'whatever-password' }, 'body.email'],
        [{ email: `${'a'.repeat(250)}@example.com`, password: 'x' }, 'body.email'],
        [{ email: 'a@example.com' }, 'body.password'],
        [{ email: 'a@example.com', password: '' }, 'body.password'],
        [{ email: 'a@example.com', password: 'p'.repeat(201) }, 'body.password'],
        [{ email: 'a@example.com', password: 42 }, 'body.password'],
        [{ email: 'a@example.com', password: 'whatever', remember: true }, 'body.remember'],
      ];
      for (const [payload, field] of cases) {
        const response = await env.anonymousApp.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: payload as object,
        });
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(fieldsOf(response)).toContain(field);
      }
    });

    it('rotates the session: the cookie sent with a sign-in ends, a new token is set', async () => {
      const account = await addPasswordAccount(env.database.db);
      const first = await signIn(env.anonymousApp, account.email, account.password);
      const second = await signIn(env.anonymousApp, account.email, account.password, {
        headers: withSession(first.token ?? ''),
      });

      expect(second.response.statusCode).toBe(200);
      expect(second.token).toBeDefined();
      expect(second.token).not.toBe(first.token);
      expect((await me(withSession(first.token ?? ''))).statusCode).toBe(401);
      expect((await me(withSession(second.token ?? ''))).statusCode).toBe(200);
    });

    it('ends a planted session of another account at sign-in (no session fixation)', async () => {
      const planted = await addPasswordAccount(env.database.db);
      const victim = await addPasswordAccount(env.database.db);
      const plantedSession = await signIn(env.anonymousApp, planted.email, planted.password);
      const victimSession = await signIn(env.anonymousApp, victim.email, victim.password, {
        headers: withSession(plantedSession.token ?? ''),
      });

      expect(victimSession.token).not.toBe(plantedSession.token);
      expect((await me(withSession(plantedSession.token ?? ''))).statusCode).toBe(401);
    });
  });

  describe('sessions expire', () => {
    it('ends a session idle longer than SESSION_IDLE_MINUTES', async () => {
      const account = await addPasswordAccount(env.database.db);
      const { token } = await signIn(env.anonymousApp, account.email, account.password);
      await env.database.db
        .updateTable('user_session')
        .set({ last_seen_time: new Date(Date.now() - (idleMinutes + 1) * 60_000).toISOString() })
        .where('token_hash', '=', secretHash(token ?? ''))
        .execute();

      const response = await me(withSession(token ?? ''));
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).details).toEqual({ reason: 'session_expired' });
      const left = await env.database.db
        .selectFrom('user_session')
        .select('token_hash')
        .where('token_hash', '=', secretHash(token ?? ''))
        .execute();
      expect(left).toEqual([]);
    });

    it('keeps a session used within the idle time', async () => {
      const account = await addPasswordAccount(env.database.db);
      const { token } = await signIn(env.anonymousApp, account.email, account.password);
      await env.database.db
        .updateTable('user_session')
        .set({ last_seen_time: new Date(Date.now() - (idleMinutes - 5) * 60_000).toISOString() })
        .where('token_hash', '=', secretHash(token ?? ''))
        .execute();

      expect((await me(withSession(token ?? ''))).statusCode).toBe(200);
    });

    it('ends a session at its absolute expiry however busy', async () => {
      const account = await addPasswordAccount(env.database.db);
      const { token } = await signIn(env.anonymousApp, account.email, account.password);
      await env.database.db
        .updateTable('user_session')
        .set({ absolute_expires_time: new Date(Date.now() - 1000).toISOString() })
        .where('token_hash', '=', secretHash(token ?? ''))
        .execute();

      const response = await me(withSession(token ?? ''));
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).details).toEqual({ reason: 'session_expired' });
    });
  });

  describe('POST /api/v1/auth/sign-out', () => {
    it('ends the session server-side and clears the cookie: the old cookie then gets 401', async () => {
      const account = await addPasswordAccount(env.database.db);
      const { token } = await signIn(env.anonymousApp, account.email, account.password);
      const response = await env.anonymousApp.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-out',
        headers: withSession(token ?? ''),
      });

      expect(response.statusCode).toBe(204);
      const cleared = sessionCookieOf(response);
      expect(cleared?.value).toBe('');
      expect(cleared?.path).toBe('/');
      expect(new Date(cleared?.expires ?? Date.now()).getTime()).toBeLessThanOrEqual(Date.now());
      const replay = await me(withSession(token ?? ''));
      expect(replay.statusCode).toBe(401);
      expect(await auditActions(account.email)).toContainEqual(
        expect.objectContaining({ action: 'sign_out', actor_email: account.email }),
      );
    });

    it('does nothing but 204 for an API key (the key keeps working)', async () => {
      const account = await addPasswordAccount(env.database.db);
      const response = await env.anonymousApp.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-out',
        headers: account.headers,
      });
      expect(response.statusCode).toBe(204);
      expect(sessionCookieOf(response)).toBeUndefined();
      expect((await me(account.headers)).statusCode).toBe(200);
    });

    it('needs someone signed in: 401', async () => {
      const response = await env.anonymousApp.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-out',
      });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).code).toBe('unauthenticated');
    });
  });

  describe('GET /api/v1/auth/me', () => {
    it('says an API key is signed in with no expiry', async () => {
      const account = await addPasswordAccount(env.database.db, { instanceAdmin: true });
      const response = await me(account.headers);
      expect(response.statusCode).toBe(200);
      expect(meResponseSchema.parse(response.json())).toMatchObject({
        via: 'api_key',
        expires_at: null,
        user: { email: account.email, is_instance_admin: true },
      });
    });

    it('says when the password is a generated one to change', async () => {
      const account = await addPasswordAccount(env.database.db, { mustChangePassword: true });
      const { response } = await signIn(env.anonymousApp, account.email, account.password);
      expect(meResponseSchema.parse(response.json()).must_change_password).toBe(true);
    });

    it('is 401 without credentials', async () => {
      const response = await me({});
      expect(response.statusCode).toBe(401);
    });
  });

  describe('POST /api/v1/auth/password', () => {
    async function changePassword(headers: Record<string, string>, payload: object) {
      return env.anonymousApp.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers,
        payload,
      });
    }

    it('sets the new password, ends the other sessions and keeps this one', async () => {
      const account = await addPasswordAccount(env.database.db);
      const current = await signIn(env.anonymousApp, account.email, account.password);
      const other = await signIn(env.anonymousApp, account.email, account.password);
      const newPassword = 'a-brand-new-password';

      const response = await changePassword(withSession(current.token ?? ''), {
        current_password: account.password,
        new_password: newPassword,
      });

      expect(response.statusCode).toBe(204);
      expect((await me(withSession(current.token ?? ''))).statusCode).toBe(200);
      expect((await me(withSession(other.token ?? ''))).statusCode).toBe(401);
      expect(
        (await signIn(env.anonymousApp, account.email, account.password)).response.statusCode,
      ).toBe(401);
      expect((await signIn(env.anonymousApp, account.email, newPassword)).response.statusCode).toBe(
        200,
      );
      const row = await env.database.db
        .selectFrom('app_user')
        .select(['must_change_password', 'password_changed_time'])
        .where('id', '=', account.userId)
        .executeTakeFirstOrThrow();
      expect(row.password_changed_time).not.toBeNull();
      expect(await auditActions(account.email)).toContainEqual(
        expect.objectContaining({ action: 'password_changed', actor_email: account.email }),
      );
    });

    it('removes DATA_DIR/initial-admin-password once the user on a generated password changes it', async () => {
      const file = initialAdminPasswordPath(env.dataDir);
      const bystander = await addPasswordAccount(env.database.db);
      const firstAdmin = await addPasswordAccount(env.database.db, {
        instanceAdmin: true,
        mustChangePassword: true,
      });
      fs.writeFileSync(file, `${firstAdmin.password}\n`, { mode: 0o600 });

      const bystanderSession = await signIn(env.anonymousApp, bystander.email, bystander.password);
      await changePassword(withSession(bystanderSession.token ?? ''), {
        current_password: bystander.password,
        new_password: 'bystander-new-password',
      });
      expect(fs.existsSync(file)).toBe(true);

      const { token } = await signIn(env.anonymousApp, firstAdmin.email, firstAdmin.password);
      const response = await changePassword(withSession(token ?? ''), {
        current_password: firstAdmin.password,
        new_password: 'the-admins-own-password',
      });
      expect(response.statusCode).toBe(204);
      expect(fs.existsSync(file)).toBe(false);
      const row = await env.database.db
        .selectFrom('app_user')
        .select('must_change_password')
        .where('id', '=', firstAdmin.userId)
        .executeTakeFirstOrThrow();
      expect(row.must_change_password).toBe(0);
      expect(
        meResponseSchema.parse((await me(withSession(token ?? ''))).json()).must_change_password,
      ).toBe(false);
    });

    it('refuses a wrong current password with a 400 naming body.current_password', async () => {
      const account = await addPasswordAccount(env.database.db);
      const { token } = await signIn(env.anonymousApp, account.email, account.password);
      const response = await changePassword(withSession(token ?? ''), {
        current_password: 'not-my-password',
        new_password: 'a-brand-new-password',
      });
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toEqual(['body.current_password']);
      expect(
        (await signIn(env.anonymousApp, account.email, account.password)).response.statusCode,
      ).toBe(200);
    });

    it('refuses a malformed body with a 400 naming the field', async () => {
      const account = await addPasswordAccount(env.database.db);
      const { token } = await signIn(env.anonymousApp, account.email, account.password);
      const cases: [object, string][] = [
        [{ new_password: 'a-brand-new-password' }, 'body.current_password'],
        [{ current_password: account.password }, 'body.new_password'],
        [{ current_password: account.password, new_password: 'short' }, 'body.new_password'],
        [
          { current_password: account.password, new_password: 'n'.repeat(201) },
          'body.new_password',
        ],
        [
          { current_password: account.password, new_password: 'a-brand-new-password', x: 1 },
          'body.x',
        ],
      ];
      for (const [payload, field] of cases) {
        const response = await changePassword(withSession(token ?? ''), payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(fieldsOf(response)).toContain(field);
      }
    });

    it('is 403 for an API key: a password is changed signed in to the panel', async () => {
      const account = await addPasswordAccount(env.database.db);
      const response = await changePassword(account.headers, {
        current_password: account.password,
        new_password: 'a-brand-new-password',
      });
      expect(response.statusCode).toBe(403);
      expect(errorOf(response).code).toBe('forbidden');
    });

    it('is 401 without credentials', async () => {
      const response = await changePassword(
        {},
        { current_password: 'whatever-password', new_password: 'a-brand-new-password' },
      );
      expect(response.statusCode).toBe(401);
    });
  });
});
