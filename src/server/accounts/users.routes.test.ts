import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signUpLinkSchema,
  signUpTokenSchema,
  userListResponseSchema,
  userSchema,
} from '../../contract/auth.ts';
import type { SignUpLink } from '../../contract/auth.ts';
import { auditEventsOf, markSignedUp } from '../audit/audit-test-reads.ts';
import { secretHash } from '../auth/secret-tokens.ts';
import { testDialects } from '../db/test-database.ts';
import { createAccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import type { AccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { addTestAccount, testAdminEmail } from '../test-utils/test-accounts.ts';
import { createTestApp } from '../test-utils/test-app.ts';

// The instance admin's user routes: listing, adding a user with a sign-up link, handing out a fresh
// link (also the password reset), turning accounts off and on, and the guards that keep annex
// manageable (no self lock-out, never without an active instance admin).

const hour = 3_600_000;

describe.each(testDialects)('user routes on %s', (dialect) => {
  let env: AccountsTestEnv;

  beforeAll(async () => {
    env = await createAccountsTestEnv(dialect);
  });
  afterAll(async () => {
    await env.close();
  });

  async function createUser(payload: Record<string, unknown>) {
    return env.app.inject({ method: 'POST', url: '/api/v1/users', payload });
  }

  async function linksOf(userId: number) {
    return env.database.db
      .selectFrom('sign_up_link')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
  }

  function tokenOf(link: SignUpLink): string {
    const match = /\/sign-up\/([^/?#]+)$/.exec(link.url);
    if (match?.[1] === undefined) throw new Error(`not a sign-up link: ${link.url}`);
    return match[1];
  }

  describe('adding a user', () => {
    it('makes an invited user and answers 201 with a one-time link valid SIGN_UP_LINK_HOURS (72)', async () => {
      const before = Date.now();
      const response = await createUser({ email: '  Ada@Example.com ' });
      expect(response.statusCode).toBe(201);
      const link = signUpLinkSchema.parse(response.json());
      expect(link.user).toMatchObject({
        email: 'ada@example.com',
        is_instance_admin: false,
        status: 'invited',
      });
      expect(link.url).toMatch(/^http:\/\/localhost(:80)?\/sign-up\/[A-Za-z0-9_-]+$/);
      const token = tokenOf(link);
      expect(signUpTokenSchema.safeParse(token).success).toBe(true);
      const expiresAt = Date.parse(link.expires_at);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 72 * hour);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 72 * hour);

      // Stored as its hash only, with the same expiry, unused.
      const [row, ...more] = await linksOf(link.user.id);
      expect(more).toEqual([]);
      expect(row).toMatchObject({
        token_hash: secretHash(token),
        expires_time: link.expires_at,
        used_time: null,
      });
      const user = await env.database.db
        .selectFrom('app_user')
        .selectAll()
        .where('id', '=', link.user.id)
        .executeTakeFirstOrThrow();
      expect(user.password_hash).toBeNull();

      const [created] = await auditEventsOf(
        env.database.db,
        'user_created',
        'user ada@example.com',
      );
      expect(created).toMatchObject({
        actor_email: testAdminEmail,
        via: 'api_key',
        project_id: null,
        details: { is_instance_admin: false },
      });
      const [issued] = await auditEventsOf(
        env.database.db,
        'sign_up_link_created',
        'user ada@example.com',
      );
      expect(issued?.details).toEqual({ expires_at: link.expires_at });
      expect(JSON.stringify(issued)).not.toContain(token);
    });

    it('makes an instance admin when asked', async () => {
      const response = await createUser({ email: 'grace@example.com', is_instance_admin: true });
      expect(response.statusCode).toBe(201);
      expect(signUpLinkSchema.parse(response.json()).user.is_instance_admin).toBe(true);
    });

    it('answers 409 conflict for an email that has an account, whatever its case', async () => {
      const response = await createUser({ email: testAdminEmail.toUpperCase() });
      expect(response.statusCode).toBe(409);
      expect(errorOf(response)).toMatchObject({ code: 'conflict' });
      expect(errorOf(response).message).toContain(`${testAdminEmail} already exists`);
    });

    it.each([
      [{ email: 'not an email' }, 'body.email'],
      [{}, 'body.email'],
      [{ email: 'x@example.com', is_instance_admin: 'yes' }, 'body.is_instance_admin'],
      [{ email: 'x@example.com', password: 'hunter2hunter2' }, 'body.password'],
    ])('answers 400 naming the field for %j', async (payload, field) => {
      const response = await createUser(payload);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });

    it('makes links that last SIGN_UP_LINK_HOURS when it is set', async () => {
      const shortLived = await createTestApp(env.database, { env: { SIGN_UP_LINK_HOURS: '2' } });
      try {
        const before = Date.now();
        const response = await shortLived.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          payload: { email: 'brief@example.com' },
        });
        expect(response.statusCode).toBe(201);
        const expiresAt = Date.parse(signUpLinkSchema.parse(response.json()).expires_at);
        expect(expiresAt).toBeGreaterThanOrEqual(before + 2 * hour);
        expect(expiresAt).toBeLessThanOrEqual(Date.now() + 2 * hour);
      } finally {
        await shortLived.close();
      }
    });
  });

  describe('listing users', () => {
    it('lists every user by email with their status', async () => {
      const zed = await addTestAccount(env.database.db, { email: 'zed@example.com' });
      await markSignedUp(env.database.db, zed.userId);
      await addTestAccount(env.database.db, { email: 'off@example.com', disabled: true });
      const response = await env.app.inject({ method: 'GET', url: '/api/v1/users' });
      expect(response.statusCode).toBe(200);
      const { users } = userListResponseSchema.parse(response.json());
      const emails = users.map((user) => user.email);
      expect(emails).toEqual([...emails].sort());
      const statusOf = (email: string) => users.find((user) => user.email === email)?.status;
      expect(statusOf('zed@example.com')).toBe('active');
      expect(statusOf('off@example.com')).toBe('disabled');
      expect(statusOf('ada@example.com')).toBe('invited');
      expect(users.find((user) => user.email === testAdminEmail)?.is_instance_admin).toBe(true);
    });
  });

  describe('who may', () => {
    it.each([
      ['GET', '/api/v1/users', undefined],
      ['POST', '/api/v1/users', { email: 'nope@example.com' }],
      ['PATCH', '/api/v1/users/1', { disabled: true }],
      ['POST', '/api/v1/users/1/sign-up-link', undefined],
    ] as const)(
      '%s %s: 403 for a project admin, an instance admin’s bound key; 401 for nobody',
      async (method, url, payload) => {
        const projectAdmin = await addTestAccount(env.database.db, {
          projects: { [env.alpha]: 'admin' },
        });
        const boundKey = await addTestAccount(env.database.db, {
          instanceAdmin: true,
          key: { projectId: env.alpha, role: 'admin' },
        });
        const disabledAdmin = await addTestAccount(env.database.db, {
          instanceAdmin: true,
          disabled: true,
        });
        for (const headers of [projectAdmin.headers, boundKey.headers]) {
          const response = await env.app.inject({
            method,
            url,
            headers,
            ...(payload && { payload }),
          });
          expect(response.statusCode).toBe(403);
          expect(errorOf(response).message).toContain('Only an instance admin');
        }
        const disabled = await env.app.inject({
          method,
          url,
          headers: disabledAdmin.headers,
          ...(payload && { payload }),
        });
        expect(disabled.statusCode).toBe(401);
        const anonymous = await env.anonymousApp.inject({
          method,
          url,
          ...(payload && { payload }),
        });
        expect(anonymous.statusCode).toBe(401);
      },
    );

    it('lets an instance admin account with an unbound key manage users', async () => {
      const admin = await addTestAccount(env.database.db, { instanceAdmin: true });
      const response = await env.app.inject({
        method: 'GET',
        url: '/api/v1/users',
        headers: admin.headers,
      });
      expect(response.statusCode).toBe(200);
    });
  });

  describe('a fresh sign-up link', () => {
    it('replaces the unused link (only the newest works) and keeps used ones', async () => {
      const first = signUpLinkSchema.parse((await createUser({ email: 'lin@example.com' })).json());
      const userId = first.user.id;
      const response = await env.app.inject({
        method: 'POST',
        url: `/api/v1/users/${userId}/sign-up-link`,
      });
      expect(response.statusCode).toBe(201);
      const second = signUpLinkSchema.parse(response.json());
      expect(second.user).toMatchObject({ id: userId, status: 'invited' });
      expect(tokenOf(second)).not.toBe(tokenOf(first));
      const links = await linksOf(userId);
      expect(links.map((link) => link.token_hash)).toEqual([secretHash(tokenOf(second))]);

      // A used link is a record of the sign-up; a later link leaves it.
      await env.database.db
        .updateTable('sign_up_link')
        .set({ used_time: new Date().toISOString() })
        .where('user_id', '=', userId)
        .execute();
      const third = signUpLinkSchema.parse(
        (
          await env.app.inject({ method: 'POST', url: `/api/v1/users/${userId}/sign-up-link` })
        ).json(),
      );
      expect((await linksOf(userId)).map((link) => link.token_hash)).toEqual([
        secretHash(tokenOf(second)),
        secretHash(tokenOf(third)),
      ]);
    });

    it('expires SIGN_UP_LINK_HOURS after it is made, not after the first link', async () => {
      const { user } = signUpLinkSchema.parse(
        (await createUser({ email: 'later@example.com' })).json(),
      );
      // The first link was made long ago and has expired.
      await env.database.db
        .updateTable('sign_up_link')
        .set({ created_time: '2024-01-01T00:00:00.000Z', expires_time: '2024-01-04T00:00:00.000Z' })
        .where('user_id', '=', user.id)
        .execute();
      const before = Date.now();
      const fresh = signUpLinkSchema.parse(
        (
          await env.app.inject({ method: 'POST', url: `/api/v1/users/${user.id}/sign-up-link` })
        ).json(),
      );
      expect(Date.parse(fresh.expires_at)).toBeGreaterThanOrEqual(before + 72 * hour);
      const [row, ...more] = await linksOf(user.id);
      expect(more).toEqual([]);
      expect(row?.expires_time).toBe(fresh.expires_at);
    });

    it('works as a password reset for an active user, and says so in the trail', async () => {
      const active = await addTestAccount(env.database.db, { email: 'reset@example.com' });
      await markSignedUp(env.database.db, active.userId);
      const response = await env.app.inject({
        method: 'POST',
        url: `/api/v1/users/${active.userId}/sign-up-link`,
      });
      expect(response.statusCode).toBe(201);
      expect(signUpLinkSchema.parse(response.json()).user.status).toBe('active');
      const [event] = await auditEventsOf(
        env.database.db,
        'sign_up_link_created',
        'user reset@example.com',
      );
      expect(event?.details).toMatchObject({ purpose: 'password_reset' });
    });

    it('answers 409 for a disabled user, 404 for no such user, 400 for a malformed id', async () => {
      const off = await addTestAccount(env.database.db, { disabled: true });
      const disabled = await env.app.inject({
        method: 'POST',
        url: `/api/v1/users/${off.userId}/sign-up-link`,
      });
      expect(disabled.statusCode).toBe(409);
      expect(errorOf(disabled).message).toContain('is disabled');
      expect(await linksOf(off.userId)).toEqual([]);

      const missing = await env.app.inject({
        method: 'POST',
        url: '/api/v1/users/2000000000/sign-up-link',
      });
      expect(missing.statusCode).toBe(404);
      const malformed = await env.app.inject({
        method: 'POST',
        url: '/api/v1/users/abc/sign-up-link',
      });
      expect(malformed.statusCode).toBe(400);
      expect(fieldsOf(malformed)).toEqual(['params.id']);
    });
  });

  describe('turning accounts off and on', () => {
    async function patchUser(id: number, payload: unknown, headers?: Record<string, string>) {
      return env.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        payload: payload as Record<string, unknown>,
        ...(headers && { headers }),
      });
    }

    it('disables a user: their sessions end and their key stops working; enabling lets them back', async () => {
      const bob = await addTestAccount(env.database.db, { projects: { [env.alpha]: 'editor' } });
      const now = new Date().toISOString();
      await env.database.db
        .insertInto('user_session')
        .values(
          ['a', 'b'].map((tag) => ({
            token_hash: secretHash(`${bob.email}-${tag}`),
            user_id: bob.userId,
            created_time: now,
            last_seen_time: now,
            absolute_expires_time: new Date(Date.now() + hour).toISOString(),
            ip: null,
            user_agent: null,
          })),
        )
        .execute();

      const off = await patchUser(bob.userId, { disabled: true });
      expect(off.statusCode).toBe(200);
      expect(userSchema.parse(off.json())).toMatchObject({ id: bob.userId, status: 'disabled' });
      const sessions = await env.database.db
        .selectFrom('user_session')
        .select('token_hash')
        .where('user_id', '=', bob.userId)
        .execute();
      expect(sessions).toEqual([]);
      const refused = await env.app.inject({
        method: 'GET',
        url: '/api/v1/projects/alpha',
        headers: bob.headers,
      });
      expect(refused.statusCode).toBe(401);
      const [event] = await auditEventsOf(env.database.db, 'user_updated', `user ${bob.email}`);
      expect(event?.details).toEqual({ disabled: { from: false, to: true }, sessions_ended: 2 });

      const on = await patchUser(bob.userId, { disabled: false });
      expect(on.statusCode).toBe(200);
      expect(userSchema.parse(on.json()).status).toBe('invited');
      const back = await env.app.inject({
        method: 'GET',
        url: '/api/v1/projects/alpha',
        headers: bob.headers,
      });
      expect(back.statusCode).toBe(200);
    });

    it('makes a user an instance admin and takes it back', async () => {
      const carol = await addTestAccount(env.database.db);
      const list = () =>
        env.app.inject({ method: 'GET', url: '/api/v1/users', headers: carol.headers });
      expect((await list()).statusCode).toBe(403);
      const up = await patchUser(carol.userId, { is_instance_admin: true });
      expect(userSchema.parse(up.json()).is_instance_admin).toBe(true);
      expect((await list()).statusCode).toBe(200);
      const down = await patchUser(carol.userId, { is_instance_admin: false });
      expect(userSchema.parse(down.json()).is_instance_admin).toBe(false);
      expect((await list()).statusCode).toBe(403);
      const events = await auditEventsOf(env.database.db, 'user_updated', `user ${carol.email}`);
      expect(events.map((event) => event.details)).toEqual([
        { is_instance_admin: { from: false, to: true } },
        { is_instance_admin: { from: true, to: false } },
      ]);
    });

    it('refuses to let an admin disable or demote themselves (409 saying why)', async () => {
      const self = await addTestAccount(env.database.db, { instanceAdmin: true });
      await markSignedUp(env.database.db, self.userId);
      const disable = await patchUser(self.userId, { disabled: true }, self.headers);
      expect(disable.statusCode).toBe(409);
      expect(errorOf(disable).message).toBe(
        'You may not disable your own account: ask another instance admin.',
      );
      const demote = await patchUser(self.userId, { is_instance_admin: false }, self.headers);
      expect(demote.statusCode).toBe(409);
      expect(errorOf(demote).message).toContain('your own instance admin rights');
      const row = await env.database.db
        .selectFrom('app_user')
        .select(['disabled', 'is_instance_admin'])
        .where('id', '=', self.userId)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ disabled: 0, is_instance_admin: 1 });
      // A change that takes nothing away is fine.
      expect((await patchUser(self.userId, { disabled: false }, self.headers)).statusCode).toBe(
        200,
      );
    });

    it.each([
      [{}, 'body'],
      [{ disabled: 'yes' }, 'body.disabled'],
      [{ is_instance_admin: 1 }, 'body.is_instance_admin'],
      [{ disabled: true, email: 'x@example.com' }, 'body.email'],
    ])('answers 400 naming the field for %j', async (payload, field) => {
      const response = await patchUser(1, payload);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });

    it('answers 404 for no such user', async () => {
      const response = await patchUser(2_000_000_000, { disabled: true });
      expect(response.statusCode).toBe(404);
      expect(errorOf(response).message).toBe('User 2000000000 was not found.');
    });
  });

  describe('the last active instance admin', () => {
    // Only the accounts a test makes are active instance admins: the test admin itself has no
    // password (it signs in with its key), so it does not count as one.
    async function onlyTheseActiveAdmins(count: number) {
      await env.database.db
        .updateTable('app_user')
        .set({ is_instance_admin: 0 })
        .where('email', '!=', testAdminEmail)
        .execute();
      const admins = [];
      for (let index = 0; index < count; index += 1) {
        const admin = await addTestAccount(env.database.db, { instanceAdmin: true });
        await markSignedUp(env.database.db, admin.userId);
        admins.push(admin);
      }
      return admins;
    }

    it('may not be disabled or demoted (409 saying why); once another exists, may', async () => {
      const [last] = await onlyTheseActiveAdmins(1);
      if (last === undefined) throw new Error('no admin made');
      for (const payload of [{ disabled: true }, { is_instance_admin: false }]) {
        const response = await env.app.inject({
          method: 'PATCH',
          url: `/api/v1/users/${last.userId}`,
          payload,
        });
        expect(response.statusCode).toBe(409);
        expect(errorOf(response).message).toContain('is the last active instance admin');
      }
      // An invited or disabled admin does not count: they cannot sign in to manage annex.
      const invited = await addTestAccount(env.database.db, { instanceAdmin: true });
      const stillLast = await env.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${last.userId}`,
        payload: { disabled: true },
      });
      expect(stillLast.statusCode).toBe(409);
      await markSignedUp(env.database.db, invited.userId);
      const now = await env.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${last.userId}`,
        payload: { disabled: true },
      });
      expect(now.statusCode).toBe(200);
    });
  });
});
