import type { Export } from '../../../../contract/exports.ts';
import { roleAtLeast } from '../../../../contract/roles.ts';
import type { ProjectRole } from '../../../../contract/roles.ts';

// The panel shows a control only to those the server lets use it; the server checks again (403).

/** True when `role` may generate exports (editor and up). */
export function canGenerateExports(role: ProjectRole): boolean {
  return roleAtLeast(role, 'editor');
}

/** True when `role`, signed in as `email`, may archive `item`: an admin any, an editor their own. */
export function canArchiveExport(role: ProjectRole, item: Export, email: string): boolean {
  if (role === 'admin') return true;
  return role === 'editor' && item.created_by === email;
}
