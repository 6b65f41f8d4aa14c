import type { FastifyInstance } from 'fastify';
import type { DialectName } from '../db/database.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { addTestAccount } from './test-accounts.ts';
import type { TestAccount } from './test-accounts.ts';
import { createTestApp } from './test-app.ts';
import type { TestAppOptions } from './test-app.ts';
import { addProject } from './test-records.ts';

// What the account route tests share: a fresh database with two projects nobody is a member of yet,
// the app on it, and (for the tests of project-scoped routes) the people of those projects.

/** One account route test file's world. */
export interface AccountsTestEnv {
  /** The fresh database. */
  database: TestDatabase;
  /** The app, for `inject`, acting as the test instance admin unless a request sends credentials. */
  app: FastifyInstance;
  /** The same app with no default credentials. */
  anonymousApp: FastifyInstance;
  /** The app's DATA_DIR. */
  dataDir: string;
  /** The id of project `alpha` ("Alpha"), with no members. */
  alpha: number;
  /** The id of project `beta` ("Beta"), with no members. */
  beta: number;
  /** Closes the app and drops database and DATA_DIR. */
  close(): Promise<void>;
}

/** Builds an env on `dialect`: database, projects `alpha` and `beta`, the app (`options` as for `createTestApp`). */
export async function createAccountsTestEnv(
  dialect: DialectName,
  options: TestAppOptions = {},
): Promise<AccountsTestEnv> {
  const database = await createTestDatabase(dialect);
  const built = await createTestApp(database, options);
  return {
    database,
    app: built.app,
    anonymousApp: built.anonymousApp,
    dataDir: built.dataDir,
    alpha: await addProject(database, 'alpha', 'Alpha'),
    beta: await addProject(database, 'beta', 'Beta'),
    async close() {
      await built.close();
      await database.drop();
    },
  };
}

/** The members of `alpha` the project-scoped route tests act as. */
export interface AlphaTeam {
  /** alice@example.com, admin of alpha. */
  alphaAdmin: TestAccount;
  /** eddie@example.com, editor of alpha. */
  alphaEditor: TestAccount;
  /** vera@example.com, viewer of alpha and admin of beta: a role in one project is not one in another. */
  alphaViewer: TestAccount;
}

/** Adds alpha's admin, editor and viewer (who also administers beta), all still `invited`. */
export async function addAlphaTeam(env: AccountsTestEnv): Promise<AlphaTeam> {
  const { db } = env.database;
  return {
    alphaAdmin: await addTestAccount(db, {
      email: 'alice@example.com',
      projects: { [env.alpha]: 'admin' },
    }),
    alphaEditor: await addTestAccount(db, {
      email: 'eddie@example.com',
      projects: { [env.alpha]: 'editor' },
    }),
    alphaViewer: await addTestAccount(db, {
      email: 'vera@example.com',
      projects: { [env.alpha]: 'viewer', [env.beta]: 'admin' },
    }),
  };
}
