import type { MeResponse, User } from '../../contract/auth.ts';
import type { AppUserRow } from '../db/schema.ts';
import type { PrincipalUser, SessionPrincipal } from './principal.ts';

// A user row as the API shows it, and as a principal when a session starts for it (sign-in and
// sign-up know the user before any request is signed in as them).

/** A user's status: disabled when turned off, invited until a password is set (their sign-up link is the way in), then active. */
export function userStatusOf(row: Pick<AppUserRow, 'disabled' | 'password_hash'>): User['status'] {
  if (row.disabled === 1) return 'disabled';
  return row.password_hash === null ? 'invited' : 'active';
}

/** A user row as the API shows it (never the hash). */
export function userView(
  row: Pick<
    AppUserRow,
    'id' | 'email' | 'password_hash' | 'is_instance_admin' | 'disabled' | 'created_time'
  >,
): User {
  return {
    id: row.id,
    email: row.email,
    is_instance_admin: row.is_instance_admin === 1,
    status: userStatusOf(row),
    created_time: row.created_time,
  };
}

/** `GET /api/v1/auth/me` (and sign-in's, sign-up's answer) for `row`; `expiresAt` null for an API key. */
export function meView(
  row: AppUserRow,
  via: MeResponse['via'],
  expiresAt: string | null,
): MeResponse {
  return {
    user: userView(row),
    via,
    expires_at: expiresAt,
    must_change_password: row.must_change_password === 1,
  };
}

/** The principal of a session just started for `row`, for the audit event that records it. */
export function sessionPrincipalOf(
  row: AppUserRow,
  sessionTokenHash: string,
  expiresAt: Date,
): SessionPrincipal {
  const user: PrincipalUser = {
    id: row.id,
    email: row.email,
    isInstanceAdmin: row.is_instance_admin === 1,
    isInstanceAdminAccount: row.is_instance_admin === 1,
    mustChangePassword: row.must_change_password === 1,
  };
  return { via: 'session', user, sessionTokenHash, expiresAt: expiresAt.toISOString() };
}
