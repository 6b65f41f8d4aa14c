import { projectRoles } from '../../../../contract/roles.ts';
import type { ProjectRole } from '../../../../contract/roles.ts';

/** What each project role may do, in one sentence (the members page explains them beside the picker). */
export const roleDescriptions: Record<ProjectRole, string> = {
  viewer: 'Viewer: sees the panel and the exports, previews and downloads them.',
  editor: 'Editor: also generates exports and archives their own.',
  admin: 'Admin: does everything, including members, the audit trail and archiving any export.',
};

/** `viewer` → `Viewer`. */
export function roleLabel(role: ProjectRole): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}

/** The roles as select options, weakest first. */
export const roleOptions = projectRoles.map((role) => ({ value: role, label: roleLabel(role) }));
