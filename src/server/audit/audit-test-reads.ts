import type { Kysely } from 'kysely';
import type { AuditAction } from '../../contract/auth.ts';
import type { Database } from '../db/schema.ts';

// What tests of audited routes read back: the events recorded, straight from the table, and an
// account made active (a password set) without going through the sign-up routes.

/** An audit row as stored, `details` parsed. */
export interface StoredAuditEvent {
  id: number;
  actor_email: string | null;
  via: string | null;
  project_id: number | null;
  action: AuditAction;
  target: string | null;
  details: Record<string, unknown>;
  ip: string | null;
}

/** The events recorded for `action` (and `target`, when given), oldest first. */
export async function auditEventsOf(
  db: Kysely<Database>,
  action: AuditAction,
  target?: string,
): Promise<StoredAuditEvent[]> {
  let query = db.selectFrom('audit_event').selectAll().where('action', '=', action);
  if (target !== undefined) query = query.where('target', '=', target);
  const rows = await query.orderBy('id').execute();
  return rows.map((row) => ({
    id: row.id,
    actor_email: row.actor_email,
    via: row.via,
    project_id: row.project_id,
    action: row.action,
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
    ip: row.ip,
  }));
}

/** Gives a test account a password hash, so its status is `active` (the hash signs nobody in). */
export async function markSignedUp(db: Kysely<Database>, userId: number): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ password_hash: 'scrypt$test$not-a-real-hash' })
    .where('id', '=', userId)
    .execute();
}
