import { roleAtLeast } from '../../../../contract/roles.ts';
import type { ProjectRole } from '../../../../contract/roles.ts';

// The panel shows Import only to those the server lets import; the server checks again (403).

/** True when `role` may import files into the project (editor and up, as for every write). */
export function canImport(role: ProjectRole): boolean {
  return roleAtLeast(role, 'editor');
}
