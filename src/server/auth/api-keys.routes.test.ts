import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiKeyListResponseSchema,
  createdApiKeySchema,
  meResponseSchema,
} from '../../contract/auth.ts';
import { testDialects } from '../db/test-database.ts';
import { createAccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import type { AccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { basicAuthorization } from '../test-utils/test-accounts.ts';
import { addPasswordAccount, signIn, withSession } from './auth-test-fixtures.ts';
import { secretHash } from './secret-tokens.ts';

describe.each(testDialects)('the API key routes on %s', (dialect) => {
  let env: AccountsTestEnv;

  beforeAll(async () => {
    env = await createAccountsTestEnv(dialect);
  });
  afterAll(async () => {
    await env.close();
  });

  async function createKey(headers: Record<string, string>, payload: object) {
    return env.anonymousApp.inject({
      method: 'POST',
      url: '/api/v1/auth/api-keys',
      headers,
      payload,
    });
  }

  async function listKeys(headers: Record<string, string>) {
    return env.anonymousApp.inject({ method: 'GET', url: '/api/v1/auth/api-keys', headers });
  }

  async function sessionHeaders(email: string, password: string) {
    const { token } = await signIn(env.anonymousApp, email, password);
    return withSession(token ?? '');
  }

  it('makes a key (201, the secret once, stored hashed) that then signs requests in', async () => {
    const account = await addPasswordAccount(env.database.db, {
      projects: { [env.alpha]: 'editor' },
    });
    const headers = await sessionHeaders(account.email, account.password);
    const response = await createKey(headers, { name: 'nightly training pipeline' });

    expect(response.statusCode).toBe(201);
    const created = createdApiKeySchema.parse(response.json());
    expect(created.key).toMatchObject({
      name: 'nightly training pipeline',
      project_string_id: null,
      role: null,
      last_used_time: null,
      revoked_time: null,
    });
    expect(created.key.client_id).toMatch(/^annex_[0-9a-f]{32}$/);
    expect(created.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await env.database.db
      .selectFrom('api_key')
      .selectAll()
      .where('id', '=', created.key.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(secretHash(created.client_secret));
    expect(row.user_id).toBe(account.userId);

    const me = await env.anonymousApp.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: basicAuthorization(created.key.client_id, created.client_secret) },
    });
    expect(me.statusCode).toBe(200);
    expect(meResponseSchema.parse(me.json())).toMatchObject({
      via: 'api_key',
      user: { email: account.email },
    });

    const audit = await env.database.db
      .selectFrom('audit_event')
      .select(['actor_email', 'details', 'target'])
      .where('action', '=', 'api_key_created')
      .where('actor_email', '=', account.email)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details)).toEqual({
      name: 'nightly training pipeline',
      client_id: created.key.client_id,
      project: null,
      role: null,
    });
    expect(JSON.stringify(audit)).not.toContain(created.client_secret);
  });

  it('binds a key to a project the user is in, with a role up to theirs', async () => {
    const account = await addPasswordAccount(env.database.db, {
      projects: { [env.alpha]: 'editor' },
    });
    const headers = await sessionHeaders(account.email, account.password);
    for (const role of ['viewer', 'editor'] as const) {
      const response = await createKey(headers, {
        name: `alpha ${role}`,
        project_string_id: 'alpha',
        role,
      });
      expect(response.statusCode, role).toBe(201);
      expect(createdApiKeySchema.parse(response.json()).key).toMatchObject({
        project_string_id: 'alpha',
        role,
      });
    }
    const unbounded = await createKey(headers, {
      name: 'alpha, my role',
      project_string_id: 'alpha',
    });
    expect(unbounded.statusCode).toBe(201);
    const key = createdApiKeySchema.parse(unbounded.json()).key;
    expect(key).toMatchObject({ project_string_id: 'alpha', role: null });
    const audit = await env.database.db
      .selectFrom('audit_event')
      .select(['project_id'])
      .where('action', '=', 'api_key_created')
      .where('target', '=', `API key ${key.client_id}`)
      .executeTakeFirstOrThrow();
    expect(audit.project_id).toBe(env.alpha);
  });

  it('refuses a role above the user’s own with a 403 naming both roles', async () => {
    const account = await addPasswordAccount(env.database.db, {
      projects: { [env.alpha]: 'editor' },
    });
    const headers = await sessionHeaders(account.email, account.password);
    const response = await createKey(headers, {
      name: 'too strong',
      project_string_id: 'alpha',
      role: 'admin',
    });

    expect(response.statusCode).toBe(403);
    const error = errorOf(response);
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('editor');
    expect(error.message).toContain('admin');
    expect(error.details).toEqual({ role: 'editor', requested: 'admin' });
  });

  it('answers a project the user may not see like one that does not exist: 404', async () => {
    const account = await addPasswordAccount(env.database.db, {
      projects: { [env.alpha]: 'admin' },
    });
    const headers = await sessionHeaders(account.email, account.password);
    const hidden = await createKey(headers, { name: 'k', project_string_id: 'beta' });
    const missing = await createKey(headers, { name: 'k', project_string_id: 'no-such-project' });

    expect(hidden.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(errorOf(hidden).message).toBe(
      errorOf(missing).message.replace('no-such-project', 'beta'),
    );
  });

  it('lets an instance admin bind a key to any project as admin', async () => {
    const admin = await addPasswordAccount(env.database.db, { instanceAdmin: true });
    const response = await createKey(admin.headers, {
      name: 'beta admin',
      project_string_id: 'beta',
      role: 'admin',
    });
    expect(response.statusCode).toBe(201);
    expect(env.beta).toBeGreaterThan(0);
  });

  it('refuses a malformed body with a 400 naming the field', async () => {
    const account = await addPasswordAccount(env.database.db, {
      projects: { [env.alpha]: 'admin' },
    });
    const cases: [object, string][] = [
      [{}, 'body.name'],
      [{ name: '' }, 'body.name'],
      [{ name: 'n'.repeat(101) }, 'body.name'],
      [{ name: 'bad\u0000name' }, 'body.name'],
      [{ name: 'k', project_string_id: '' }, 'body.project_string_id'],
      [{ name: 'k', project_string_id: 7 }, 'body.project_string_id'],
      [{ name: 'k', project_string_id: 'alpha', role: 'owner' }, 'body.role'],
      [{ name: 'k', role: 'viewer' }, 'body.role'],
      [{ name: 'k', secret: 'mine' }, 'body.secret'],
    ];
    for (const [payload, field] of cases) {
      const response = await createKey(account.headers, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    }
  });

  it('lists only the user’s own keys, newest first, revoked ones included, never a secret', async () => {
    const account = await addPasswordAccount(env.database.db, {
      projects: { [env.alpha]: 'viewer' },
    });
    const other = await addPasswordAccount(env.database.db);
    const headers = await sessionHeaders(account.email, account.password);
    const first = createdApiKeySchema.parse((await createKey(headers, { name: 'first' })).json());
    const second = createdApiKeySchema.parse(
      (
        await createKey(headers, { name: 'second', project_string_id: 'alpha', role: 'viewer' })
      ).json(),
    );
    await createKey(other.headers, { name: 'someone else’s' });
    await env.anonymousApp.inject({
      method: 'DELETE',
      url: `/api/v1/auth/api-keys/${first.key.id}`,
      headers,
    });

    const response = await listKeys(headers);
    expect(response.statusCode).toBe(200);
    const { keys } = apiKeyListResponseSchema.parse(response.json());
    // The test account's own fixture key is the oldest.
    expect(keys.map((key) => key.name)).toEqual(['second', 'first', 'test key']);
    expect(keys[0]).toMatchObject({
      project_string_id: 'alpha',
      role: 'viewer',
      revoked_time: null,
    });
    expect(keys[1]?.revoked_time).not.toBeNull();
    expect(response.body).not.toContain(first.client_secret);
    expect(response.body).not.toContain(second.client_secret);
  });

  it('revokes an own key: 204, the key stops working, a second revoke is 204 too', async () => {
    const account = await addPasswordAccount(env.database.db);
    const headers = await sessionHeaders(account.email, account.password);
    const created = createdApiKeySchema.parse(
      (await createKey(headers, { name: 'short-lived' })).json(),
    );
    const keyHeaders = {
      authorization: basicAuthorization(created.key.client_id, created.client_secret),
    };
    expect((await listKeys(keyHeaders)).statusCode).toBe(200);

    const url = `/api/v1/auth/api-keys/${created.key.id}`;
    const revoked = await env.anonymousApp.inject({ method: 'DELETE', url, headers });
    expect(revoked.statusCode).toBe(204);
    const refused = await listKeys(keyHeaders);
    expect(refused.statusCode).toBe(401);
    expect(errorOf(refused).details).toEqual({ reason: 'api_key_revoked' });

    const firstTime = await env.database.db
      .selectFrom('api_key')
      .select('revoked_time')
      .where('id', '=', created.key.id)
      .executeTakeFirstOrThrow();
    const again = await env.anonymousApp.inject({ method: 'DELETE', url, headers });
    expect(again.statusCode).toBe(204);
    const secondTime = await env.database.db
      .selectFrom('api_key')
      .select('revoked_time')
      .where('id', '=', created.key.id)
      .executeTakeFirstOrThrow();
    expect(secondTime.revoked_time).toBe(firstTime.revoked_time);

    const audits = await env.database.db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'api_key_revoked')
      .where('target', '=', `API key ${created.key.client_id}`)
      .execute();
    expect(audits).toHaveLength(1);
    expect(JSON.parse(audits[0]?.details ?? '{}')).toMatchObject({ name: 'short-lived' });
  });

  it('answers another user’s key or an unknown id with 404, and a malformed id with 400', async () => {
    const owner = await addPasswordAccount(env.database.db);
    const stranger = await addPasswordAccount(env.database.db, { instanceAdmin: true });
    const created = createdApiKeySchema.parse(
      (await createKey(owner.headers, { name: 'mine' })).json(),
    );

    const others = await env.anonymousApp.inject({
      method: 'DELETE',
      url: `/api/v1/auth/api-keys/${created.key.id}`,
      headers: stranger.headers,
    });
    expect(others.statusCode).toBe(404);
    const unknown = await env.anonymousApp.inject({
      method: 'DELETE',
      url: '/api/v1/auth/api-keys/999999',
      headers: owner.headers,
    });
    expect(unknown.statusCode).toBe(404);
    const malformed = await env.anonymousApp.inject({
      method: 'DELETE',
      url: '/api/v1/auth/api-keys/abc',
      headers: owner.headers,
    });
    expect(malformed.statusCode).toBe(400);
    expect(fieldsOf(malformed)).toContain('params.id');
    const row = await env.database.db
      .selectFrom('api_key')
      .select('revoked_time')
      .where('id', '=', created.key.id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_time).toBeNull();
  });

  it('is 403 for a key bound to a project, on all three routes', async () => {
    const bound = await addPasswordAccount(env.database.db, {
      projects: { [env.alpha]: 'admin' },
      key: { projectId: env.alpha },
    });
    const requests = [
      { method: 'GET' as const, url: '/api/v1/auth/api-keys' },
      { method: 'POST' as const, url: '/api/v1/auth/api-keys', payload: { name: 'k' } },
      { method: 'DELETE' as const, url: '/api/v1/auth/api-keys/1' },
    ];
    for (const request of requests) {
      const response = await env.anonymousApp.inject({ ...request, headers: bound.headers });
      expect(response.statusCode, request.method).toBe(403);
    }
  });

  it('is 401 without credentials', async () => {
    expect((await listKeys({})).statusCode).toBe(401);
    expect((await createKey({}, { name: 'k' })).statusCode).toBe(401);
  });
});
