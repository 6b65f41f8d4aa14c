import type { Kysely } from 'kysely';
import type { ProjectRole } from '../../contract/roles.ts';
import { secretHash } from '../auth/secret-tokens.ts';
import type { Database } from '../db/schema.ts';

// Accounts as server tests make them: straight into the database, with API keys whose secrets the
// test knows, so a request can act as anyone with one `authorization` header. Keys are made here,
// not through the API, so a test of one route does not depend on the key routes working.

/** The email of the instance admin every test app acts as unless told otherwise. */
export const testAdminEmail = 'admin@annex.local';
const testAdminClientId = 'annex_test_admin';
const testAdminSecret = 'test-admin-secret-0123456789abcdef0123456789';

/** `Basic base64(client_id:client_secret)`, as scripts and Diffgram's SDK send it. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}

/** The `authorization` header of the test instance admin (see `ensureTestAdmin`). */
export const testAdminAuthorization = basicAuthorization(testAdminClientId, testAdminSecret);

/** A test user and the header that signs a request in as them. */
export interface TestAccount {
  userId: number;
  email: string;
  clientId: string;
  clientSecret: string;
  /** `{ authorization }` for `app.inject({ headers })`. */
  headers: { authorization: string };
}

let sequence = 0;

/**
 * Makes a user with an unbound API key: `projects` gives their membership role per project id;
 * `instanceAdmin` makes them an instance admin. An email is made up when not given.
 */
export async function addTestAccount(
  db: Kysely<Database>,
  options: {
    email?: string;
    projects?: Record<number, ProjectRole>;
    instanceAdmin?: boolean;
    disabled?: boolean;
    key?: { projectId?: number; role?: ProjectRole; revoked?: boolean };
  } = {},
): Promise<TestAccount> {
  sequence += 1;
  const tag = `${process.pid}_${Date.now().toString(36)}_${sequence}`;
  const email = options.email ?? `user-${tag}@example.com`;
  const now = new Date().toISOString();
  const user = await db
    .insertInto('app_user')
    .values({
      email,
      password_hash: null,
      is_instance_admin: options.instanceAdmin === true ? 1 : 0,
      disabled: options.disabled === true ? 1 : 0,
      must_change_password: 0,
      created_time: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [projectId, role] of Object.entries(options.projects ?? {})) {
    await db
      .insertInto('project_member')
      .values({ project_id: Number(projectId), user_id: user.id, role, added_time: now })
      .execute();
  }
  const clientId = `annex_test_${tag}`;
  const clientSecret = `secret-${tag}-0123456789abcdef`;
  await db
    .insertInto('api_key')
    .values({
      user_id: user.id,
      name: 'test key',
      client_id: clientId,
      secret_hash: secretHash(clientSecret),
      project_id: options.key?.projectId ?? null,
      role: options.key?.role ?? null,
      created_time: now,
      revoked_time: options.key?.revoked === true ? now : null,
    })
    .execute();
  return {
    userId: user.id,
    email,
    clientId,
    clientSecret,
    headers: { authorization: basicAuthorization(clientId, clientSecret) },
  };
}

/**
 * The instance admin test apps act as by default (`admin@annex.local`, with a fixed key), made once
 * per database; returns their id.
 */
export async function ensureTestAdmin(db: Kysely<Database>): Promise<number> {
  const existing = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', testAdminEmail)
    .executeTakeFirst();
  if (existing !== undefined) {
    const key = await db
      .selectFrom('api_key')
      .select('id')
      .where('client_id', '=', testAdminClientId)
      .executeTakeFirst();
    if (key !== undefined) return existing.id;
  }
  const now = new Date().toISOString();
  const userId =
    existing?.id ??
    (
      await db
        .insertInto('app_user')
        .values({
          email: testAdminEmail,
          password_hash: null,
          is_instance_admin: 1,
          disabled: 0,
          must_change_password: 0,
          created_time: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  await db
    .insertInto('api_key')
    .values({
      user_id: userId,
      name: 'test admin key',
      client_id: testAdminClientId,
      secret_hash: secretHash(testAdminSecret),
      project_id: null,
      role: null,
      created_time: now,
    })
    .execute();
  return userId;
}
