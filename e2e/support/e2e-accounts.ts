import { hashPassword } from '../../src/server/auth/password-hash.ts';
import { secretHash } from '../../src/server/auth/secret-tokens.ts';
import type { AnnexDatabase } from '../../src/server/db/database.ts';
import type { ProjectRole } from '../../src/contract/roles.ts';

// The accounts the e2e suite signs in as, made by the e2e server's seed before annex starts (so the
// first-start admin is this one, with a known password, and nothing is generated or printed).

/** An account a spec signs in as through the form. */
export interface E2eAccount {
  email: string;
  password: string;
}

/** The instance admin: every spec that is not about roles runs signed in as them. */
export const e2eAdmin: E2eAccount = {
  email: 'admin@annex.local',
  password: 'e2e-admin-password',
};

/** A viewer of the demo project. */
export const e2eViewer: E2eAccount = {
  email: 'viewer@annex.local',
  password: 'e2e-viewer-password',
};

/** The admin's API key, which the specs' API helper sends as HTTP Basic auth. */
export const e2eAdminKey = {
  clientId: 'annex_e2e_admin',
  clientSecret: 'e2e-admin-key-secret-0123456789',
};

/** Where the admin's signed-in browser state is kept between the setup project and the specs. */
export const adminStorageState = 'test-results/.auth/admin.json';

async function addUser(
  database: AnnexDatabase,
  account: E2eAccount,
  options: { instanceAdmin: boolean; projects: Record<number, ProjectRole> },
): Promise<number> {
  const now = new Date().toISOString();
  const { id } = await database.db
    .insertInto('app_user')
    .values({
      email: account.email,
      password_hash: await hashPassword(account.password),
      is_instance_admin: options.instanceAdmin ? 1 : 0,
      disabled: 0,
      must_change_password: 0,
      created_time: now,
      password_changed_time: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [projectId, role] of Object.entries(options.projects)) {
    await database.db
      .insertInto('project_member')
      .values({ project_id: Number(projectId), user_id: id, role, added_time: now })
      .execute();
  }
  return id;
}

/** Makes the admin (with its key) and the demo's viewer. */
export async function seedE2eAccounts(
  database: AnnexDatabase,
  demoProjectId: number,
): Promise<void> {
  const adminId = await addUser(database, e2eAdmin, {
    instanceAdmin: true,
    projects: { [demoProjectId]: 'admin' },
  });
  await database.db
    .insertInto('api_key')
    .values({
      user_id: adminId,
      name: 'e2e specs',
      client_id: e2eAdminKey.clientId,
      secret_hash: secretHash(e2eAdminKey.clientSecret),
      project_id: null,
      role: null,
      created_time: new Date().toISOString(),
    })
    .execute();
  await addUser(database, e2eViewer, {
    instanceAdmin: false,
    projects: { [demoProjectId]: 'viewer' },
  });
}
