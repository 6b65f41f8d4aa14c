import type { Kysely } from 'kysely';
import type { ApiKeyRow, AppUserRow, Database } from '../db/schema.ts';
import { secretMatches } from './secret-tokens.ts';

// Reads the key an `Authorization: Basic` header names. Writing keys (create, list, revoke) is the
// API key routes' business; this is only what authentication needs on every request.

// last_used_time is shown to a minute; a script making thousands of calls writes it once a minute.
const touchEveryMs = 60_000;

/** What authentication needs of a key: which it is and what it is bound to. */
export type FoundApiKey = Pick<ApiKeyRow, 'id' | 'name' | 'project_id' | 'role'>;

/** A key found by its client_id and checked against the secret, or why not. */
export type ApiKeyLookup =
  | { found: true; key: FoundApiKey; user: AppUserRow }
  | { found: false; reason: 'bad_api_key' | 'api_key_revoked' };

/** The key `clientId` names when `clientSecret` is its secret; records its use. */
export async function findApiKey(
  db: Kysely<Database>,
  clientId: string,
  clientSecret: string,
  now = new Date(),
): Promise<ApiKeyLookup> {
  // One read for the key and its user: this runs on every request a script makes.
  const row = await db
    .selectFrom('api_key')
    .innerJoin('app_user', 'app_user.id', 'api_key.user_id')
    .selectAll('app_user')
    .select([
      'api_key.id as key_id',
      'api_key.name as key_name',
      'api_key.project_id as key_project_id',
      'api_key.role as key_role',
      'api_key.secret_hash as key_secret_hash',
      'api_key.last_used_time as key_last_used_time',
      'api_key.revoked_time as key_revoked_time',
    ])
    .where('api_key.client_id', '=', clientId)
    .executeTakeFirst();
  if (row === undefined || !secretMatches(clientSecret, row.key_secret_hash))
    return { found: false, reason: 'bad_api_key' };
  if (row.key_revoked_time !== null) return { found: false, reason: 'api_key_revoked' };
  const {
    key_id: id,
    key_name: name,
    key_project_id: projectId,
    key_role: role,
    key_secret_hash: _secretHash,
    key_last_used_time: lastUsed,
    key_revoked_time: _revoked,
    ...user
  } = row;
  if (lastUsed === null || now.getTime() - new Date(lastUsed).getTime() >= touchEveryMs) {
    await db
      .updateTable('api_key')
      .set({ last_used_time: now.toISOString() })
      .where('id', '=', id)
      .execute();
  }
  return { found: true, key: { id, name, project_id: projectId, role }, user };
}
