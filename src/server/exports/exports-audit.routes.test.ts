import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Export, ExportLink } from '../../contract/exports.ts';
import { auditEventsOf } from '../audit/audit-test-reads.ts';
import { testDialects } from '../db/test-database.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import type { TestAccount } from '../test-utils/test-accounts.ts';
import { addDirectory } from '../test-utils/test-records.ts';
import {
  createExportTestEnvWithWorker,
  defaultDirectoryExport,
  watchExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// The export routes write the audit trail: who generated, was handed a download link (the trail's
// "downloaded") and archived which export. Refused requests write nothing, and no event holds a link.

const api = '/api/v1/projects/demo/exports';

describe.each(testDialects)('export audit events on %s', (dialect) => {
  let env: ExportTestEnv;
  let editor: TestAccount;
  let viewer: TestAccount;

  beforeAll(async () => {
    env = await createExportTestEnvWithWorker(dialect);
    editor = await addTestAccount(env.database.db, {
      email: 'eddie@example.com',
      projects: { [env.demo.projectId]: 'editor' },
    });
    viewer = await addTestAccount(env.database.db, {
      email: 'vera@example.com',
      projects: { [env.demo.projectId]: 'viewer' },
    });
  });
  afterAll(async () => {
    await env.close();
  });

  /** Asks for an export of the demo's default directory as `account`, with `extra` in the body. */
  async function createAs(account: TestAccount, extra: Record<string, unknown> = {}) {
    return env.app.inject({
      method: 'POST',
      url: api,
      headers: account.headers,
      payload: { ...defaultDirectoryExport(env), ...extra },
    });
  }

  it('records export_created, export_link_issued and export_archived with the actor and export', async () => {
    const created = await createAs(editor);
    expect(created.statusCode).toBe(202);
    const { id } = created.json<Export>();
    const target = `export ${id}`;
    expect(await auditEventsOf(env.database.db, 'export_created', target)).toMatchObject([
      {
        actor_email: 'eddie@example.com',
        via: 'api_key',
        project_id: env.demo.projectId,
        details: { source: 'directory' },
      },
    ]);

    await watchExport(env.app, 'demo', id);
    const linked = await env.app.inject({
      method: 'POST',
      url: `${api}/${id}/link`,
      headers: viewer.headers,
    });
    expect(linked.statusCode).toBe(200);
    const link = linked.json<ExportLink>();
    const issued = await auditEventsOf(env.database.db, 'export_link_issued', target);
    expect(issued).toMatchObject([
      {
        actor_email: 'vera@example.com',
        project_id: env.demo.projectId,
        details: { expires_at: link.expires_at },
      },
    ]);
    // The signature opens the file: it is never kept.
    expect(JSON.stringify(issued)).not.toContain(new URL(link.url).search.slice(1));

    const archived = await env.app.inject({
      method: 'DELETE',
      url: `${api}/${id}`,
      headers: editor.headers,
    });
    expect(archived.statusCode).toBe(204);
    expect(await auditEventsOf(env.database.db, 'export_archived', target)).toMatchObject([
      { actor_email: 'eddie@example.com', project_id: env.demo.projectId },
    ]);
  });

  it('records the link a waited create hands out with return_type "url"', async () => {
    const response = await createAs(editor, {
      wait_for_export_generation: true,
      return_type: 'url',
    });
    expect(response.statusCode).toBe(200);
    const link = response.json<ExportLink>();
    const target = `export ${link.export.id}`;
    expect(await auditEventsOf(env.database.db, 'export_created', target)).toHaveLength(1);
    expect(await auditEventsOf(env.database.db, 'export_link_issued', target)).toMatchObject([
      { actor_email: 'eddie@example.com', details: { expires_at: link.expires_at } },
    ]);
  });

  it('records nothing for a refused request', async () => {
    const before = await env.database.db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    const refusedCreate = await createAs(viewer);
    expect(refusedCreate.statusCode).toBe(403);

    // A link to a failed export (409) and an editor archiving someone else's export (403).
    const empty = await addDirectory(env.database, env.demo.projectId, 'Empty audit shelf', []);
    const failed = await env.app.inject({
      method: 'POST',
      url: api,
      payload: { source: 'directory', directory_id: empty },
    });
    const failedId = failed.json<Export>().id;
    await watchExport(env.app, 'demo', failedId);
    const afterCreate = await env.database.db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(afterCreate.count).toBe(before.count + 1);
    const noLink = await env.app.inject({ method: 'POST', url: `${api}/${failedId}/link` });
    expect(noLink.statusCode).toBe(409);
    const notTheirs = await env.app.inject({
      method: 'DELETE',
      url: `${api}/${failedId}`,
      headers: editor.headers,
    });
    expect(notTheirs.statusCode).toBe(403);
    const target = `export ${failedId}`;
    expect(await auditEventsOf(env.database.db, 'export_link_issued', target)).toEqual([]);
    expect(await auditEventsOf(env.database.db, 'export_archived', target)).toEqual([]);
  });
});
