import type { AuditAction, AuditEvent } from '../../../../contract/auth.ts';

/** Each audit action in words, as the audit table and its filter show it. */
export const auditActionText: Record<AuditAction, string> = {
  sign_in: 'Signed in',
  sign_in_failed: 'Sign-in failed',
  sign_out: 'Signed out',
  password_changed: 'Changed their password',
  user_created: 'Created a user',
  user_updated: 'Changed a user',
  sign_up_link_created: 'Issued a sign-up link',
  signed_up: 'Signed up',
  api_key_created: 'Created an API key',
  api_key_revoked: 'Revoked an API key',
  member_added: 'Added a member',
  member_role_changed: 'Changed a member’s role',
  member_removed: 'Removed a member',
  project_created: 'Created the project',
  export_created: 'Generated an export',
  export_link_issued: 'Got a download link',
  export_downloaded: 'Downloaded an export',
  export_archived: 'Archived an export',
  export_cancelled: 'Cancelled an export',
  export_retried: 'Retried an export',
  import_started: 'Started an import',
};

/** An event's details as `key: value` lines, text as is and anything else as JSON; none when it has none. */
export function auditDetailLines(details: AuditEvent['details']): string[] {
  return Object.entries(details).map(
    ([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
}

/** How the actor was signed in, in words. */
export function auditViaText(via: AuditEvent['via']): string {
  if (via === 'session') return 'panel';
  if (via === 'api_key') return 'API key';
  if (via === 'retention') return 'retention (automatic)';
  return '—';
}

/** Who acted: their email, annex itself for an automatic archive, or nobody (a failed sign-in). */
export function auditActorText(event: Pick<AuditEvent, 'actor_email' | 'via'>): string {
  if (event.actor_email !== null) return event.actor_email;
  return event.via === 'retention' ? 'annex' : 'nobody signed in';
}
