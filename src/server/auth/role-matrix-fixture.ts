import { randomBytes, scryptSync } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { FileResponse, JobResponse } from '../../contract/annotation-writes.ts';
import type { Export } from '../../contract/exports.ts';
import type { ImportResponse } from '../../contract/imports.ts';
import type { ProjectRole } from '../../contract/roles.ts';
import type { DialectName } from '../db/database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { LinkSigner } from '../exports/download-links.ts';
import { ExportEvents } from '../exports/export-events.ts';
import { createDemoDatabase } from '../exports/export-file-fixtures.ts';
import { ExportWorker } from '../exports/export-worker.ts';
import { addOtherProject, RecordingLogger } from '../exports/export-test-harness.ts';
import { LocalExportStorage } from '../storage/local-export-storage.ts';
import { createTestApp, createTestDataDir, testLinkSecret } from '../test-utils/test-app.ts';
import {
  addTestAccount,
  basicAuthorization,
  testAdminAuthorization,
} from '../test-utils/test-accounts.ts';
import { sessionCookieName } from './authenticate.ts';
import { newSecret, secretHash } from './secret-tokens.ts';
import { SessionStore } from './session-store.ts';

// The world the role matrix (role-matrix.test.ts) and the accounts fuzz test run in, and the
// principals they send: the demo project, a second project, one complete export (for links and
// downloads), and factories that make every principal and everything a destructive cell destroys
// afresh, so no cell depends on another.

/** The project every matrix request is about. */
export const matrixProject = 'demo';
/** A project that does not exist, as long as `matrixProject`, so its 404 can be compared byte for byte. */
export const unknownProject = 'nope';

/** The password every account the matrix signs in with has. */
export const matrixPassword = 'correct horse battery staple';

/** One database's world. */
export interface MatrixWorld {
  dialect: DialectName;
  database: TestDatabase;
  /** The app with no default credentials: each request is exactly who its headers say. */
  app: FastifyInstance;
  /** The demo project's id. */
  projectId: number;
  /** The second project's id (`other`). */
  otherProjectId: number;
  /** A demo job, one of its tasks, and a directory: the ids the read routes are asked about. */
  jobId: number;
  taskId: number;
  directoryId: number;
  /** A file of the demo project: the id the write API's read routes are asked about. */
  fileId: number;
  /** An import of the demo project (queued: no import worker runs). */
  importId: number;
  /** A complete export of the demo project, with its file. */
  completeExportId: number;
  /** Signs download links the app accepts. */
  linkSigner: LinkSigner;
  /** Sessions on the app's database, with the app's lifetimes. */
  sessions: SessionStore;
  /** SESSION_IDLE_MINUTES of the app. */
  idleMinutes: number;
  /** A stored hash of `matrixPassword` at a low scrypt cost, so each sign-in cell verifies quickly. */
  passwordHash: string;
  close(): Promise<void>;
}

/**
 * Builds the world: demo and `other` projects, the app, one complete export (unless
 * `withCompleteExport` is false: its id is then 0); no worker left running.
 */
export async function createMatrixWorld(
  dialect: DialectName,
  options: { withCompleteExport?: boolean } = {},
): Promise<MatrixWorld> {
  const { database, demo } = await createDemoDatabase(dialect);
  const other = await addOtherProject(database);
  const otherProject = await database.db
    .selectFrom('directory')
    .select('project_id')
    .where('id', '=', other.directoryId)
    .executeTakeFirstOrThrow();
  const dataDir = createTestDataDir();
  const storage = LocalExportStorage.forDataDir(dataDir);
  const events = new ExportEvents();
  const built = await createTestApp(database, {
    dataDir,
    env: { WORKER_POLL_MS: '50' },
    // A live event stream ends as soon as it opened, so a request for one answers like any other.
    deps: { storage, exportEvents: events, liveStreamTiming: { lifetimeMs: 1 } },
  });
  const app = built.anonymousApp;
  const job = Object.values(demo.jobs).find((candidate) => candidate.tasks.length > 0);
  const task = job?.tasks[0];
  if (job === undefined || task === undefined) throw new Error('the demo has no job with a task');

  // One export built by a real worker, which then stops: exports made later stay queued, so
  // archiving them is all a destructive cell does.
  let completeExportId = 0;
  if (options.withCompleteExport !== false) {
    const worker = new ExportWorker({
      database,
      config: built.config,
      storage,
      events,
      workerId: `role-matrix-${process.pid}`,
      logger: new RecordingLogger(),
    });
    await worker.start();
    try {
      completeExportId = (await queueExport(app, demo.defaultDirectoryId)).id;
      await untilComplete(app, completeExportId);
    } finally {
      await worker.stop();
    }
  }

  const fileId = await freshFile({ app });
  const importId = await queueImport(app);

  return {
    dialect,
    database,
    app,
    projectId: demo.projectId,
    otherProjectId: otherProject.project_id,
    jobId: job.id,
    taskId: task.id,
    directoryId: demo.defaultDirectoryId,
    fileId,
    importId,
    completeExportId,
    linkSigner: new LinkSigner(testLinkSecret, built.config.LINK_TTL_MINUTES),
    sessions: new SessionStore(database.db, {
      idleMinutes: built.config.SESSION_IDLE_MINUTES,
      absoluteHours: built.config.SESSION_ABSOLUTE_HOURS,
    }),
    idleMinutes: built.config.SESSION_IDLE_MINUTES,
    passwordHash: cheapPasswordHash(matrixPassword),
    async close() {
      await built.close();
      await database.drop();
    },
  };
}

// The stored form carries its own cost (`scrypt$N$r$p$salt$hash`, see password-hash.ts): at N = 2^10
// a sign-in verifies in about a millisecond instead of a quarter second at the default N = 2^15.
function cheapPasswordHash(password: string): string {
  const cost = { N: 1024, r: 8, p: 1 };
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, cost);
  return [
    'scrypt',
    cost.N,
    cost.r,
    cost.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

async function queueExport(
  app: FastifyInstance,
  directoryId: number,
  authorization = testAdminAuthorization,
): Promise<Export> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/projects/${matrixProject}/exports`,
    headers: { authorization },
    payload: { source: 'directory', directory_id: directoryId, ann_is_complete: false },
  });
  if (response.statusCode !== 202)
    throw new Error(`POST export answered ${response.statusCode}: ${response.body}`);
  return response.json<Export>();
}

async function untilComplete(app: FastifyInstance, id: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/projects/${matrixProject}/exports/${id}`,
      headers: { authorization: testAdminAuthorization },
    });
    const status = response.json<Export>().status;
    if (status === 'complete') return;
    if (status === 'failed' || Date.now() > deadline)
      throw new Error(`the matrix's export ${id} did not complete: ${response.body}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Who a cell's request acts as: the headers it sends, and the account behind them (if any). */
export interface Actor {
  headers: Record<string, string>;
  /** The account the credentials name (even refused ones), or null when none. */
  userId: number | null;
}

// A cookie-authenticated request that changes something must look like the panel's own: same origin.
const sameOriginHeaders = { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' };

/** A live session of `userId`, as the panel's cookie. */
export async function sessionActor(world: MatrixWorld, userId: number): Promise<Actor> {
  const { token } = await world.sessions.create(userId, { ip: null, userAgent: null });
  return { headers: { cookie: `${sessionCookieName}=${token}`, ...sameOriginHeaders }, userId };
}

function member(world: MatrixWorld, role: ProjectRole): Record<number, ProjectRole> {
  return { [world.projectId]: role };
}

/** The principals of the matrix, in the order of its columns; each call makes a new one. */
export const principals = {
  /** No credentials at all. */
  none: () => Promise.resolve<Actor>({ headers: {}, userId: null }),
  /** A member of the project with role viewer (an unbound key). */
  viewer: async (world: MatrixWorld) => keyActor(world, { projects: member(world, 'viewer') }),
  editor: async (world: MatrixWorld) => keyActor(world, { projects: member(world, 'editor') }),
  admin: async (world: MatrixWorld) => keyActor(world, { projects: member(world, 'admin') }),
  /** Admin of `other`, not a member of the project. */
  otherAdmin: async (world: MatrixWorld) =>
    keyActor(world, { projects: { [world.otherProjectId]: 'admin' } }),
  /** An instance admin, a member of nothing (admin of every project). */
  instanceAdmin: async (world: MatrixWorld) => keyActor(world, { instanceAdmin: true }),
  /** A project admin's key bound to the project with role viewer: acts as a viewer. */
  boundViewerKey: async (world: MatrixWorld) =>
    keyActor(world, {
      projects: member(world, 'admin'),
      key: { projectId: world.projectId, role: 'viewer' },
    }),
  /** An instance admin's key bound to the project with role viewer: a viewer there, never instance admin. */
  boundKeyOfInstanceAdmin: async (world: MatrixWorld) =>
    keyActor(world, {
      instanceAdmin: true,
      key: { projectId: world.projectId, role: 'viewer' },
    }),
  /** An admin of both projects whose key is bound to `other`: the project is not theirs through it. */
  keyBoundElsewhere: async (world: MatrixWorld) =>
    keyActor(world, {
      projects: { [world.projectId]: 'admin', [world.otherProjectId]: 'admin' },
      key: { projectId: world.otherProjectId },
    }),
  /** A project admin's revoked key. */
  revokedKey: async (world: MatrixWorld) =>
    keyActor(world, { projects: member(world, 'admin'), key: { revoked: true } }),
  /** A project admin's client_id with a wrong secret. */
  wrongSecret: async (world: MatrixWorld) => {
    const account = await addTestAccount(world.database.db, { projects: member(world, 'admin') });
    return {
      headers: { authorization: basicAuthorization(account.clientId, 'not-the-secret-0123456789') },
      userId: account.userId,
    };
  },
  /** A project admin's session cookie, unused for longer than the idle limit. */
  expiredSession: async (world: MatrixWorld) => {
    const account = await addTestAccount(world.database.db, { projects: member(world, 'admin') });
    const actor = await sessionActor(world, account.userId);
    const longAgo = new Date(Date.now() - (world.idleMinutes + 5) * 60_000).toISOString();
    await world.database.db
      .updateTable('user_session')
      .set({ last_seen_time: longAgo })
      .where('user_id', '=', account.userId)
      .execute();
    return actor;
  },
  /** A project admin's session cookie after signing out (the session ended server-side). */
  endedSession: async (world: MatrixWorld) => {
    const account = await addTestAccount(world.database.db, { projects: member(world, 'admin') });
    const actor = await sessionActor(world, account.userId);
    const signedOut = await world.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-out',
      headers: actor.headers,
    });
    if (signedOut.statusCode !== 204)
      throw new Error(`sign-out answered ${signedOut.statusCode}: ${signedOut.body}`);
    return actor;
  },
  /** A disabled project admin's (otherwise valid) key. */
  disabledAccount: async (world: MatrixWorld) =>
    keyActor(world, { projects: member(world, 'admin'), disabled: true }),
  /** A project editor signed in through the panel: a live session cookie, same-origin requests. */
  editorSession: async (world: MatrixWorld) => {
    const account = await freshUser(world, 'editor');
    return sessionActor(world, account.userId);
  },
} satisfies Record<string, (world: MatrixWorld) => Promise<Actor>>;

/** A principal's name. */
export type PrincipalName = keyof typeof principals;

async function keyActor(
  world: MatrixWorld,
  options: Parameters<typeof addTestAccount>[1],
): Promise<Actor> {
  const account = await addTestAccount(world.database.db, options);
  // Every account can sign in with the matrix password (sign-in and password change cells need one).
  await world.database.db
    .updateTable('app_user')
    .set({ password_hash: world.passwordHash })
    .where('id', '=', account.userId)
    .execute();
  return { headers: account.headers, userId: account.userId };
}

// Things a destructive cell consumes, made fresh for it.

/**
 * A new queued export of the project, recorded as created by `createdBy`, or by a new editor when
 * null. Each is asked for by a new editor, so no one user meets the export rate limit.
 */
export async function freshExport(world: MatrixWorld, createdBy: number | null): Promise<number> {
  const creator = await addTestAccount(world.database.db, { projects: member(world, 'editor') });
  const created = await queueExport(world.app, world.directoryId, creator.headers.authorization);
  if (createdBy !== null) {
    await world.database.db
      .updateTable('export')
      .set({ created_by_user_id: createdBy })
      .where('id', '=', created.id)
      .execute();
  }
  return created.id;
}

/**
 * A new image file in the project's default directory, made by the instance admin: each cell that
 * changes or removes a file gets its own.
 */
export async function freshFile(world: Pick<MatrixWorld, 'app'>): Promise<number> {
  const response = await world.app.inject({
    method: 'POST',
    url: `/api/v1/projects/${matrixProject}/files`,
    headers: { authorization: testAdminAuthorization },
    payload: {
      type: 'image',
      original_filename: 'matrix.png',
      media_url: 'https://media.example.com/matrix.png',
      width: 64,
      height: 48,
    },
  });
  if (response.statusCode !== 201)
    throw new Error(`POST files answered ${response.statusCode}: ${response.body}`);
  return response.json<FileResponse>().file.id;
}

/** A new task on a new file (a job of its own), for a cell to change the status of. */
export async function freshTask(world: MatrixWorld): Promise<number> {
  const fileId = await freshFile(world);
  const response = await world.app.inject({
    method: 'POST',
    url: `/api/v1/projects/${matrixProject}/jobs`,
    headers: { authorization: testAdminAuthorization },
    payload: { name: `matrix job ${newSecret().slice(0, 12)}`, file_ids: [fileId] },
  });
  if (response.statusCode !== 201)
    throw new Error(`POST jobs answered ${response.statusCode}: ${response.body}`);
  const task = await world.database.db
    .selectFrom('task')
    .select('id')
    .where('job_id', '=', response.json<JobResponse>().job.id)
    .executeTakeFirstOrThrow();
  return task.id;
}

/** The smallest Diffgram JSON file the import's upload check accepts: one image, no instances. */
export const matrixImportFile = JSON.stringify({
  export_info: { name: 'matrix' },
  label_map: {},
  '1': { file: { id: 1, type: 'image' }, instance_list: [] },
});

async function queueImport(app: FastifyInstance): Promise<number> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/projects/${matrixProject}/imports?directory=matrix-imports`,
    headers: { authorization: testAdminAuthorization, 'content-type': 'application/json' },
    payload: matrixImportFile,
  });
  if (response.statusCode !== 202)
    throw new Error(`POST imports answered ${response.statusCode}: ${response.body}`);
  return response.json<ImportResponse>().import.id;
}

/** A new account with a password, member of the project with `role` (or of nothing). */
export async function freshUser(
  world: MatrixWorld,
  role?: ProjectRole,
): Promise<{ userId: number; email: string }> {
  const account = await addTestAccount(world.database.db, {
    projects: role === undefined ? {} : member(world, role),
  });
  await world.database.db
    .updateTable('app_user')
    .set({ password_hash: world.passwordHash })
    .where('id', '=', account.userId)
    .execute();
  return { userId: account.userId, email: account.email };
}

/** A new invited account (no password) and the token of its unused sign-up link. */
export async function freshSignUpToken(world: MatrixWorld): Promise<string> {
  const account = await addTestAccount(world.database.db);
  const token = newSecret();
  const now = new Date();
  await world.database.db
    .insertInto('sign_up_link')
    .values({
      token_hash: secretHash(token),
      user_id: account.userId,
      created_by_user_id: null,
      created_time: now.toISOString(),
      expires_time: new Date(now.getTime() + 3_600_000).toISOString(),
      used_time: null,
    })
    .execute();
  return token;
}

/** A second (unbound) API key of `userId`, for a cell to revoke; of a new user when null. */
export async function freshApiKeyId(world: MatrixWorld, userId: number | null): Promise<number> {
  const owner = userId ?? (await addTestAccount(world.database.db)).userId;
  const key = await world.database.db
    .insertInto('api_key')
    .values({
      user_id: owner,
      name: 'key to revoke',
      client_id: `annex_matrix_${newSecret().slice(0, 16)}`,
      secret_hash: secretHash(newSecret()),
      project_id: null,
      role: null,
      created_time: new Date().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return key.id;
}

/** A request of the matrix: an inject request whose url is a path. */
export type MatrixRequest = InjectOptions & { url: string };

/** An inject request: method, url and, for a body, its JSON. */
export function request(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
): MatrixRequest {
  return payload === undefined ? { method, url } : { method, url, payload };
}

/** An import's upload: the file itself as the body, labelled JSON. */
export function uploadRequest(url: string, file: string): MatrixRequest {
  return { method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: file };
}
