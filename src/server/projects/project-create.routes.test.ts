import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberListResponseSchema } from '../../contract/auth.ts';
import { projectDetailResponseSchema, projectSummarySchema } from '../../contract/projects.ts';
import { auditEventsOf } from '../audit/audit-test-reads.ts';
import { testDialects } from '../db/test-database.ts';
import { createAccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import type { AccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { addTestAccount, testAdminEmail } from '../test-utils/test-accounts.ts';

// POST /api/v1/projects: an instance admin makes a project with its "Default" directory and becomes
// its admin member; nobody else may.

describe.each(testDialects)('creating a project on %s', (dialect) => {
  let env: AccountsTestEnv;

  beforeAll(async () => {
    env = await createAccountsTestEnv(dialect);
  });
  afterAll(async () => {
    await env.close();
  });

  async function create(payload: Record<string, unknown>, headers?: Record<string, string>) {
    return env.app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      payload,
      ...(headers && { headers }),
    });
  }

  it('makes the project with a default directory "Default" and its creator as admin member (201)', async () => {
    const creator = await addTestAccount(env.database.db, { instanceAdmin: true });
    const response = await create(
      { project_string_id: 'street-2025', name: 'Street scenes 2025' },
      creator.headers,
    );
    expect(response.statusCode).toBe(201);
    const project = projectSummarySchema.parse(response.json());
    expect(project).toMatchObject({
      project_string_id: 'street-2025',
      name: 'Street scenes 2025',
      my_role: 'admin',
    });

    const detail = projectDetailResponseSchema.parse(
      (await env.app.inject({ method: 'GET', url: '/api/v1/projects/street-2025' })).json(),
    );
    expect(detail.project.id).toBe(project.id);
    expect(detail.directories.map((directory) => directory.nickname)).toEqual(['Default']);
    expect(detail.default_directory).toMatchObject({
      id: project.default_directory_id,
      nickname: 'Default',
      file_count: 0,
    });

    const members = memberListResponseSchema.parse(
      (await env.app.inject({ method: 'GET', url: '/api/v1/projects/street-2025/members' })).json(),
    ).members;
    expect(members.map(({ user_id, role }) => ({ user_id, role }))).toEqual([
      { user_id: creator.userId, role: 'admin' },
    ]);

    const [event] = await auditEventsOf(env.database.db, 'project_created', 'project street-2025');
    expect(event).toMatchObject({
      actor_email: creator.email,
      project_id: project.id,
      details: { name: 'Street scenes 2025' },
    });
  });

  it('answers 409 for a taken project_string_id and writes nothing', async () => {
    const response = await create({ project_string_id: 'alpha', name: 'Again' });
    expect(response.statusCode).toBe(409);
    expect(errorOf(response)).toMatchObject({
      code: 'conflict',
      message: 'A project "alpha" already exists. Choose another project_string_id.',
    });
    const rows = await env.database.db
      .selectFrom('project')
      .select('id')
      .where('project_string_id', '=', 'alpha')
      .execute();
    expect(rows).toEqual([{ id: env.alpha }]);
  });

  it.each([
    [{ project_string_id: 'Has Spaces', name: 'x' }, 'body.project_string_id'],
    [{ project_string_id: '-dash-first', name: 'x' }, 'body.project_string_id'],
    [{ project_string_id: 'a'.repeat(64), name: 'x' }, 'body.project_string_id'],
    [{ project_string_id: 'fine', name: '' }, 'body.name'],
    [{ project_string_id: 'fine' }, 'body.name'],
    [{ project_string_id: 'fine', name: 'Fine', owner: 'me' }, 'body.owner'],
  ])('answers 400 naming the field for %j', async (payload, field) => {
    const response = await create(payload);
    expect(response.statusCode).toBe(400);
    expect(fieldsOf(response)).toContain(field);
  });

  it('answers 403 to a project admin who is not an instance admin, and to an instance admin’s bound key', async () => {
    const projectAdmin = await addTestAccount(env.database.db, {
      projects: { [env.alpha]: 'admin' },
    });
    const boundKey = await addTestAccount(env.database.db, {
      instanceAdmin: true,
      key: { projectId: env.alpha, role: 'admin' },
    });
    for (const account of [projectAdmin, boundKey]) {
      const response = await create(
        { project_string_id: 'sneaky', name: 'Sneaky' },
        account.headers,
      );
      expect(response.statusCode).toBe(403);
    }
    const anonymous = await env.anonymousApp.inject({
      method: 'POST',
      url: '/api/v1/projects',
      payload: { project_string_id: 'sneaky', name: 'Sneaky' },
    });
    expect(anonymous.statusCode).toBe(401);
    const sneaky = await env.database.db
      .selectFrom('project')
      .select('id')
      .where('project_string_id', '=', 'sneaky')
      .execute();
    expect(sneaky).toEqual([]);
  });

  it('lists the new project to its creator and to nobody else', async () => {
    await create({ project_string_id: 'fresh', name: 'Fresh' });
    const outsider = await addTestAccount(env.database.db);
    const listed = await env.app.inject({
      method: 'GET',
      url: '/api/v1/projects',
      headers: outsider.headers,
    });
    expect(listed.json<{ projects: unknown[] }>().projects).toEqual([]);
    const members = await env.app.inject({ method: 'GET', url: '/api/v1/projects/fresh/members' });
    expect(
      memberListResponseSchema.parse(members.json()).members.map((member) => member.email),
    ).toEqual([testAdminEmail]);
  });
});
