import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import type { FileResponse, JobResponse } from '../../contract/annotation-writes.ts';
import type { ErrorCode } from '../../contract/errors.ts';
import type { ImportResponse } from '../../contract/imports.ts';
import type { ProjectListResponse } from '../../contract/projects.ts';
import type { ProjectRole } from '../../contract/roles.ts';
import { testDialects } from '../db/test-database.ts';
import { testAdminAuthorization } from '../test-utils/test-accounts.ts';
import {
  createMatrixWorld,
  freshApiKeyId,
  freshExport,
  freshFile,
  freshSignUpToken,
  freshTask,
  freshUser,
  matrixImportFile,
  matrixPassword,
  matrixProject,
  principals,
  request,
  unknownProject,
  uploadRequest,
} from './role-matrix-fixture.ts';
import type { Actor, MatrixRequest, MatrixWorld, PrincipalName } from './role-matrix-fixture.ts';
import { secondCompleteExport } from './role-matrix-diff-fixture.ts';

// The role matrix of issue 10 (with the write API and imports of issue 11): every route of the API, sent by every kind of principal, gets the
// status the permissions table of issue 10 documents (who may call what). One row per route;
// one column per principal (the order of `principals` in role-matrix-fixture.ts); each cell is one
// test with a fresh principal and, where the route destroys something, a fresh thing to destroy.
// Every refusal must be the error envelope with its code (the Diffgram API's rows: text/plain),
// and a project the principal may not see
// must answer exactly as a project that does not exist.

/** One column per principal, in this order. */
const columns = Object.keys(principals) as PrincipalName[];

/** What a cell's request is built from. */
interface Cell {
  world: MatrixWorld;
  actor: Actor;
  /** The project the path names. */
  project: string;
}

/** A documented status: success, 400 (the Diffgram API's "not yours to see"), 401, 403 or 404. */
type Status = 200 | 201 | 202 | 204 | 400 | 401 | 403 | 404;

/** One route: how a cell requests it, and the status each principal gets, in `columns` order. */
interface MatrixRow {
  route: string;
  send(cell: Cell): MatrixRequest | Promise<MatrixRequest>;
  /** The error code of its refusals when not the usual one of their status (an expired link's 403). */
  code?: ErrorCode;
  /**
   * The Diffgram API: refusals are `text/plain` (403 for who-are-you and may-you, 400 for a project
   * or job the principal may not see), not the envelope.
   */
  diffgram?: true;
  expect: readonly Status[];
}

const projectPath = (cell: Cell): string => `/api/v1/projects/${cell.project}`;
let sequence = 0;
const unique = (): string => `${process.pid}-${Date.now().toString(36)}-${(sequence += 1)}`;

// Columns: none, viewer, editor, admin, otherAdmin (admin of another project), instanceAdmin,
// boundViewerKey (project admin's key bound here as viewer), boundKeyOfInstanceAdmin (bound here as
// viewer), keyBoundElsewhere (admin here, key bound to another project), revokedKey, wrongSecret,
// expiredSession, endedSession (signed out), disabledAccount, editorSession (an editor through the
// panel's cookie).
const matrix: MatrixRow[] = [
  // accounts (public)
  {
    route: 'POST /api/v1/auth/sign-in',
    send: async ({ world }) =>
      request('POST', '/api/v1/auth/sign-in', {
        email: (await freshUser(world, 'viewer')).email,
        password: matrixPassword,
      }),
    //       none view edit admn oadm inst bkv  bkia kels revk wrng expd endd disa sess
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    route: 'GET /api/v1/auth/sign-up/:token',
    send: async ({ world }) =>
      request('GET', `/api/v1/auth/sign-up/${await freshSignUpToken(world)}`),
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    route: 'POST /api/v1/auth/sign-up',
    send: async ({ world }) =>
      request('POST', '/api/v1/auth/sign-up', {
        token: await freshSignUpToken(world),
        password: 'a brand new password',
      }),
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  // accounts (signed in)
  {
    route: 'POST /api/v1/auth/sign-out',
    send: () => request('POST', '/api/v1/auth/sign-out'),
    //       none view edit admn oadm inst bkv  bkia kels revk wrng expd endd disa sess
    expect: [401, 204, 204, 204, 204, 204, 204, 204, 204, 401, 401, 401, 401, 401, 204],
  },
  {
    route: 'GET /api/v1/auth/me',
    send: () => request('GET', '/api/v1/auth/me'),
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'POST /api/v1/auth/password',
    send: () =>
      request('POST', '/api/v1/auth/password', {
        current_password: matrixPassword,
        new_password: 'another long password',
      }),
    expect: [401, 403, 403, 403, 403, 403, 403, 403, 403, 401, 401, 401, 401, 401, 204],
  },
  {
    route: 'GET /api/v1/auth/api-keys',
    send: () => request('GET', '/api/v1/auth/api-keys'),
    expect: [401, 200, 200, 200, 200, 200, 403, 403, 403, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'POST /api/v1/auth/api-keys',
    send: () => request('POST', '/api/v1/auth/api-keys', { name: 'matrix key' }),
    expect: [401, 201, 201, 201, 201, 201, 403, 403, 403, 401, 401, 401, 401, 401, 201],
  },
  {
    route: 'DELETE /api/v1/auth/api-keys/:id (own key)',
    send: async ({ world, actor }) =>
      request('DELETE', `/api/v1/auth/api-keys/${await freshApiKeyId(world, actor.userId)}`),
    expect: [401, 204, 204, 204, 204, 204, 403, 403, 403, 401, 401, 401, 401, 401, 204],
  },
  {
    route: "DELETE /api/v1/auth/api-keys/:id (another's key)",
    send: async ({ world }) =>
      request('DELETE', `/api/v1/auth/api-keys/${await freshApiKeyId(world, null)}`),
    expect: [401, 404, 404, 404, 404, 404, 403, 403, 403, 401, 401, 401, 401, 401, 404],
  },
  // users and the instance's audit (instance admin)
  {
    route: 'GET /api/v1/users',
    send: () => request('GET', '/api/v1/users'),
    //       none view edit admn oadm inst bkv  bkia kels revk wrng expd endd disa sess
    expect: [401, 403, 403, 403, 403, 200, 403, 403, 403, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'POST /api/v1/users',
    send: () => request('POST', '/api/v1/users', { email: `new-${unique()}@example.com` }),
    expect: [401, 403, 403, 403, 403, 201, 403, 403, 403, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'PATCH /api/v1/users/:id',
    send: async ({ world }) =>
      request('PATCH', `/api/v1/users/${(await freshUser(world)).userId}`, { disabled: true }),
    expect: [401, 403, 403, 403, 403, 200, 403, 403, 403, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'POST /api/v1/users/:id/sign-up-link',
    send: async ({ world }) =>
      request('POST', `/api/v1/users/${(await freshUser(world)).userId}/sign-up-link`),
    expect: [401, 403, 403, 403, 403, 201, 403, 403, 403, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'GET /api/v1/audit',
    send: () => request('GET', '/api/v1/audit'),
    expect: [401, 403, 403, 403, 403, 200, 403, 403, 403, 401, 401, 401, 401, 401, 403],
  },
  // projects
  {
    route: 'GET /api/v1/projects',
    send: () => request('GET', '/api/v1/projects'),
    //       none view edit admn oadm inst bkv  bkia kels revk wrng expd endd disa sess
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'POST /api/v1/projects',
    send: () =>
      request('POST', '/api/v1/projects', {
        project_string_id: `p-${unique()}`,
        name: 'Matrix project',
      }),
    expect: [401, 403, 403, 403, 403, 201, 403, 403, 403, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'GET /api/v1/projects/:project',
    send: (cell) => request('GET', projectPath(cell)),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /api/v1/projects/:project/jobs',
    send: (cell) => request('GET', `${projectPath(cell)}/jobs`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /api/v1/projects/:project/jobs/:id/tasks',
    send: (cell) => request('GET', `${projectPath(cell)}/jobs/${cell.world.jobId}/tasks`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /api/v1/projects/:project/tasks/:id',
    send: (cell) => request('GET', `${projectPath(cell)}/tasks/${cell.world.taskId}`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  // exports
  {
    route: 'GET /api/v1/projects/:project/exports',
    send: (cell) => request('GET', `${projectPath(cell)}/exports`),
    //       none view edit admn oadm inst bkv  bkia kels revk wrng expd endd disa sess
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    // A live stream: the matrix's app ends each one at once (role-matrix-fixture.ts).
    route: 'GET /api/v1/projects/:project/exports/events',
    send: (cell) => request('GET', `${projectPath(cell)}/exports/events`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /api/v1/projects/:project/exports/preflight',
    send: (cell) =>
      request(
        'GET',
        `${projectPath(cell)}/exports/preflight?source=directory&directory_id=${cell.world.directoryId}`,
      ),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /api/v1/projects/:project/exports/storage',
    send: (cell) => request('GET', `${projectPath(cell)}/exports/storage`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /api/v1/projects/:project/exports/:id',
    send: (cell) => request('GET', `${projectPath(cell)}/exports/${cell.world.completeExportId}`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'POST /api/v1/projects/:project/exports/:id/link',
    send: (cell) =>
      request('POST', `${projectPath(cell)}/exports/${cell.world.completeExportId}/link`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'POST /api/v1/projects/:project/exports',
    send: (cell) =>
      request('POST', `${projectPath(cell)}/exports`, {
        source: 'directory',
        directory_id: cell.world.directoryId,
      }),
    expect: [401, 403, 202, 202, 404, 202, 403, 403, 404, 401, 401, 401, 401, 401, 202],
  },
  {
    route: "DELETE /api/v1/projects/:project/exports/:id (another's export)",
    send: async (cell) =>
      request('DELETE', `${projectPath(cell)}/exports/${await freshExport(cell.world, null)}`),
    expect: [401, 403, 403, 204, 404, 204, 403, 403, 404, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'DELETE /api/v1/projects/:project/exports/:id (own export)',
    send: async (cell) =>
      request(
        'DELETE',
        `${projectPath(cell)}/exports/${await freshExport(cell.world, cell.actor.userId)}`,
      ),
    expect: [401, 403, 204, 204, 404, 204, 403, 403, 404, 401, 401, 401, 401, 401, 204],
  },
  {
    route: "POST /api/v1/projects/:project/exports/:id/cancel (another's export)",
    send: async (cell) =>
      request('POST', `${projectPath(cell)}/exports/${await freshExport(cell.world, null)}/cancel`),
    expect: [401, 403, 403, 200, 404, 200, 403, 403, 404, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'POST /api/v1/projects/:project/exports/:id/cancel (own export)',
    send: async (cell) =>
      request(
        'POST',
        `${projectPath(cell)}/exports/${await freshExport(cell.world, cell.actor.userId)}/cancel`,
      ),
    expect: [401, 403, 200, 200, 404, 200, 403, 403, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'POST /api/v1/projects/:project/exports/:id/retry (a cancelled export)',
    send: async (cell) => {
      const id = await freshExport(cell.world, null);
      await cell.world.database.db
        .updateTable('export')
        .set({ status: 'cancelled', finished_time: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
      return request('POST', `${projectPath(cell)}/exports/${id}/retry`);
    },
    expect: [401, 403, 202, 202, 404, 202, 403, 403, 404, 401, 401, 401, 401, 401, 202],
  },
  {
    route: 'GET /api/v1/projects/:project/exports/:id/diff/:other',
    send: async (cell) =>
      request(
        'GET',
        `${projectPath(cell)}/exports/${cell.world.completeExportId}/diff/${await secondCompleteExport(cell.world)}`,
      ),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /api/v1/projects/:project/exports/:id/sample',
    send: (cell) =>
      request('GET', `${projectPath(cell)}/exports/${cell.world.completeExportId}/sample?count=2`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /files/exports/:id (a valid signed link)',
    send: ({ world }) => request('GET', world.linkSigner.sign(world.completeExportId).path),
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    route: 'GET /files/exports/:id (no link)',
    send: ({ world }) => request('GET', `/files/exports/${world.completeExportId}`),
    expect: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
  },
  {
    route: 'GET /files/exports/:id (a link signed for another export)',
    send: ({ world }) => {
      const signed = world.linkSigner.sign(world.completeExportId + 1000).path;
      return request('GET', signed.replace(/\/\d+\?/, `/${world.completeExportId}?`));
    },
    expect: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
  },
  {
    route: 'GET /files/exports/:id (an expired signed link)',
    send: ({ world }) =>
      request('GET', world.linkSigner.signUntil(world.completeExportId, 1_000_000_000).path),
    code: 'link_expired',
    expect: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
  },
  // the write API (issue 11): reads need viewer, writes editor
  {
    route: 'POST /api/v1/projects/:project/directories',
    send: (cell) =>
      request('POST', `${projectPath(cell)}/directories`, { nickname: `matrix-${unique()}` }),
    //       none view edit admn oadm inst bkv  bkia kels revk wrng expd endd disa sess
    expect: [401, 403, 201, 201, 404, 201, 403, 403, 404, 401, 401, 401, 401, 401, 201],
  },
  {
    route: 'POST /api/v1/projects/:project/files',
    send: (cell) =>
      request('POST', `${projectPath(cell)}/files`, {
        type: 'image',
        original_filename: `matrix-${unique()}.png`,
        media_url: 'https://media.example.com/matrix.png',
      }),
    expect: [401, 403, 201, 201, 404, 201, 403, 403, 404, 401, 401, 401, 401, 401, 201],
  },
  {
    route: 'GET /api/v1/projects/:project/files/:id',
    send: (cell) => request('GET', `${projectPath(cell)}/files/${cell.world.fileId}`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'PATCH /api/v1/projects/:project/files/:id',
    send: async (cell) =>
      request('PATCH', `${projectPath(cell)}/files/${await freshFile(cell.world)}`, {
        ann_is_complete: true,
      }),
    expect: [401, 403, 200, 200, 404, 200, 403, 403, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'DELETE /api/v1/projects/:project/files/:id',
    send: async (cell) =>
      request('DELETE', `${projectPath(cell)}/files/${await freshFile(cell.world)}`),
    expect: [401, 403, 200, 200, 404, 200, 403, 403, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /api/v1/projects/:project/files/:id/instances',
    send: (cell) => request('GET', `${projectPath(cell)}/files/${cell.world.fileId}/instances`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'PUT /api/v1/projects/:project/files/:id/instances',
    send: async (cell) =>
      request('PUT', `${projectPath(cell)}/files/${await freshFile(cell.world)}/instances`, {
        instance_list: [],
      }),
    expect: [401, 403, 200, 200, 404, 200, 403, 403, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /api/v1/projects/:project/labels',
    send: (cell) => request('GET', `${projectPath(cell)}/labels`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'POST /api/v1/projects/:project/labels',
    send: (cell) => request('POST', `${projectPath(cell)}/labels`, { name: `matrix-${unique()}` }),
    expect: [401, 403, 201, 201, 404, 201, 403, 403, 404, 401, 401, 401, 401, 401, 201],
  },
  {
    route: 'POST /api/v1/projects/:project/jobs',
    send: async (cell) =>
      request('POST', `${projectPath(cell)}/jobs`, {
        name: `matrix-${unique()}`,
        file_ids: [await freshFile(cell.world)],
      }),
    expect: [401, 403, 201, 201, 404, 201, 403, 403, 404, 401, 401, 401, 401, 401, 201],
  },
  {
    route: 'PATCH /api/v1/projects/:project/tasks/:id',
    send: async (cell) =>
      request('PATCH', `${projectPath(cell)}/tasks/${await freshTask(cell.world)}`, {
        status: 'in_progress',
      }),
    expect: [401, 403, 200, 200, 404, 200, 403, 403, 404, 401, 401, 401, 401, 401, 200],
  },
  // imports (issue 11)
  {
    route: 'POST /api/v1/projects/:project/imports',
    send: (cell) =>
      uploadRequest(`${projectPath(cell)}/imports?directory=matrix-${unique()}`, matrixImportFile),
    //       none view edit admn oadm inst bkv  bkia kels revk wrng expd endd disa sess
    expect: [401, 403, 202, 202, 404, 202, 403, 403, 404, 401, 401, 401, 401, 401, 202],
  },
  {
    route: 'GET /api/v1/projects/:project/imports',
    send: (cell) => request('GET', `${projectPath(cell)}/imports`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  {
    route: 'GET /api/v1/projects/:project/imports/:id',
    send: (cell) => request('GET', `${projectPath(cell)}/imports/${cell.world.importId}`),
    expect: [401, 200, 200, 200, 404, 200, 200, 200, 404, 401, 401, 401, 401, 401, 200],
  },
  // members and the project's audit (project admin)
  {
    route: 'GET /api/v1/projects/:project/members',
    send: (cell) => request('GET', `${projectPath(cell)}/members`),
    //       none view edit admn oadm inst bkv  bkia kels revk wrng expd endd disa sess
    expect: [401, 403, 403, 200, 404, 200, 403, 403, 404, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'POST /api/v1/projects/:project/members',
    send: async (cell) =>
      request('POST', `${projectPath(cell)}/members`, {
        email: (await freshUser(cell.world)).email,
        role: 'viewer',
      }),
    expect: [401, 403, 403, 201, 404, 201, 403, 403, 404, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'PATCH /api/v1/projects/:project/members/:id',
    send: async (cell) =>
      request(
        'PATCH',
        `${projectPath(cell)}/members/${(await freshUser(cell.world, 'viewer')).userId}`,
        { role: 'editor' },
      ),
    expect: [401, 403, 403, 200, 404, 200, 403, 403, 404, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'DELETE /api/v1/projects/:project/members/:id',
    send: async (cell) =>
      request(
        'DELETE',
        `${projectPath(cell)}/members/${(await freshUser(cell.world, 'viewer')).userId}`,
      ),
    expect: [401, 403, 403, 204, 404, 204, 403, 403, 404, 401, 401, 401, 401, 401, 403],
  },
  {
    route: 'GET /api/v1/projects/:project/audit',
    send: (cell) => request('GET', `${projectPath(cell)}/audit`),
    expect: [401, 403, 403, 200, 404, 200, 403, 403, 404, 401, 401, 401, 401, 401, 403],
  },
  // the Diffgram API (Diffgram's own paths, as its Python SDK calls them): 403 text where the
  // envelope would say 401 or 403, 400 text where it would say 404
  {
    route: 'GET /api/project/:project_string_id/user/legacy/working_dir/view',
    send: (cell) => request('GET', `/api/project/${cell.project}/user/legacy/working_dir/view`),
    diffgram: true,
    //       none view edit admn oadm inst bkv  bkia kels revk wrng expd endd disa sess
    expect: [403, 200, 200, 200, 400, 200, 200, 200, 400, 403, 403, 403, 403, 403, 200],
  },
  {
    route: 'POST /api/project/:project_string_id/user/sdk/file/list',
    send: (cell) =>
      request('POST', `/api/project/${cell.project}/user/sdk/file/list`, {
        metadata: { directory_id: null, page: 1, limit: 5000, file_view_mode: 'ids_only' },
      }),
    diffgram: true,
    expect: [403, 200, 200, 200, 400, 200, 200, 200, 400, 403, 403, 403, 403, 403, 200],
  },
  {
    route: 'POST /api/v1/project/:project_string_id/file/exists',
    send: (cell) =>
      request('POST', `/api/v1/project/${cell.project}/file/exists`, { file_id_list: [] }),
    diffgram: true,
    expect: [403, 200, 200, 200, 400, 200, 200, 200, 400, 403, 403, 403, 403, 403, 200],
  },
  {
    route: 'GET /api/v1/project/:project_string_id/labels/view/name_to_file_id',
    send: (cell) => request('GET', `/api/v1/project/${cell.project}/labels/view/name_to_file_id`),
    diffgram: true,
    expect: [403, 200, 200, 200, 400, 200, 200, 200, 400, 403, 403, 403, 403, 403, 200],
  },
  {
    route: 'GET /api/v1/project/:project_string_id/labels-schema',
    send: (cell) => request('GET', `/api/v1/project/${cell.project}/labels-schema`),
    diffgram: true,
    expect: [403, 200, 200, 200, 400, 200, 200, 200, 400, 403, 403, 403, 403, 403, 200],
  },
  {
    route: 'POST /api/v1/job/:job_id/builder/info',
    send: ({ world }) =>
      request('POST', `/api/v1/job/${world.jobId}/builder/info`, { mode_data: null }),
    diffgram: true,
    expect: [403, 200, 200, 200, 400, 200, 200, 200, 400, 403, 403, 403, 403, 403, 200],
  },
  {
    route: 'POST /api/walrus/project/:project_string_id/export/to_file',
    send: (cell) =>
      request('POST', `/api/walrus/project/${cell.project}/export/to_file`, {
        source: 'directory',
        directory_id: null,
        wait_for_export_generation: false,
      }),
    diffgram: true,
    expect: [403, 403, 200, 200, 400, 200, 403, 403, 400, 403, 403, 403, 403, 403, 200],
  },
  {
    route: 'POST /api/walrus/project/:project_string_id/export/link',
    send: (cell) =>
      request('POST', `/api/walrus/project/${cell.project}/export/link`, {
        id: cell.world.completeExportId,
        return_type: 'url',
        format: 'JSON',
      }),
    diffgram: true,
    expect: [403, 200, 200, 200, 400, 200, 200, 200, 400, 403, 403, 403, 403, 403, 200],
  },
  {
    route: 'GET /api/walrus/project/:project_string_id/export/working_dir/list',
    send: (cell) => request('GET', `/api/walrus/project/${cell.project}/export/working_dir/list`),
    diffgram: true,
    expect: [403, 200, 200, 200, 400, 200, 200, 200, 400, 403, 403, 403, 403, 403, 200],
  },
  // health probes (outside /api: nobody is asked who they are)
  {
    route: 'GET /livez',
    send: () => request('GET', '/livez'),
    //       none view edit admn oadm inst bkv  bkia kels revk wrng expd endd disa sess
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    route: 'GET /healthz',
    send: () => request('GET', '/healthz'),
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    route: 'GET /readyz',
    send: () => request('GET', '/readyz'),
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  // metrics: open unless METRICS_TOKEN is set (tested in metrics.routes.test.ts); annex's own
  // credentials neither open nor close it
  {
    route: 'GET /metrics',
    send: () => request('GET', '/metrics'),
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
];

const codeOfStatus: Partial<Record<Status, ErrorCode>> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
};

/** A body with the project's name in it made neutral, to compare the 404s of two projects. */
function withoutProjectName(response: LightMyRequestResponse, project: string): string {
  return response.body.replaceAll(project, '<project>');
}

/** Sends a request as `actor` (the actor's headers over the request's own). */
function sendAs(
  world: MatrixWorld,
  actor: Actor,
  options: InjectOptions,
): Promise<LightMyRequestResponse> {
  return world.app.inject({ ...options, headers: { ...options.headers, ...actor.headers } });
}

/**
 * `METHOD /path` of every route the app serves (HEAD, which Fastify adds to every GET, left out),
 * read from Fastify's route tree: each line is a path segment under the line it is indented under.
 */
function servedRoutes(app: FastifyInstance): Set<string> {
  const served = new Set<string>();
  const parents: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+) \(([^)]*)\)$/.exec(line);
    if (match === null) continue;
    const [, indent = '', segment = '', methods = ''] = match;
    const depth = indent.length / 4;
    parents.length = depth;
    const path = `${parents.join('')}${segment}`;
    parents.push(segment);
    for (const method of methods.split(', '))
      if (method !== 'HEAD') served.add(`${method} ${path}`);
  }
  return served;
}

it('has one status per principal in every row', () => {
  for (const row of matrix) expect(row.expect, row.route).toHaveLength(columns.length);
});

describe.each(testDialects)('role matrix on %s', (dialect) => {
  let world: MatrixWorld;

  beforeAll(async () => {
    world = await createMatrixWorld(dialect);
  }, 60_000);
  afterAll(async () => {
    await world.close();
  });

  // A route added to the app without a row here would escape every guarantee the matrix checks.
  it('has a row for every route the app serves, and serves every route it has a row for', () => {
    const served = servedRoutes(world.app);
    expect(served.size, 'no route read from the route tree').toBeGreaterThan(40);
    const rows = new Set(matrix.map((row) => row.route.replace(/ \(.*\)$/, '')));
    expect([...served].filter((route) => !rows.has(route)).sort(), 'served, no row').toEqual([]);
    expect([...rows].filter((route) => !served.has(route)).sort(), 'a row, not served').toEqual([]);
  });

  const cells = matrix.flatMap((row) =>
    columns.map((principal, index) => ({
      name: `${row.route} as ${principal} → ${String(row.expect[index])}`,
      row,
      principal,
      expected: row.expect[index],
    })),
  );

  // Concurrent: every cell makes its own principal and targets, so none depends on another's order.
  it.concurrent.for(cells)('$name', async ({ row, principal, expected }, { expect }) => {
    const actor = await principals[principal](world);
    const options = await row.send({ world, actor, project: matrixProject });
    const response = await sendAs(world, actor, options);
    const what = `${row.route} as ${principal}`;
    expect(response.statusCode, `${what}: ${response.body.slice(0, 300)}`).toBe(expected);

    if (row.diffgram === true) {
      if (expected !== undefined && expected >= 400) {
        expect(response.headers['content-type'], what).toMatch(/^text\/plain/);
        expect(response.body.length, what).toBeGreaterThan(0);
      }
      // A project (or a job's project) the principal may not see answers as one that does not exist.
      if (expected === 400 && row.route.includes(':project_string_id')) {
        const url = options.url.replace(
          `/project/${matrixProject}/`,
          `/project/${unknownProject}/`,
        );
        const unknown = await sendAs(world, actor, { ...options, url });
        expect(unknown.statusCode, `${what}, unknown project`).toBe(400);
        expect(withoutProjectName(response, matrixProject), what).toBe(
          withoutProjectName(unknown, unknownProject),
        );
      }
      return;
    }
    const code = expected === undefined ? undefined : (row.code ?? codeOfStatus[expected]);
    if (code === undefined) return;
    const envelope = errorEnvelopeSchema.safeParse(response.json());
    expect(envelope.success, `${what}: not the error envelope: ${response.body}`).toBe(true);
    expect(envelope.data?.error.code, what).toBe(code);

    // Not a member is not a confirmation: the same 404, byte for byte but the name, as no project.
    if (expected === 404 && row.route.includes(':project')) {
      const url = options.url.replace(`/projects/${matrixProject}`, `/projects/${unknownProject}`);
      const unknown = await sendAs(world, actor, { ...options, url });
      expect(unknown.statusCode, `${what}, unknown project`).toBe(404);
      expect(withoutProjectName(response, matrixProject), what).toBe(
        withoutProjectName(unknown, unknownProject),
      );
      expect(response.headers['content-type'], what).toBe(unknown.headers['content-type']);
      expect(response.headers['content-length'], what).toBe(unknown.headers['content-length']);
    }
  });

  // An id of another project is not a confirmation either: a project admin asking the project for
  // the other project's file, task or import gets exactly what an id that names nothing gets.
  describe("another project's ids", () => {
    const absentId = 2_000_000_000;
    let ids: { file: number; task: number; import: number };

    beforeAll(async () => {
      const admin = { authorization: testAdminAuthorization };
      const other = await world.database.db
        .selectFrom('directory')
        .select('id')
        .where('project_id', '=', world.otherProjectId)
        .executeTakeFirstOrThrow();
      const file = await world.app.inject({
        ...request('POST', '/api/v1/projects/other/files', {
          type: 'image',
          original_filename: 'other.png',
          media_url: 'https://media.example.com/other.png',
          directory_id: other.id,
        }),
        headers: admin,
      });
      const fileId = file.json<FileResponse>().file.id;
      const job = await world.app.inject({
        ...request('POST', '/api/v1/projects/other/jobs', { name: 'other', file_ids: [fileId] }),
        headers: admin,
      });
      const task = await world.database.db
        .selectFrom('task')
        .select('id')
        .where('job_id', '=', job.json<JobResponse>().job.id)
        .executeTakeFirstOrThrow();
      const upload = uploadRequest(
        '/api/v1/projects/other/imports?directory=other',
        matrixImportFile,
      );
      const imported = await world.app.inject({
        ...upload,
        headers: { ...upload.headers, ...admin },
      });
      ids = { file: fileId, task: task.id, import: imported.json<ImportResponse>().import.id };
    });

    /** A route of the write API or imports reading an id, relative to the project's path. */
    interface IdRoute {
      route: string;
      /** What the id names. */
      kind: keyof typeof ids;
      send: (id: number) => MatrixRequest;
    }
    const routes: IdRoute[] = [
      { route: 'GET files/:id', kind: 'file', send: (id) => request('GET', `files/${id}`) },
      {
        route: 'PATCH files/:id',
        kind: 'file',
        send: (id) => request('PATCH', `files/${id}`, { ann_is_complete: true }),
      },
      { route: 'DELETE files/:id', kind: 'file', send: (id) => request('DELETE', `files/${id}`) },
      {
        route: 'GET files/:id/instances',
        kind: 'file',
        send: (id) => request('GET', `files/${id}/instances`),
      },
      {
        route: 'PUT files/:id/instances',
        kind: 'file',
        send: (id) => request('PUT', `files/${id}/instances`, { instance_list: [] }),
      },
      {
        route: 'PATCH tasks/:id',
        kind: 'task',
        send: (id) => request('PATCH', `tasks/${id}`, { status: 'complete' }),
      },
      {
        route: 'POST jobs (file_ids)',
        kind: 'file',
        send: (id) => request('POST', 'jobs', { name: `j-${unique()}`, file_ids: [id] }),
      },
      { route: 'GET imports/:id', kind: 'import', send: (id) => request('GET', `imports/${id}`) },
    ];

    it.concurrent.for(routes)(
      '$route answers for an id of another project as for no such id',
      async ({ kind, send }, { expect }) => {
        const actor = await principals.admin(world);
        const ask = (id: number) => {
          const options = send(id);
          const url = `/api/v1/projects/${matrixProject}/${options.url}`;
          return sendAs(world, actor, { ...options, url });
        };
        const theirs = await ask(ids[kind]);
        const none = await ask(absentId);
        expect(theirs.statusCode, theirs.body).toBeGreaterThanOrEqual(400);
        expect(theirs.statusCode, theirs.body).toBe(none.statusCode);
        const neutral = (body: string, id: number) => body.replaceAll(String(id), '<id>');
        expect(neutral(theirs.body, ids[kind])).toBe(neutral(none.body, absentId));
      },
    );
  });

  // The 200 of GET /projects lists the principal's projects only, each with their role in it.
  const listings: { principal: PrincipalName; demo?: ProjectRole; other?: ProjectRole }[] = [
    { principal: 'viewer', demo: 'viewer' },
    { principal: 'editor', demo: 'editor' },
    { principal: 'admin', demo: 'admin' },
    { principal: 'otherAdmin', other: 'admin' },
    { principal: 'instanceAdmin', demo: 'admin', other: 'admin' },
    { principal: 'boundViewerKey', demo: 'viewer' },
    { principal: 'boundKeyOfInstanceAdmin', demo: 'viewer' },
    { principal: 'keyBoundElsewhere', other: 'admin' },
    { principal: 'editorSession', demo: 'editor' },
  ];
  it.concurrent.for(listings)(
    'GET /api/v1/projects as $principal lists demo as $demo and other as $other',
    async ({ principal, demo, other }, { expect }) => {
      const actor = await principals[principal](world);
      const response = await sendAs(world, actor, request('GET', '/api/v1/projects'));
      expect(response.statusCode).toBe(200);
      const roles = new Map(
        response
          .json<ProjectListResponse>()
          .projects.map((project) => [project.project_string_id, project.my_role]),
      );
      expect(roles.get(matrixProject), principal).toBe(demo);
      expect(roles.get('other'), principal).toBe(other);
      // Besides these two, only an unbound instance admin sees the projects the matrix creates.
      if (principal !== 'instanceAdmin')
        expect(roles.size, principal).toBe(
          Number(demo !== undefined) + Number(other !== undefined),
        );
    },
  );
});
