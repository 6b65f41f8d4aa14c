import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../app.ts';
import type { AppDependencies } from '../app.ts';
import { loadConfig } from '../config/env.ts';
import type { AppConfig } from '../config/env.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { ensureTestAdmin, testAdminAuthorization } from './test-accounts.ts';

// The app as server tests build it: on a test database, with a temporary DATA_DIR, silent, and a
// fixed link secret so tests can sign links themselves. Tests call `app.inject`.

/** The link secret test apps sign with (a generated one is tested on its own). */
export const testLinkSecret = 'annex-test-link-secret-0123456789abcdef';

/** How a test app is built. */
export interface TestAppOptions {
  /** Environment over the test defaults; `LINK_SECRET: undefined` makes the app generate one in DATA_DIR. */
  env?: Record<string, string | undefined>;
  /** A DATA_DIR made by the caller (to build storage on it first); a fresh one by default. */
  dataDir?: string;
  /** Serve a stub panel (an index.html in DATA_DIR/web) beside the API. */
  withPanel?: boolean;
  /** Make the test instance admin in the database (default); off for a database that is not reachable. */
  withTestAdmin?: boolean;
  /** Dependencies the test builds itself (storage, events); the rest come from config. */
  deps?: Omit<AppDependencies, 'config' | 'database' | 'webRoot'>;
}

/** A built test app and what it runs on. */
export interface TestApp {
  /**
   * The app, for `inject`: each request acts as the test instance admin (`admin@annex.local`)
   * unless it sends its own `authorization` or `cookie` header.
   */
  app: FastifyInstance;
  /** The same app with no default credentials: requests are anonymous unless they send some. */
  anonymousApp: FastifyInstance;
  /** Its configuration. */
  config: AppConfig;
  /** Its DATA_DIR. */
  dataDir: string;
  /** Closes the app and deletes DATA_DIR; the database is the caller's to drop. */
  close(): Promise<void>;
}

function withAdminHeader(options: InjectOptions | string): InjectOptions {
  const asObject = typeof options === 'string' ? { url: options } : options;
  const headers: Record<string, string | string[] | number | undefined> = { ...asObject.headers };
  if (!('authorization' in headers) && !('cookie' in headers))
    headers.authorization = testAdminAuthorization;
  return { ...asObject, headers };
}

// Every existing test is about exports and projects, not accounts: acting as an instance admin by
// default keeps each of them about its subject, and the role matrix tests everyone else.
function actingAsTestAdmin(app: FastifyInstance): FastifyInstance {
  return new Proxy(app, {
    get(target, property) {
      if (property === 'inject')
        return (options: InjectOptions | string) => target.inject(withAdminHeader(options));
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

/** A fresh, empty temporary folder for a DATA_DIR. */
export function createTestDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'annex-test-data-'));
}

/** Builds the app on `database` with test defaults (silent, fixed link secret, temporary DATA_DIR). */
export async function createTestApp(
  database: TestDatabase,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? createTestDataDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    LINK_SECRET: testLinkSecret,
    // Suites make many exports and sign-ins in a second; the rate-limit tests set their own limits.
    EXPORTS_PER_MINUTE: '1000000',
    SIGN_IN_LIMIT_PER_ACCOUNT: '1000000',
    SIGN_IN_LIMIT_PER_ADDRESS: '1000000',
    ...options.env,
  });
  let webRoot: string | undefined;
  if (options.withPanel === true) {
    webRoot = path.join(dataDir, 'web');
    fs.mkdirSync(webRoot, { recursive: true });
    fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>annex</title>');
  }
  const app = await buildApp({
    config,
    database,
    ...options.deps,
    ...(webRoot === undefined ? {} : { webRoot }),
  });
  if (options.withTestAdmin !== false) await ensureTestAdmin(database.db);
  return {
    app: actingAsTestAdmin(app),
    anonymousApp: app,
    config,
    dataDir,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
