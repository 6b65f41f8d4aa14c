import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import type { TestAccount } from '../test-utils/test-accounts.ts';
import { sessionCookieName } from './authenticate.ts';
import { hashPassword } from './password-hash.ts';
import { newSecret, secretHash } from './secret-tokens.ts';

// What the account route tests share: users who sign in with a password, sign-up links made
// straight in the database (the routes that make them are the instance admins', tested there), and
// reading the session cookie off an answer.

/** A test account that also has a password. */
export interface PasswordAccount extends TestAccount {
  password: string;
}

/** `addTestAccount` plus a password (and `must_change_password` when asked). */
export async function addPasswordAccount(
  db: Kysely<Database>,
  options: Parameters<typeof addTestAccount>[1] & { mustChangePassword?: boolean } = {},
): Promise<PasswordAccount> {
  const { mustChangePassword, ...accountOptions } = options;
  const account = await addTestAccount(db, accountOptions);
  const password = `pw-${account.clientId}`;
  await db
    .updateTable('app_user')
    .set({
      password_hash: await hashPassword(password),
      must_change_password: mustChangePassword === true ? 1 : 0,
    })
    .where('id', '=', account.userId)
    .execute();
  return { ...account, password };
}

/** Inserts a sign-up link for `userId`; returns its token. Expired or used when told. */
export async function addSignUpLink(
  db: Kysely<Database>,
  userId: number,
  options: { expiresInMinutes?: number; used?: boolean } = {},
): Promise<{ token: string; expiresAt: string }> {
  const token = newSecret();
  const now = Date.now();
  const expiresAt = new Date(now + (options.expiresInMinutes ?? 60) * 60_000).toISOString();
  await db
    .insertInto('sign_up_link')
    .values({
      token_hash: secretHash(token),
      user_id: userId,
      created_by_user_id: null,
      created_time: new Date(now).toISOString(),
      expires_time: expiresAt,
      used_time: options.used === true ? new Date(now).toISOString() : null,
    })
    .execute();
  return { token, expiresAt };
}

/** The session cookie an answer set, or undefined. */
export function sessionCookieOf(
  response: LightMyRequestResponse,
): LightMyRequestResponse['cookies'][number] | undefined {
  return response.cookies.find((cookie) => cookie.name === sessionCookieName);
}

/**
 * Headers that carry `token` as the session cookie, sent as the panel's own page sends them: with
 * `Sec-Fetch-Site: same-origin`, without which a change by cookie is refused as cross-site.
 */
export function withSession(token: string): { cookie: string; 'sec-fetch-site': string } {
  return { cookie: `${sessionCookieName}=${token}`, 'sec-fetch-site': 'same-origin' };
}

/** Signs in through the API; returns the answer and the session token it set (if any). */
export async function signIn(
  app: FastifyInstance,
  email: string,
  password: string,
  options: { headers?: Record<string, string>; remoteAddress?: string } = {},
): Promise<{ response: LightMyRequestResponse; token: string | undefined }> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { email, password },
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.remoteAddress === undefined ? {} : { remoteAddress: options.remoteAddress }),
  });
  return { response, token: sessionCookieOf(response)?.value };
}
