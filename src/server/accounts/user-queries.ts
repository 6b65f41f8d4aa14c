import type { Kysely } from 'kysely';
import type { User } from '../../contract/auth.ts';
import type { DialectName } from '../db/database.ts';
import { userView } from '../auth/user-view.ts';
import type { AppUserRow, Database } from '../db/schema.ts';

// The SQL of the users an instance admin manages: reading them as the API shows them, adding one
// (no password until they sign up) and turning the two switches an admin has.

/** The columns a user is shown from. */
type UserColumns = Pick<
  AppUserRow,
  'id' | 'email' | 'password_hash' | 'is_instance_admin' | 'disabled' | 'created_time'
>;

const userColumns = [
  'id',
  'email',
  'password_hash',
  'is_instance_admin',
  'disabled',
  'created_time',
] as const;

/** Every user, by email. */
export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  const rows = await db.selectFrom('app_user').select(userColumns).orderBy('email').execute();
  return rows.map(userView);
}

/** The user with this id, or undefined. */
export async function findUserById(
  db: Kysely<Database>,
  id: number,
): Promise<UserColumns | undefined> {
  return db.selectFrom('app_user').select(userColumns).where('id', '=', id).executeTakeFirst();
}

/** The user with this email (lower case, as the contract hands it), or undefined. */
export async function findUserByEmail(
  db: Kysely<Database>,
  email: string,
): Promise<UserColumns | undefined> {
  return db
    .selectFrom('app_user')
    .select(userColumns)
    .where('email', '=', email)
    .executeTakeFirst();
}

/** Adds a user without a password (status `invited`); returns the row. */
export async function insertInvitedUser(
  db: Kysely<Database>,
  user: { email: string; isInstanceAdmin: boolean },
  now: Date,
): Promise<UserColumns> {
  return db
    .insertInto('app_user')
    .values({
      email: user.email,
      password_hash: null,
      is_instance_admin: user.isInstanceAdmin ? 1 : 0,
      disabled: 0,
      must_change_password: 0,
      created_time: now.toISOString(),
    })
    .returning(userColumns)
    .executeTakeFirstOrThrow();
}

/** Sets a user's switches; returns the row as it now stands. */
export async function updateUserFlags(
  db: Kysely<Database>,
  id: number,
  flags: { disabled?: boolean; isInstanceAdmin?: boolean },
): Promise<UserColumns> {
  await db
    .updateTable('app_user')
    .set({
      ...(flags.disabled === undefined ? {} : { disabled: flags.disabled ? 1 : 0 }),
      ...(flags.isInstanceAdmin === undefined
        ? {}
        : { is_instance_admin: flags.isInstanceAdmin ? 1 : 0 }),
    })
    .where('id', '=', id)
    .execute();
  const row = await findUserById(db, id);
  if (row === undefined) throw new Error(`User ${id} vanished while being updated`);
  return row;
}

/**
 * The ids of the active instance admins (not disabled, a password set): the accounts that can sign
 * in and manage annex. On PostgreSQL the rows are locked until the transaction ends, so two admins
 * demoting each other at once are checked one after the other; SQLite runs one transaction at a time.
 */
export async function lockActiveInstanceAdmins(
  db: Kysely<Database>,
  dialect: DialectName,
): Promise<number[]> {
  const query = db
    .selectFrom('app_user')
    .select('id')
    .where('is_instance_admin', '=', 1)
    .where('disabled', '=', 0)
    .where('password_hash', 'is not', null);
  const rows = await (dialect === 'postgres' ? query.forUpdate() : query).execute();
  return rows.map((row) => row.id);
}
