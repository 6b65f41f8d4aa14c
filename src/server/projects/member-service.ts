import type { AddMemberRequest, Member } from '../../contract/auth.ts';
import type { ProjectSummary } from '../../contract/projects.ts';
import type { ProjectRole } from '../../contract/roles.ts';
import { findUserByEmail } from '../accounts/user-queries.ts';
import { isUniqueViolation } from '../accounts/unique-violation.ts';
import type { AuditActor } from '../audit/audit-log.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import {
  deleteMember,
  findMember,
  insertMember,
  listMembers,
  lockAdminMembers,
  updateMemberRole,
} from './member-queries.ts';

// The rules of a project's members, for whichever front door calls them (the routes check that the
// caller is the project's admin first): members are existing accounts added by email, and a project
// always keeps at least one admin member. Instance admins administer every project without being
// members, so they never count towards that admin.

type MemberProject = Pick<ProjectSummary, 'id' | 'project_string_id'>;

/** A project's members. */
export class MemberService {
  constructor(private readonly database: AnnexDatabase) {}

  /** The project's members, by email. */
  async list(project: MemberProject): Promise<Member[]> {
    return listMembers(this.database.db, project.id);
  }

  /**
   * Adds the account with this email; a 404 saying an instance admin adds users first when there is
   * none, a 409 when they are a member already.
   */
  async add(
    project: MemberProject,
    input: Required<AddMemberRequest>,
    actor: AuditActor,
  ): Promise<Member> {
    const { db } = this.database;
    const user = await findUserByEmail(db, input.email);
    if (user === undefined)
      throw new ApiError(
        'not_found',
        `No account has the email ${input.email}. An instance admin adds users first (Users page, or POST /api/v1/users), then you can add them here.`,
        { field: 'body.email', email: input.email },
      );
    const existing = await findMember(db, project.id, user.id);
    if (existing !== undefined) throw alreadyMember(project, existing);
    try {
      return await db.transaction().execute(async (trx) => {
        await insertMember(
          trx,
          { projectId: project.id, userId: user.id, role: input.role },
          new Date(),
        );
        await recordAudit(trx, actor, {
          action: 'member_added',
          projectId: project.id,
          target: `member ${user.email}`,
          details: { role: input.role },
        });
        const member = await findMember(trx, project.id, user.id);
        if (member === undefined) throw new Error(`Member ${user.id} vanished after being added`);
        return member;
      });
    } catch (error) {
      // Another admin added them between the check and the insert.
      if (isUniqueViolation(error)) {
        const member = await findMember(db, project.id, user.id);
        if (member !== undefined) throw alreadyMember(project, member);
      }
      throw error;
    }
  }

  /** Changes a member's role; a 409 when it would demote the project's last admin member. */
  async changeRole(
    project: MemberProject,
    userId: number,
    role: ProjectRole,
    actor: AuditActor,
  ): Promise<Member> {
    const { db, dialect } = this.database;
    return db.transaction().execute(async (trx) => {
      const admins = await lockAdminMembers(trx, dialect, project.id);
      const before = await findMember(trx, project.id, userId);
      if (before === undefined) throw notAMember(project, userId);
      if (before.role === role) return before;
      if (before.role === 'admin') refuseLosingLastAdmin(project, before, admins, 'demote');
      await updateMemberRole(trx, project.id, userId, role);
      await recordAudit(trx, actor, {
        action: 'member_role_changed',
        projectId: project.id,
        target: `member ${before.email}`,
        details: { from: before.role, to: role },
      });
      return { ...before, role };
    });
  }

  /** Removes a member; a 409 when they are the project's last admin member. */
  async remove(project: MemberProject, userId: number, actor: AuditActor): Promise<void> {
    const { db, dialect } = this.database;
    await db.transaction().execute(async (trx) => {
      const admins = await lockAdminMembers(trx, dialect, project.id);
      const member = await findMember(trx, project.id, userId);
      if (member === undefined) throw notAMember(project, userId);
      if (member.role === 'admin') refuseLosingLastAdmin(project, member, admins, 'remove');
      await deleteMember(trx, project.id, userId);
      await recordAudit(trx, actor, {
        action: 'member_removed',
        projectId: project.id,
        target: `member ${member.email}`,
        details: { role: member.role },
      });
    });
  }
}

function refuseLosingLastAdmin(
  project: MemberProject,
  member: Member,
  adminIds: readonly number[],
  change: 'demote' | 'remove',
): void {
  if (adminIds.some((id) => id !== member.user_id)) return;
  throw new ApiError(
    'conflict',
    `${member.email} is the last admin of project "${project.project_string_id}", which always keeps one admin member to manage it. Make another member admin first, then ${change} ${member.email}.`,
    { user_id: member.user_id },
  );
}

function notAMember(project: MemberProject, userId: number): ApiError {
  return notFound(`Member ${userId} of project "${project.project_string_id}"`, {
    field: 'params.id',
    id: userId,
  });
}

function alreadyMember(project: MemberProject, member: Member): ApiError {
  return new ApiError(
    'conflict',
    `${member.email} is already a member of project "${project.project_string_id}" (${member.role}). To change their role, PATCH /api/v1/projects/${project.project_string_id}/members/${member.user_id}.`,
    { field: 'body.email', user_id: member.user_id, role: member.role },
  );
}
