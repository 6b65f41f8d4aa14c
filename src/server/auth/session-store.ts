import type { Kysely } from 'kysely';
import type { AppUserRow, Database } from '../db/schema.ts';
import { newSecret, secretHash } from './secret-tokens.ts';

// Sessions live in the database, so any API process serves any session and signing out ends it
// everywhere. The cookie holds a random token; the table holds only its SHA-256.

/** How long sessions last. */
export interface SessionLifetimes {
  /** A session unused this long ends. */
  idleMinutes: number;
  /** A session ends this long after sign-in, however busy. */
  absoluteHours: number;
}

// A busy panel makes many requests a minute; writing last_seen on each would be a write per read.
// So it is renewed at most once a minute, and at least twice per idle period (a one-minute idle
// limit would otherwise end a busy session before its first renewal).
const touchEveryMs = 60_000;

/** A session found by its token, with its user, or why there is none. */
export type SessionLookup =
  | { found: true; user: AppUserRow; tokenHash: string; idleExpiresAt: Date }
  | { found: false; reason: 'unknown' | 'expired' };

/**
 * Ends every session of a user but `keepTokenHash`; returns how many ended. Takes the database or a
 * transaction, so disabling an account signs it out in the same transaction as it is disabled.
 */
export async function endSessionsOf(
  db: Kysely<Database>,
  userId: number,
  keepTokenHash?: string,
): Promise<number> {
  let query = db.deleteFrom('user_session').where('user_id', '=', userId);
  if (keepTokenHash !== undefined) query = query.where('token_hash', '!=', keepTokenHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Database access for sessions. */
export class SessionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly lifetimes: SessionLifetimes,
  ) {}

  /** Starts a session for `userId`; returns the token for the cookie (shown nowhere else). */
  async create(
    userId: number,
    client: { ip: string | null; userAgent: string | null },
    now = new Date(),
  ): Promise<{ token: string; idleExpiresAt: Date }> {
    const token = newSecret();
    await this.db
      .insertInto('user_session')
      .values({
        token_hash: secretHash(token),
        user_id: userId,
        created_time: now.toISOString(),
        last_seen_time: now.toISOString(),
        absolute_expires_time: new Date(
          now.getTime() + this.lifetimes.absoluteHours * 3_600_000,
        ).toISOString(),
        ip: client.ip,
        user_agent: client.userAgent?.slice(0, 500) ?? null,
      })
      .execute();
    return { token, idleExpiresAt: this.idleExpiry(now) };
  }

  /** The live session a cookie's token names, renewing its idle expiry; an expired one is deleted. */
  async find(token: string, now = new Date()): Promise<SessionLookup> {
    const tokenHash = secretHash(token);
    const row = await this.db
      .selectFrom('user_session')
      .innerJoin('app_user', 'app_user.id', 'user_session.user_id')
      .selectAll('app_user')
      .select(['user_session.last_seen_time', 'user_session.absolute_expires_time'])
      .where('user_session.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (row === undefined) return { found: false, reason: 'unknown' };
    const lastSeen = new Date(row.last_seen_time);
    const idleEnd = this.idleExpiry(lastSeen);
    if (idleEnd <= now || new Date(row.absolute_expires_time) <= now) {
      await this.end(tokenHash);
      return { found: false, reason: 'expired' };
    }
    const renewed = now.getTime() - lastSeen.getTime() >= this.renewEveryMs();
    if (renewed) {
      await this.db
        .updateTable('user_session')
        .set({ last_seen_time: now.toISOString() })
        .where('token_hash', '=', tokenHash)
        .execute();
    }
    const { last_seen_time: _seen, absolute_expires_time: _end, ...user } = row;
    // What is stored, and never past the absolute end: the idle end the next request is held to.
    const idleExpiresAt = this.idleExpiry(renewed ? now : lastSeen);
    const absoluteEnd = new Date(row.absolute_expires_time);
    return {
      found: true,
      user,
      tokenHash,
      idleExpiresAt: idleExpiresAt < absoluteEnd ? idleExpiresAt : absoluteEnd,
    };
  }

  /** Ends one session (sign-out). */
  async end(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('user_session').where('token_hash', '=', tokenHash).execute();
  }

  /** Ends a user's sessions but `keepTokenHash` (a password change or reset); returns how many. */
  async endAllFor(userId: number, keepTokenHash?: string): Promise<number> {
    return endSessionsOf(this.db, userId, keepTokenHash);
  }

  private renewEveryMs(): number {
    return Math.min(touchEveryMs, (this.lifetimes.idleMinutes * 60_000) / 2);
  }

  private idleExpiry(from: Date): Date {
    return new Date(from.getTime() + this.lifetimes.idleMinutes * 60_000);
  }
}
