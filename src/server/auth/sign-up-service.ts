import type { SignUpInfo, SignUpRequest } from '../../contract/auth.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { AppUserRow } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import { startSession } from './account-service.ts';
import type { SessionClient, StartedSession } from './account-service.ts';
import { hashPassword } from './password-hash.ts';
import { secretHash } from './secret-tokens.ts';
import type { SessionStore } from './session-store.ts';

// A new user's way in: the one-time link an instance admin made for them (POST /api/v1/users)
// names a token; opening it shows whose account it is, and sending a password with it sets that
// password and signs them in. A link works once and until it expires.

/** Why a sign-up token does not work; the 404's `details.reason`, for the panel to say so. */
export type SignUpLinkProblem = 'unknown' | 'used' | 'expired' | 'account_disabled';

interface LinkWithUser {
  linkId: number;
  expiresTime: string;
  usedTime: string | null;
  user: AppUserRow;
}

function linkProblem(found: LinkWithUser | undefined, now: Date): SignUpLinkProblem | undefined {
  if (found === undefined) return 'unknown';
  if (found.usedTime !== null) return 'used';
  if (new Date(found.expiresTime) <= now) return 'expired';
  if (found.user.disabled === 1) return 'account_disabled';
  return undefined;
}

// Each is a 404 (the link is gone as far as anyone may use it), told apart by its message and reason.
function unusableLink(problem: SignUpLinkProblem, found: LinkWithUser | undefined): ApiError {
  const messages: Record<SignUpLinkProblem, string> = {
    unknown:
      'This sign-up link is not valid. Check that it was copied whole, or ask an instance admin for a new one.',
    used: 'This sign-up link was already used. Sign in with the password chosen then, or ask an instance admin for a new link.',
    expired: `This sign-up link expired at ${found?.expiresTime ?? 'its end'}. Ask an instance admin for a new one.`,
    account_disabled:
      'The account this sign-up link is for is disabled. Ask an instance admin to turn it back on.',
  };
  return new ApiError('not_found', messages[problem], { reason: problem });
}

/** Reading and using sign-up links. */
export class SignUpService {
  constructor(
    private readonly database: AnnexDatabase,
    private readonly sessions: SessionStore,
  ) {}

  /** Whose link `token` is and until when; a 404 saying why when it cannot be used. */
  async info(token: string, now = new Date()): Promise<SignUpInfo> {
    const found = await this.find(token);
    const problem = linkProblem(found, now);
    if (problem !== undefined || found === undefined)
      throw unusableLink(problem ?? 'unknown', found);
    return { email: found.user.email, expires_at: found.expiresTime };
  }

  /**
   * Sets the password of the link's user and signs them in. The link is marked used in the same
   * transaction as the password is set, by an update that only matches an unused, unexpired link:
   * of two requests with one token, exactly one succeeds.
   */
  async signUp(request: SignUpRequest, client: SessionClient): Promise<StartedSession> {
    const now = new Date();
    const found = await this.find(request.token);
    const problem = linkProblem(found, now);
    if (problem !== undefined || found === undefined)
      throw unusableLink(problem ?? 'unknown', found);
    // scrypt takes tens of milliseconds: hashed before the transaction, which then only writes.
    const passwordHash = await hashPassword(request.password);
    const nowIso = now.toISOString();
    const claimed = await this.database.db.transaction().execute(async (trx) => {
      const used = await trx
        .updateTable('sign_up_link')
        .set({ used_time: nowIso })
        .where('id', '=', found.linkId)
        .where('used_time', 'is', null)
        .where('expires_time', '>', nowIso)
        .executeTakeFirst();
      if (used.numUpdatedRows !== 1n) return false;
      await trx
        .updateTable('app_user')
        .set({
          password_hash: passwordHash,
          must_change_password: 0,
          password_changed_time: nowIso,
        })
        .where('id', '=', found.user.id)
        .execute();
      return true;
    });
    if (!claimed) throw unusableLink('used', found);
    // A link also resets a forgotten password: sessions from before it stop working.
    await this.sessions.endAllFor(found.user.id);
    const user = {
      ...found.user,
      password_hash: passwordHash,
      must_change_password: 0 as const,
      password_changed_time: nowIso,
    };
    return startSession(this.database, this.sessions, user, client, 'signed_up');
  }

  private async find(token: string): Promise<LinkWithUser | undefined> {
    const row = await this.database.db
      .selectFrom('sign_up_link')
      .innerJoin('app_user', 'app_user.id', 'sign_up_link.user_id')
      .selectAll('app_user')
      .select(['sign_up_link.id as link_id', 'sign_up_link.expires_time', 'sign_up_link.used_time'])
      .where('sign_up_link.token_hash', '=', secretHash(token))
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const { link_id: linkId, expires_time: expiresTime, used_time: usedTime, ...user } = row;
    return { linkId, expiresTime, usedTime, user };
  }
}
