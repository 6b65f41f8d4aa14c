import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobResponseSchema } from '../../contract/annotation-writes.ts';
import { testDialects } from '../db/test-database.ts';
import { errorOf } from '../test-utils/api-responses.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import type { TestAccount } from '../test-utils/test-accounts.ts';
import {
  createFile,
  createLabel,
  createWriteApiEnv,
  send,
  studioPath,
} from './write-api-test-env.ts';
import type { WriteApiEnv } from './write-api-test-env.ts';

// Who may call the write API: reads need viewer, writes editor; a viewer's write is a 403 that
// changes nothing, and someone who is not a member gets the same 404 as for a project that does not
// exist, on every route.

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RouteCall {
  name: string;
  method: Method;
  path: string;
  body?: unknown;
}

describe.each(testDialects)('roles on the write API on %s', (dialect) => {
  let env: WriteApiEnv;
  let viewer: TestAccount;
  let editor: TestAccount;
  let outsider: TestAccount;
  let reads: RouteCall[];
  let writes: (name: string) => RouteCall[];

  beforeAll(async () => {
    env = await createWriteApiEnv(dialect);
    const { db } = env.database;
    viewer = await addTestAccount(db, { projects: { [env.projectId]: 'viewer' } });
    editor = await addTestAccount(db, { projects: { [env.projectId]: 'editor' } });
    outsider = await addTestAccount(db);
    const file = await createFile(env);
    const label = await createLabel(env, 'role-label');
    const made = await send(env, 'POST', studioPath('jobs'), {
      name: 'Role job',
      file_ids: [file.id],
    });
    const { job } = jobResponseSchema.parse(made.json());
    const task = await db
      .selectFrom('task')
      .select('id')
      .where('job_id', '=', job.id)
      .executeTakeFirstOrThrow();
    const box = {
      type: 'box',
      label_file_id: label.id,
      attribute_groups: null,
      x_min: 1,
      y_min: 1,
      x_max: 5,
      y_max: 5,
    };
    reads = [
      { name: 'GET files/:id', method: 'GET', path: `files/${file.id}` },
      { name: 'GET files/:id/instances', method: 'GET', path: `files/${file.id}/instances` },
      { name: 'GET labels', method: 'GET', path: 'labels' },
    ];
    // Names unique per caller, so an editor's successful write never collides with another's.
    writes = (name) => [
      {
        name: 'POST directories',
        method: 'POST',
        path: 'directories',
        body: { nickname: `dir ${name}` },
      },
      {
        name: 'POST files',
        method: 'POST',
        path: 'files',
        body: { type: 'image', original_filename: `${name}.jpg`, media_url: 'https://m.example/a' },
      },
      {
        name: 'PUT files/:id/instances',
        method: 'PUT',
        path: `files/${file.id}/instances`,
        body: { instance_list: [box] },
      },
      {
        name: 'PATCH files/:id',
        method: 'PATCH',
        path: `files/${file.id}`,
        body: { original_filename: `${name}-renamed.jpg` },
      },
      { name: 'POST labels', method: 'POST', path: 'labels', body: { name: `label ${name}` } },
      {
        name: 'POST jobs',
        method: 'POST',
        path: 'jobs',
        body: { name: `job ${name}`, file_ids: [file.id] },
      },
      {
        name: 'PATCH tasks/:id',
        method: 'PATCH',
        path: `tasks/${task.id}`,
        body: { status: name === 'editor' ? 'in_progress' : 'complete' },
      },
      { name: 'DELETE files/:id', method: 'DELETE', path: `files/${file.id}` },
    ];
  });
  afterAll(async () => {
    await env.close();
  });

  const call = (route: RouteCall, account: TestAccount, project?: string) =>
    send(env, route.method, studioPath(route.path, project), route.body, account.headers);

  it('lets a viewer read', async () => {
    for (const route of reads) {
      const response = await call(route, viewer);
      expect(response.statusCode, `${route.name}: ${response.body}`).toBe(200);
    }
  });

  it('answers a viewer 403 on every write, changing nothing', async () => {
    const before = await env.counter();
    for (const route of writes('viewer')) {
      const response = await call(route, viewer);
      expect(response.statusCode, `${route.name}: ${response.body}`).toBe(403);
      expect(errorOf(response).code).toBe('forbidden');
      expect(errorOf(response).message).toMatch(/is viewer; .* needs editor/);
    }
    expect(await env.counter()).toBe(before);
  });

  it('answers someone who is not a member 404 on every route, as for a project that does not exist', async () => {
    const unknown = await send(env, 'GET', studioPath('labels', 'no-such-project'), undefined, {
      ...outsider.headers,
    });
    for (const route of [...reads, ...writes('outsider')]) {
      const response = await call(route, outsider);
      expect(response.statusCode, route.name).toBe(404);
      expect(errorOf(response).message).toBe(
        errorOf(unknown).message.replace('no-such-project', 'studio'),
      );
    }
  });

  it('lets an editor write', async () => {
    for (const route of writes('editor')) {
      const response = await call(route, editor);
      expect([200, 201], `${route.name}: ${response.body}`).toContain(response.statusCode);
    }
  });
});
