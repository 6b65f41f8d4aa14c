import type { Kysely } from 'kysely';
import type { Member } from '../../contract/auth.ts';
import type { ProjectRole } from '../../contract/roles.ts';
import { userStatusOf } from '../auth/user-view.ts';
import type { DialectName } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

// The SQL of a project's members: who they are (with their account's status) and their roles.

function selectMembers(db: Kysely<Database>, projectId: number) {
  return db
    .selectFrom('project_member')
    .innerJoin('app_user', 'app_user.id', 'project_member.user_id')
    .select([
      'project_member.user_id',
      'project_member.role',
      'project_member.added_time',
      'app_user.email',
      'app_user.disabled',
      'app_user.password_hash',
    ])
    .where('project_member.project_id', '=', projectId);
}

type MemberRow = Awaited<ReturnType<ReturnType<typeof selectMembers>['executeTakeFirstOrThrow']>>;

function toMember(row: MemberRow): Member {
  return {
    user_id: row.user_id,
    email: row.email,
    role: row.role,
    status: userStatusOf(row),
    added_time: row.added_time,
  };
}

/** A project's members, by email. */
export async function listMembers(db: Kysely<Database>, projectId: number): Promise<Member[]> {
  const rows = await selectMembers(db, projectId).orderBy('app_user.email').execute();
  return rows.map(toMember);
}

/** One member of the project, or undefined when the user is not one. */
export async function findMember(
  db: Kysely<Database>,
  projectId: number,
  userId: number,
): Promise<Member | undefined> {
  const row = await selectMembers(db, projectId)
    .where('project_member.user_id', '=', userId)
    .executeTakeFirst();
  return row === undefined ? undefined : toMember(row);
}

/** Adds a user to the project with a role. */
export async function insertMember(
  db: Kysely<Database>,
  member: { projectId: number; userId: number; role: ProjectRole },
  now: Date,
): Promise<void> {
  await db
    .insertInto('project_member')
    .values({
      project_id: member.projectId,
      user_id: member.userId,
      role: member.role,
      added_time: now.toISOString(),
    })
    .execute();
}

/** Changes a member's role. */
export async function updateMemberRole(
  db: Kysely<Database>,
  projectId: number,
  userId: number,
  role: ProjectRole,
): Promise<void> {
  await db
    .updateTable('project_member')
    .set({ role })
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .execute();
}

/** Removes a member from the project. */
export async function deleteMember(
  db: Kysely<Database>,
  projectId: number,
  userId: number,
): Promise<void> {
  await db
    .deleteFrom('project_member')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .execute();
}

/**
 * The user ids of the project's admin members. On PostgreSQL the project's row is locked first, so
 * two admins demoting each other at once are checked one after the other (SQLite runs one transaction
 * at a time); every change to the project's members takes the same lock.
 */
export async function lockAdminMembers(
  db: Kysely<Database>,
  dialect: DialectName,
  projectId: number,
): Promise<number[]> {
  if (dialect === 'postgres')
    await db.selectFrom('project').select('id').where('id', '=', projectId).forUpdate().execute();
  const rows = await db
    .selectFrom('project_member')
    .select('user_id')
    .where('project_id', '=', projectId)
    .where('role', '=', 'admin')
    .execute();
  return rows.map((row) => row.user_id);
}
