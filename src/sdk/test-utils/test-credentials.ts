import type { ProjectRole } from '../../contract/roles.ts';
// The SDK's tests play the operator of the server they spawn: they make API keys straight in its
// database, with the server's own test helpers, so the SDK's tests do not depend on the key routes
// (or the panel) working. Only these test utilities reach into src/server; the SDK never does.
// eslint-disable-next-line import-x/no-restricted-paths -- test set-up of a spawned server's database
import { openDatabase } from '../../server/db/database.ts';
import {
  addTestAccount,
  ensureTestAdmin,
  testAdminAuthorization,
  testAdminEmail,
  // eslint-disable-next-line import-x/no-restricted-paths -- the server's own way to make test keys
} from '../../server/test-utils/test-accounts.ts';
import type { ApiKeyCredentials } from '../api-credentials.ts';

/** An account of a test server with an API key: what a script would be given. */
export interface TestCredentials extends ApiKeyCredentials {
  /** The account's email (what `created_by` shows). */
  email: string;
}

/** The first instance admin's password on a test server, so it never prints a generated one. */
export const testAdminPassword = 'annex-sdk-test-admin-password';
export { testAdminEmail };

// ensureTestAdmin makes a key whose secret only its `authorization` header carries.
function credentialsOfBasic(authorization: string): ApiKeyCredentials {
  const decoded = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

/**
 * Gives the instance admin (admin@annex.local: the one the server made at start from
 * ANNEX_ADMIN_EMAIL, or made here when it did not) an API key in the server's database.
 */
export async function provisionTestAdmin(databaseUrl: string): Promise<TestCredentials> {
  const database = await openDatabase(databaseUrl);
  try {
    await ensureTestAdmin(database.db);
  } finally {
    await database.close();
  }
  return { email: testAdminEmail, ...credentialsOfBasic(testAdminAuthorization) };
}

/** Options of `addProjectAccount`. */
export interface ProjectAccountOptions {
  /** The project the account is a member of (default `demo`). */
  projectStringId?: string;
  /** Make the key already revoked. */
  revoked?: boolean;
}

/** Adds a user who is `role` of one project (default `demo`), with an API key, to a test server's database. */
export async function addProjectAccount(
  databaseUrl: string,
  role: ProjectRole,
  options: ProjectAccountOptions = {},
): Promise<TestCredentials> {
  const projectStringId = options.projectStringId ?? 'demo';
  const database = await openDatabase(databaseUrl);
  try {
    const project = await database.db
      .selectFrom('project')
      .select('id')
      .where('project_string_id', '=', projectStringId)
      .executeTakeFirstOrThrow(
        () => new Error(`the test server has no project "${projectStringId}"`),
      );
    const account = await addTestAccount(database.db, {
      projects: { [project.id]: role },
      key: { revoked: options.revoked === true },
    });
    return { email: account.email, clientId: account.clientId, clientSecret: account.clientSecret };
  } finally {
    await database.close();
  }
}
