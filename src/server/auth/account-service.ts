import fs from 'node:fs';
import type { ChangePasswordRequest, MeResponse, SignInRequest } from '../../contract/auth.ts';
import type { AuditActor } from '../audit/audit-log.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { AppUserRow } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import { initialAdminPasswordPath } from './first-admin.ts';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from './password-hash.ts';
import type { Principal, SessionPrincipal } from './principal.ts';
import { secretHash } from './secret-tokens.ts';
import type { SessionStore } from './session-store.ts';
import { meView, sessionPrincipalOf } from './user-view.ts';

// Signing in and out and changing one's own password: the rules behind /api/v1/auth. Routes read
// cookies and set them; everything else (which session ends, what the audit trail says) is here.

/** The browser a session is started for. */
export interface SessionClient {
  ip: string | null;
  userAgent: string | null;
  /** The token of the session cookie the request carried, ended so sign-in always rotates it. */
  oldToken: string | undefined;
}

/** A session just started, for the route to put in a cookie and answer with. */
export interface StartedSession {
  /** The cookie's value (shown nowhere else). */
  token: string;
  /** The answer to sign-in or sign-up. */
  me: MeResponse;
}

/** One message for every failed sign-in, so an answer never tells which accounts exist. */
export const wrongCredentialsMessage = 'Email or password is wrong.';

/**
 * Starts a session for `user` after ending the one `client.oldToken` named: a sign-in always gets a
 * fresh token, so one planted before it (session fixation) signs nobody in. Records `action`.
 */
export async function startSession(
  database: AnnexDatabase,
  sessions: SessionStore,
  user: AppUserRow,
  client: SessionClient,
  action: 'sign_in' | 'signed_up',
): Promise<StartedSession> {
  if (client.oldToken !== undefined) await sessions.end(secretHash(client.oldToken));
  const { token, idleExpiresAt } = await sessions.create(user.id, client);
  const principal = sessionPrincipalOf(user, secretHash(token), idleExpiresAt);
  await recordAudit(database.db, { principal, ip: client.ip }, { action, target: user.email });
  return { token, me: meView(user, 'session', idleExpiresAt.toISOString()) };
}

/** What the account service is built from. */
export interface AccountServiceOptions {
  database: AnnexDatabase;
  sessions: SessionStore;
  /** Holds `initial-admin-password` until the first admin changes it. */
  dataDir: string;
}

/** Sign-in, sign-out, who am I, and password changes. */
export class AccountService {
  constructor(private readonly options: AccountServiceOptions) {}

  /**
   * Checks an email and password and starts a session; a 401 with one message for an unknown email,
   * a wrong password and a disabled account alike. Every path runs one scrypt verification, so
   * timing does not tell them apart either.
   */
  async signIn(credentials: SignInRequest, client: SessionClient): Promise<StartedSession> {
    const { database, sessions } = this.options;
    const email = credentials.email.toLowerCase();
    const user = await database.db
      .selectFrom('app_user')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst();
    const passwordMatches =
      user?.password_hash == null
        ? await verifyAgainstDecoy(credentials.password)
        : await verifyPassword(credentials.password, user.password_hash);
    if (user === undefined || !passwordMatches || user.disabled === 1) {
      // Nobody is signed in by a failed attempt, whatever the request carried.
      await recordAudit(
        database.db,
        { principal: null, ip: client.ip },
        { action: 'sign_in_failed', details: { email } },
      );
      throw new ApiError('unauthenticated', wrongCredentialsMessage, {
        reason: 'wrong_email_or_password',
      });
    }
    return startSession(database, sessions, user, client, 'sign_in');
  }

  /** Ends a session server-side (its cookie then signs nobody in); nothing for an API key. */
  async signOut(actor: AuditActor): Promise<void> {
    const { principal } = actor;
    if (principal?.via !== 'session') return;
    await this.options.sessions.end(principal.sessionTokenHash);
    await recordAudit(this.options.database.db, actor, {
      action: 'sign_out',
      target: principal.user.email,
    });
  }

  /** Who `principal` is and how they are signed in. */
  async me(principal: Principal): Promise<MeResponse> {
    const user = await this.userRow(principal.user.id);
    return meView(user, principal.via, principal.via === 'session' ? principal.expiresAt : null);
  }

  /**
   * Changes the signed-in user's password: a 400 naming `body.current_password` when it is not
   * theirs. Ends their other sessions (a stolen one stops working), and removes the generated first
   * password's file once the first admin has picked their own.
   */
  async changePassword(
    principal: SessionPrincipal,
    change: ChangePasswordRequest,
    actor: AuditActor,
  ): Promise<void> {
    const { database, sessions, dataDir } = this.options;
    const user = await this.userRow(principal.user.id);
    const currentMatches =
      user.password_hash === null
        ? await verifyAgainstDecoy(change.current_password)
        : await verifyPassword(change.current_password, user.password_hash);
    if (!currentMatches)
      throw new ApiError(
        'validation_failed',
        'The current password is not right. Type the password you signed in with.',
        { issues: [{ field: 'body.current_password', message: 'is not your current password' }] },
      );
    const now = new Date().toISOString();
    await database.db
      .updateTable('app_user')
      .set({
        password_hash: await hashPassword(change.new_password),
        must_change_password: 0,
        password_changed_time: now,
      })
      .where('id', '=', user.id)
      .execute();
    await sessions.endAllFor(user.id, principal.sessionTokenHash);
    if (user.must_change_password === 1)
      fs.rmSync(initialAdminPasswordPath(dataDir), { force: true });
    await recordAudit(database.db, actor, { action: 'password_changed', target: user.email });
  }

  private async userRow(id: number): Promise<AppUserRow> {
    return this.options.database.db
      .selectFrom('app_user')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }
}
