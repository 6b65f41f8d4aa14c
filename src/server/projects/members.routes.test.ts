import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberListResponseSchema, memberSchema } from '../../contract/auth.ts';
import { projectNameMaxLength } from '../../contract/projects.ts';
import { auditEventsOf, markSignedUp } from '../audit/audit-test-reads.ts';
import { testDialects } from '../db/test-database.ts';
import { addAlphaTeam, createAccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import type { AccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { addTestAccount, testAdminEmail } from '../test-utils/test-accounts.ts';
import { addProject } from '../test-utils/test-records.ts';
import type { TestAccount } from '../test-utils/test-accounts.ts';

// A project's members as its admins manage them: list, add by email, change a role, remove; who may
// (project admins and instance admins; viewers and editors 403; anyone outside 404), and the one
// admin member a project always keeps.

const members = (project: string) => `/api/v1/projects/${project}/members`;

describe.each(testDialects)('member routes on %s', (dialect) => {
  let env: AccountsTestEnv;
  let alphaAdmin: TestAccount;
  let alphaEditor: TestAccount;
  let alphaViewer: TestAccount;
  let betaAdmin: TestAccount;

  beforeAll(async () => {
    env = await createAccountsTestEnv(dialect);
    ({ alphaAdmin, alphaEditor, alphaViewer } = await addAlphaTeam(env));
    betaAdmin = await addTestAccount(env.database.db, {
      email: 'bart@example.com',
      projects: { [env.beta]: 'admin' },
    });
    await markSignedUp(env.database.db, alphaAdmin.userId);
  });
  afterAll(async () => {
    await env.close();
  });

  /** A request to alpha's members (`suffix`: `/<user id>`) as alice, alpha's admin. */
  async function asAlphaAdmin(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    suffix = '',
    payload?: object,
  ) {
    return env.app.inject({
      method,
      url: `${members('alpha')}${suffix}`,
      headers: alphaAdmin.headers,
      ...(payload && { payload }),
    });
  }

  it('lists the members by email with their roles and account status; instance admins are not members', async () => {
    const response = await asAlphaAdmin('GET');
    expect(response.statusCode).toBe(200);
    const list = memberListResponseSchema.parse(response.json()).members;
    expect(list.map(({ email, role, status }) => ({ email, role, status }))).toEqual([
      { email: 'alice@example.com', role: 'admin', status: 'active' },
      { email: 'eddie@example.com', role: 'editor', status: 'invited' },
      { email: 'vera@example.com', role: 'viewer', status: 'invited' },
    ]);
    expect(list[0]?.user_id).toBe(alphaAdmin.userId);
    // The instance admin manages every project's members without being one.
    const asInstanceAdmin = await env.app.inject({ method: 'GET', url: members('beta') });
    expect(asInstanceAdmin.statusCode).toBe(200);
    expect(
      memberListResponseSchema.parse(asInstanceAdmin.json()).members.map((member) => member.email),
    ).toEqual(['bart@example.com', 'vera@example.com']);
  });

  describe('adding', () => {
    it('adds an existing account by email (201), and records it', async () => {
      const newcomer = await addTestAccount(env.database.db, { email: 'nia@example.com' });
      const response = await asAlphaAdmin('POST', '', { email: 'NIA@example.com', role: 'editor' });
      expect(response.statusCode).toBe(201);
      expect(memberSchema.parse(response.json())).toMatchObject({
        user_id: newcomer.userId,
        email: 'nia@example.com',
        role: 'editor',
        status: 'invited',
      });
      // They now reach the project, as an editor.
      const project = await env.app.inject({
        method: 'GET',
        url: '/api/v1/projects/alpha',
        headers: newcomer.headers,
      });
      expect(project.json<{ project: { my_role: string } }>().project.my_role).toBe('editor');
      const [event] = await auditEventsOf(
        env.database.db,
        'member_added',
        'member nia@example.com',
      );
      expect(event).toMatchObject({
        actor_email: 'alice@example.com',
        project_id: env.alpha,
        details: { role: 'editor' },
      });
    });

    it('answers 404 saying an instance admin adds users first when no account has the email', async () => {
      const response = await asAlphaAdmin('POST', '', {
        email: 'stranger@example.com',
        role: 'viewer',
      });
      expect(response.statusCode).toBe(404);
      expect(errorOf(response).message).toContain('An instance admin adds users first');
    });

    it('answers 409 for someone who is a member already', async () => {
      const response = await asAlphaAdmin('POST', '', {
        email: 'eddie@example.com',
        role: 'admin',
      });
      expect(response.statusCode).toBe(409);
      expect(errorOf(response).message).toContain('already a member of project "alpha" (editor)');
    });

    it.each([
      [{ email: 'eddie@example.com', role: 'owner' }, 'body.role'],
      [{ email: 'eddie', role: 'viewer' }, 'body.email'],
      [{ role: 'viewer' }, 'body.email'],
      [{ email: 'eddie@example.com', role: 'viewer', user_id: 3 }, 'body.user_id'],
    ])('answers 400 naming the field for %j', async (payload, field) => {
      const response = await asAlphaAdmin('POST', '', payload);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });
  });

  describe('changing a role and removing', () => {
    it('changes a role (recorded with from and to), then removes the member (204)', async () => {
      const temp = await addTestAccount(env.database.db, {
        email: 'tom@example.com',
        projects: { [env.alpha]: 'viewer' },
      });
      const changed = await asAlphaAdmin('PATCH', `/${temp.userId}`, { role: 'admin' });
      expect(changed.statusCode).toBe(200);
      expect(memberSchema.parse(changed.json())).toMatchObject({
        user_id: temp.userId,
        role: 'admin',
      });
      const [roleEvent] = await auditEventsOf(
        env.database.db,
        'member_role_changed',
        'member tom@example.com',
      );
      expect(roleEvent?.details).toEqual({ from: 'viewer', to: 'admin' });

      const removed = await asAlphaAdmin('DELETE', `/${temp.userId}`);
      expect(removed.statusCode).toBe(204);
      const gone = await env.app.inject({
        method: 'GET',
        url: '/api/v1/projects/alpha',
        headers: temp.headers,
      });
      expect(gone.statusCode).toBe(404);
      const [removeEvent] = await auditEventsOf(
        env.database.db,
        'member_removed',
        'member tom@example.com',
      );
      expect(removeEvent).toMatchObject({ project_id: env.alpha, details: { role: 'admin' } });

      const again = await asAlphaAdmin('DELETE', `/${temp.userId}`);
      expect(again.statusCode).toBe(404);
    });

    it('answers 404 for a user who is not a member (a member of another project included)', async () => {
      for (const method of ['PATCH', 'DELETE'] as const) {
        const response = await asAlphaAdmin(
          method,
          `/${betaAdmin.userId}`,
          method === 'PATCH' ? { role: 'viewer' } : undefined,
        );
        expect(response.statusCode).toBe(404);
        expect(errorOf(response).message).toBe(
          `Member ${betaAdmin.userId} of project "alpha" was not found.`,
        );
      }
    });

    it.each([
      ['PATCH', '/abc', { role: 'viewer' }, 'params.id'],
      ['PATCH', '/1', { role: 'boss' }, 'body.role'],
      ['PATCH', '/1', {}, 'body.role'],
      ['DELETE', '/0', undefined, 'params.id'],
    ] as const)('%s %s answers 400 naming the field', async (method, suffix, payload, field) => {
      const response = await asAlphaAdmin(method, suffix, payload);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });
  });

  describe('the last admin member', () => {
    it('may not be demoted nor removed (409 saying why); with a second admin, may', async () => {
      const gamma = await addProject(env.database, 'gamma', 'Gamma');
      const only = await addTestAccount(env.database.db, {
        email: 'olga@example.com',
        projects: { [gamma]: 'admin' },
      });
      const demote = await env.app.inject({
        method: 'PATCH',
        url: `${members('gamma')}/${only.userId}`,
        payload: { role: 'editor' },
      });
      expect(demote.statusCode).toBe(409);
      expect(errorOf(demote).message).toContain(
        'olga@example.com is the last admin of project "gamma"',
      );
      // Even by themselves.
      const leave = await env.app.inject({
        method: 'DELETE',
        url: `${members('gamma')}/${only.userId}`,
        headers: only.headers,
      });
      expect(leave.statusCode).toBe(409);
      // Re-stating their role changes nothing and is fine.
      const same = await env.app.inject({
        method: 'PATCH',
        url: `${members('gamma')}/${only.userId}`,
        payload: { role: 'admin' },
      });
      expect(same.statusCode).toBe(200);

      const second = await addTestAccount(env.database.db, { email: 'sam@example.com' });
      const added = await env.app.inject({
        method: 'POST',
        url: members('gamma'),
        payload: { email: 'sam@example.com', role: 'admin' },
      });
      expect(added.statusCode).toBe(201);
      const nowDemoted = await env.app.inject({
        method: 'PATCH',
        url: `${members('gamma')}/${only.userId}`,
        payload: { role: 'editor' },
      });
      expect(nowDemoted.statusCode).toBe(200);
      const lastLeaves = await env.app.inject({
        method: 'DELETE',
        url: `${members('gamma')}/${second.userId}`,
      });
      expect(lastLeaves.statusCode).toBe(409);
    });
  });

  describe('who may', () => {
    const routes = (userId: () => number) =>
      [
        ['GET', () => members('alpha'), undefined],
        ['POST', () => members('alpha'), { email: 'eddie@example.com', role: 'viewer' }],
        ['PATCH', () => `${members('alpha')}/${userId()}`, { role: 'viewer' }],
        ['DELETE', () => `${members('alpha')}/${userId()}`, undefined],
      ] as const;

    it.each(routes(() => alphaEditor.userId))(
      '%s: 403 for a viewer or editor, naming the role needed',
      async (method, url, payload) => {
        for (const account of [alphaViewer, alphaEditor]) {
          const response = await env.app.inject({
            method,
            url: url(),
            headers: account.headers,
            ...(payload && { payload }),
          });
          expect(response.statusCode).toBe(403);
          expect(errorOf(response).message).toContain('managing members needs admin');
        }
      },
    );

    it.each(routes(() => alphaEditor.userId))(
      '%s: 404 for another project’s admin, an unknown project; 401 for nobody',
      async (method, url, payload) => {
        const outside = await env.app.inject({
          method,
          url: url(),
          headers: betaAdmin.headers,
          ...(payload && { payload }),
        });
        expect(outside.statusCode).toBe(404);
        expect(errorOf(outside).message).toBe('Project "alpha" was not found.');
        const unknown = await env.app.inject({
          method,
          url: url().replace('/alpha/', '/nowhere/'),
          ...(payload && { payload }),
        });
        expect(unknown.statusCode).toBe(404);
        const anonymous = await env.anonymousApp.inject({
          method,
          url: url(),
          ...(payload && { payload }),
        });
        expect(anonymous.statusCode).toBe(401);
      },
    );

    it('limits a key bound to a project to that project and to its role', async () => {
      const boundViewer = await addTestAccount(env.database.db, {
        projects: { [env.alpha]: 'admin', [env.beta]: 'admin' },
        key: { projectId: env.alpha, role: 'viewer' },
      });
      const asViewer = await env.app.inject({
        method: 'GET',
        url: members('alpha'),
        headers: boundViewer.headers,
      });
      expect(asViewer.statusCode).toBe(403);
      const elsewhere = await env.app.inject({
        method: 'GET',
        url: members('beta'),
        headers: boundViewer.headers,
      });
      expect(elsewhere.statusCode).toBe(404);
      const boundAdmin = await addTestAccount(env.database.db, {
        projects: { [env.alpha]: 'admin' },
        key: { projectId: env.alpha, role: 'admin' },
      });
      const asAdmin = await env.app.inject({
        method: 'GET',
        url: members('alpha'),
        headers: boundAdmin.headers,
      });
      expect(asAdmin.statusCode).toBe(200);
    });

    it('answers 400 naming params.project for a malformed project name', async () => {
      const response = await env.app.inject({
        method: 'GET',
        url: members('x'.repeat(projectNameMaxLength + 1)),
      });
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toEqual(['params.project']);
    });

    it('records the instance admin as the actor when they act', async () => {
      const extra = await addTestAccount(env.database.db, { email: 'ivy@example.com' });
      const response = await env.app.inject({
        method: 'POST',
        url: members('beta'),
        payload: { email: extra.email, role: 'viewer' },
      });
      expect(response.statusCode).toBe(201);
      const [event] = await auditEventsOf(
        env.database.db,
        'member_added',
        'member ivy@example.com',
      );
      expect(event).toMatchObject({ actor_email: testAdminEmail, project_id: env.beta });
    });
  });
});
