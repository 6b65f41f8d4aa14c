import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuditAction } from '../../contract/auth.ts';
import type { Principal } from '../auth/principal.ts';
import { requireInstanceAdmin } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';

// The audit trail: who signed in, made or revoked a key, changed a member, generated, asked for a
// download link or archived what, and when. One row per event, written beside the change it records;
// read by project admins (their project's events) and instance admins (everything).

/** One event to record. */
export interface AuditEntry {
  action: AuditAction;
  /** The project it concerns; omitted for instance-wide events (sign-in, users). */
  projectId?: number | null;
  /** What it was done to, in words (`export 12`, `member bob@example.com`). */
  target?: string | null;
  /** Anything else worth keeping (a role, a key's name); never a secret. */
  details?: Record<string, unknown>;
}

/** Who did it and from where, when no principal is known (a failed sign-in). */
export interface AuditActor {
  principal: Principal | null;
  ip: string | null;
  /** Set when annex itself acted, for nobody (`retention`); recorded as the event's `via`. */
  automatic?: 'retention';
}

/** The actor of the retention sweep's archives: annex itself, no account, no address. */
export const retentionActor: AuditActor = { principal: null, ip: null, automatic: 'retention' };

/** An actor who is signed in: the one a route that needs someone hands its service. */
export interface SignedInActor extends AuditActor {
  principal: Principal;
}

/** The actor of a request: its principal and client address. */
export function auditActorOf(request: FastifyRequest): AuditActor {
  return { principal: request.annexPrincipal, ip: request.ip };
}

/**
 * The actor of a request only an instance admin may make (managing users, creating a project); a 403
 * for anyone else, including an instance admin's key bound to one project.
 */
export function instanceAdminActorOf(request: FastifyRequest): SignedInActor {
  const principal = requireInstanceAdmin(request);
  return { ...auditActorOf(request), principal };
}

/** Records one event; `db` may be a transaction, so the event commits with the change it records. */
export async function recordAudit(
  db: Kysely<Database>,
  actor: AuditActor,
  entry: AuditEntry,
  now = new Date(),
): Promise<void> {
  const { principal } = actor;
  await db
    .insertInto('audit_event')
    .values({
      time: now.toISOString(),
      actor_user_id: principal?.user.id ?? null,
      actor_email: principal?.user.email ?? null,
      via: principal?.via ?? actor.automatic ?? null,
      project_id: entry.projectId ?? null,
      action: entry.action,
      target: entry.target ?? null,
      details: JSON.stringify(entry.details ?? {}),
      ip: actor.ip,
    })
    .execute();
}
