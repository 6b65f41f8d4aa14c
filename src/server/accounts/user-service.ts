import type { SignUpLink, UpdateUserRequest, User } from '../../contract/auth.ts';
import type { SignedInActor } from '../audit/audit-log.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { endSessionsOf } from '../auth/session-store.ts';
import { userStatusOf, userView } from '../auth/user-view.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { issueSignUpLink, signUpUrl } from './sign-up-link-issuer.ts';
import { isUniqueViolation } from './unique-violation.ts';
import {
  findUserByEmail,
  findUserById,
  insertInvitedUser,
  listUsers,
  lockActiveInstanceAdmins,
  updateUserFlags,
} from './user-queries.ts';

// The rules of managing users, for whichever front door calls them (the routes check that the caller
// is an instance admin first): a user is made without a password and signs up through a link; an
// admin may not lock themselves out, and annex never loses its last active instance admin.

/** What the user service is built from. */
export interface UserServiceOptions {
  database: AnnexDatabase;
  /** How long a sign-up link works (SIGN_UP_LINK_HOURS). */
  signUpLinkHours: number;
}

/** Users and their sign-up links. */
export class UserService {
  private readonly database: AnnexDatabase;
  private readonly signUpLinkHours: number;

  constructor(options: UserServiceOptions) {
    this.database = options.database;
    this.signUpLinkHours = options.signUpLinkHours;
  }

  /** Every user, by email. */
  async list(): Promise<User[]> {
    return listUsers(this.database.db);
  }

  /**
   * Adds a user (status `invited`) and makes their sign-up link on `origin`; a 409 `conflict` when the
   * email has an account already.
   */
  async create(
    input: { email: string; is_instance_admin: boolean },
    actor: SignedInActor,
    origin: string,
  ): Promise<SignUpLink> {
    const existing = await findUserByEmail(this.database.db, input.email);
    if (existing !== undefined) throw emailTaken(existing.email, existing.id);
    const now = new Date();
    try {
      return await this.database.db.transaction().execute(async (trx) => {
        const row = await insertInvitedUser(
          trx,
          { email: input.email, isInstanceAdmin: input.is_instance_admin },
          now,
        );
        const link = await issueSignUpLink(
          trx,
          { userId: row.id, createdByUserId: actor.principal.user.id, hours: this.signUpLinkHours },
          now,
        );
        const target = `user ${row.email}`;
        await recordAudit(trx, actor, {
          action: 'user_created',
          target,
          details: { is_instance_admin: input.is_instance_admin },
        });
        await recordAudit(trx, actor, {
          action: 'sign_up_link_created',
          target,
          details: { expires_at: link.expiresAt.toISOString() },
        });
        return {
          user: userView(row),
          url: signUpUrl(origin, link.token),
          expires_at: link.expiresAt.toISOString(),
        };
      });
    } catch (error) {
      // Another admin added the same email between the check and the insert.
      if (isUniqueViolation(error)) throw emailTaken(input.email);
      throw error;
    }
  }

  /**
   * A fresh sign-up link for a user; their earlier unused links stop working. For an invited user it
   * replaces a lost or expired invitation; for an active user it is a password reset (annex sends no
   * mail, so an admin hands the link over). A 409 for a disabled user, a 404 for no such user.
   */
  async issueLink(userId: number, actor: SignedInActor, origin: string): Promise<SignUpLink> {
    return this.database.db.transaction().execute(async (trx) => {
      const row = await findUserById(trx, userId);
      if (row === undefined) throw userNotFound(userId);
      if (row.disabled === 1)
        throw new ApiError(
          'conflict',
          `${row.email} is disabled, so a link would not let them in. Turn the account back on first (PATCH /api/v1/users/${userId} with "disabled": false).`,
          { user_id: userId },
        );
      const link = await issueSignUpLink(
        trx,
        { userId, createdByUserId: actor.principal.user.id, hours: this.signUpLinkHours },
        new Date(),
      );
      await recordAudit(trx, actor, {
        action: 'sign_up_link_created',
        target: `user ${row.email}`,
        details: {
          expires_at: link.expiresAt.toISOString(),
          // An active user's link sets a new password: a reset, worth telling apart in the trail.
          purpose: userStatusOf(row) === 'active' ? 'password_reset' : 'sign_up',
        },
      });
      return {
        user: userView(row),
        url: signUpUrl(origin, link.token),
        expires_at: link.expiresAt.toISOString(),
      };
    });
  }

  /**
   * Turns a user off or on (off ends all their sessions; their API keys stop working while off) or
   * changes whether they are an instance admin. A 409 when an admin would disable or demote
   * themselves, or when the change would leave annex without an active instance admin.
   */
  async update(userId: number, changes: UpdateUserRequest, actor: SignedInActor): Promise<User> {
    const { dialect } = this.database;
    return this.database.db.transaction().execute(async (trx) => {
      // Locked first (PostgreSQL) so two admins demoting each other at once are checked in turn.
      const activeAdmins = await lockActiveInstanceAdmins(trx, dialect);
      const before = await findUserById(trx, userId);
      if (before === undefined) throw userNotFound(userId);
      const disabling = changes.disabled === true && before.disabled === 0;
      const demoting = changes.is_instance_admin === false && before.is_instance_admin === 1;
      if (userId === actor.principal.user.id && (changes.disabled === true || demoting))
        throw new ApiError(
          'conflict',
          changes.disabled === true
            ? 'You may not disable your own account: ask another instance admin.'
            : 'You may not take away your own instance admin rights: ask another instance admin.',
          { user_id: userId },
        );
      if (
        (disabling || demoting) &&
        activeAdmins.includes(userId) &&
        activeAdmins.every((id) => id === userId)
      )
        throw new ApiError(
          'conflict',
          `${before.email} is the last active instance admin, and annex always keeps one who can sign in and manage users. Make another user an instance admin (and let them sign up) first.`,
          { user_id: userId },
        );

      const after = await updateUserFlags(trx, userId, {
        ...(changes.disabled === undefined ? {} : { disabled: changes.disabled }),
        ...(changes.is_instance_admin === undefined
          ? {}
          : { isInstanceAdmin: changes.is_instance_admin }),
      });
      const details: Record<string, unknown> = {};
      if (after.disabled !== before.disabled)
        details.disabled = { from: before.disabled === 1, to: after.disabled === 1 };
      if (after.is_instance_admin !== before.is_instance_admin)
        details.is_instance_admin = {
          from: before.is_instance_admin === 1,
          to: after.is_instance_admin === 1,
        };
      if (disabling) details.sessions_ended = await endSessionsOf(trx, userId);
      if (Object.keys(details).length > 0)
        await recordAudit(trx, actor, {
          action: 'user_updated',
          target: `user ${after.email}`,
          details,
        });
      return userView(after);
    });
  }
}

function userNotFound(userId: number): ApiError {
  return notFound(`User ${userId}`, { field: 'params.id', id: userId });
}

function emailTaken(email: string, userId?: number): ApiError {
  const next =
    userId === undefined
      ? 'Find them in GET /api/v1/users.'
      : `To hand them a new link, POST /api/v1/users/${userId}/sign-up-link.`;
  return new ApiError('conflict', `An account with the email ${email} already exists. ${next}`, {
    field: 'body.email',
    ...(userId === undefined ? {} : { user_id: userId }),
  });
}
