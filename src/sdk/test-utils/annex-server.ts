import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findFreePort,
  scratchCwd,
  spawnAnnex,
  waitUntil,
  // eslint-disable-next-line import-x/no-restricted-paths -- the server's own way to run itself in tests
} from '../../server/test-utils/annex-process.ts';
import { provisionTestAdmin, testAdminEmail, testAdminPassword } from './test-credentials.ts';
import type { TestCredentials } from './test-credentials.ts';

export { findFreePort };

/** The repository root, where `bin/annex.js` and `src/server/main.ts` live. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A real annex server running as a child process, on a free port with a fresh SQLite database. */
export interface AnnexTestServer {
  /** `http://127.0.0.1:<port>`. */
  host: string;
  /** Its DATA_DIR (database, export files, link secret). */
  dataDir: string;
  /** Its DATABASE_URL. */
  databaseUrl: string;
  /** The instance admin's API key (admin of every project). */
  admin: TestCredentials;
  /** Stops the server and deletes its data directory. */
  stop: () => Promise<void>;
}

/** A worker-only annex process sharing a server's database and files. */
export interface AnnexTestWorker {
  /** Stops the worker. */
  stop: () => Promise<void>;
}

/** Options of `startAnnexServer`. */
export interface AnnexServerOptions {
  /** `api,worker` (default) or `api` alone, which leaves every export queued until a worker starts. */
  services?: 'api,worker' | 'api';
  /** Extra environment (WAIT_TIMEOUT_SECONDS, …). */
  env?: Record<string, string>;
}

/**
 * Starts `src/server/main.ts` as a child process on a free port, with a fresh data directory and
 * SQLite database and the demo project seeded, and resolves once `GET /readyz` answers, with an API
 * key of the instance admin made in its database.
 */
export async function startAnnexServer(options: AnnexServerOptions = {}): Promise<AnnexTestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'annex-sdk-'));
  const port = await findFreePort();
  const host = `http://127.0.0.1:${port}`;
  const databaseUrl = `sqlite:${path.join(dataDir, 'annex.db')}`;
  const annex = spawnAnnex(
    [`--services=${options.services ?? 'api,worker'}`],
    await scratchCwd(dataDir),
    {
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'true',
      // A known password, so the server never generates one (and prints it) for its first admin.
      ANNEX_ADMIN_EMAIL: testAdminEmail,
      ANNEX_ADMIN_PASSWORD: testAdminPassword,
      ...options.env,
    },
  );
  let admin: TestCredentials;
  try {
    // The API asks for credentials; /readyz does not, and says the database (migrated, seeded) answers.
    await waitUntil(annex, `serving ${host}`, async () => {
      try {
        return (await fetch(`${host}/readyz`)).ok;
      } catch {
        return false;
      }
    });
    admin = await provisionTestAdmin(databaseUrl);
  } catch (error) {
    await annex.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    host,
    dataDir,
    databaseUrl,
    admin,
    stop: async () => {
      await annex.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts a worker-only annex process (`--services=worker`) on a server's database and data directory. */
export async function startAnnexWorker(server: AnnexTestServer): Promise<AnnexTestWorker> {
  const annex = spawnAnnex(['--services=worker'], path.join(server.dataDir, 'cwd'), {
    DATA_DIR: server.dataDir,
    DATABASE_URL: server.databaseUrl,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
  });
  // main.ts prints this line once the worker has started claiming.
  await waitUntil(annex, 'building exports', () =>
    Promise.resolve(annex.output().includes('is building exports')),
  );
  return { stop: annex.stop };
}
