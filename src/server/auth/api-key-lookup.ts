import type { Kysely } from 'kysely';
import type { ApiKeyRow, AppUserRow, Database } from '../db/schema.ts';
import { secretMatches } from './secret-tokens.ts';

// Reads the key an `Authorization: Basic` header names. Writing keys (create, list, revoke) is the
// API key routes' business; this is only what authentication needs on every request.

// last_used_time is shown to a minute; a script making thousands of calls writes it once a minute.
const touchEveryMs = 60_000;

/** A key found by its client_id and checked against the secret, or why not. */
export type ApiKeyLookup =
  | { found: true; key: ApiKeyRow; user: AppUserRow }
  | { found: false; reason: 'bad_api_key' | 'api_key_revoked' };

/** The key `clientId` names when `clientSecret` is its secret; records its use. */
export async function findApiKey(
  db: Kysely<Database>,
  clientId: string,
  clientSecret: string,
  now = new Date(),
): Promise<ApiKeyLookup> {
  const key = await db
    .selectFrom('api_key')
    .selectAll()
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (key === undefined || !secretMatches(clientSecret, key.secret_hash))
    return { found: false, reason: 'bad_api_key' };
  if (key.revoked_time !== null) return { found: false, reason: 'api_key_revoked' };
  const user = await db
    .selectFrom('app_user')
    .selectAll()
    .where('id', '=', key.user_id)
    .executeTakeFirstOrThrow();
  if (
    key.last_used_time === null ||
    now.getTime() - new Date(key.last_used_time).getTime() >= touchEveryMs
  ) {
    await db
      .updateTable('api_key')
      .set({ last_used_time: now.toISOString() })
      .where('id', '=', key.id)
      .execute();
  }
  return { found: true, key, user };
}
