import type { Kysely } from 'kysely';
import type { AuditAction, AuditEvent } from '../../contract/auth.ts';
import type { Database } from '../db/schema.ts';

// Reading the audit trail: newest first, in pages that stay put while events are added (a page
// starts below the last id the reader saw, and new events only take higher ids).

/** Which events to read and how many. */
export interface AuditPageOptions {
  /** Only this project's events; every event when omitted (the instance admin's view). */
  projectId?: number;
  /** Only ids below this one (the previous page's last id). */
  cursor?: number;
  /** Only events of this action. */
  action?: AuditAction;
  /** Page size. */
  limit: number;
}

/** One page of events and the id to continue below, or null on the last page. */
export interface AuditPage {
  events: AuditEvent[];
  nextCursor: number | null;
}

/** A page of the audit trail, newest first. */
export async function listAuditEvents(
  db: Kysely<Database>,
  options: AuditPageOptions,
): Promise<AuditPage> {
  let query = db
    .selectFrom('audit_event')
    .select(['id', 'time', 'actor_email', 'via', 'action', 'target', 'details', 'ip']);
  if (options.projectId !== undefined) query = query.where('project_id', '=', options.projectId);
  if (options.action !== undefined) query = query.where('action', '=', options.action);
  if (options.cursor !== undefined) query = query.where('id', '<', options.cursor);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => ({ ...row, details: parseDetails(row.details) })),
    nextCursor: rows.length > options.limit && last !== undefined ? last.id : null,
  };
}

// `details` is written by `recordAudit` as a JSON object; anything else (a hand-edited row) reads as
// empty rather than failing the whole page.
function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
