import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFileSchema } from '../../contract/export-file.ts';
import type {
  Export,
  ExportLink,
  ExportListResponse,
  PreflightResponse,
} from '../../contract/exports.ts';
import { buildApp } from '../app.ts';
import { testDialects } from '../db/test-database.ts';
import { errorOf, pathOf } from '../test-utils/api-responses.ts';
import {
  addTestAccount,
  testAdminAuthorization,
  testAdminEmail,
} from '../test-utils/test-accounts.ts';
import { addDirectory, addJob, addProject } from '../test-utils/test-records.ts';
import {
  addOtherProject,
  createExportTestEnv,
  createExportTestEnvWithWorker,
  exportRowOf,
  requestExport,
  watchExport,
} from './export-test-harness.ts';
import type { ExportTestEnv, OtherProject } from './export-test-harness.ts';

// The export routes doing their work: create, read, list, link too early, archive, preflight, and
// waiting for the file. Refusals are in exports-refusals.routes.test.ts, downloads in
// files.routes.test.ts.

const api = '/api/v1/projects';

describe.each(testDialects)('exports API on %s', (dialect) => {
  describe('without a worker', () => {
    let env: ExportTestEnv;
    let other: OtherProject;
    let luckfrill: number;

    beforeAll(async () => {
      env = await createExportTestEnv(dialect, { WAIT_TIMEOUT_SECONDS: '1' });
      other = await addOtherProject(env.database);
      luckfrill = env.demo.defaultDirectoryId;
    });
    afterAll(async () => {
      await env.close();
    });

    it('queues an export and answers 202 with it, named sources and defaults filled in', async () => {
      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        payload: { source: 'directory', directory_id: luckfrill, expected_file_count: 12 },
      });
      expect(response.statusCode).toBe(202);
      const created = response.json<Export>();
      expect(created).toMatchObject({
        project_string_id: 'demo',
        kind: 'Annotations',
        source: 'directory',
        directory: { id: luckfrill, name: 'Luckfrill' },
        job: null,
        task: null,
        ann_is_complete: true,
        include_removed: false,
        status: 'queued',
        percent_complete: 0,
        expected_file_count: 12,
        file_list_length: null,
        created_by: testAdminEmail,
        started_time: null,
      });
    });

    it('records the signed-in user as created_by', async () => {
      const ada = await addTestAccount(env.database.db, {
        email: 'ada@example.com',
        projects: { [env.demo.projectId]: 'editor' },
      });
      const named = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        headers: ada.headers,
        payload: { source: 'directory', directory_id: luckfrill },
      });
      expect(named.json<Export>().created_by).toBe('ada@example.com');
    });

    it('names the task and its job for a task export', async () => {
      const jobs = Object.values(env.demo.jobs);
      const job = jobs[0];
      const task = job?.tasks[0];
      if (job === undefined || task === undefined)
        throw new Error('the demo has no job with a task');
      const created = await requestExport(env.app, 'demo', {
        source: 'task',
        task_id: task.id,
        ann_is_complete: false,
      });
      expect(created.task?.id).toBe(task.id);
      expect(created.task?.name).toMatch(new RegExp(`^${job.name} / `));
      expect(created.job).toEqual({ id: job.id, name: job.name });
    });

    it("does not show one project's export under another project", async () => {
      const created = await requestExport(env.app, 'other', { source: 'job', job_id: other.jobId });
      const response = await env.app.inject({
        method: 'GET',
        url: `${api}/demo/exports/${created.id}`,
      });
      expect(response.statusCode).toBe(404);
    });

    it('answers 409 "Export not ready yet" with the export when asked for a link too early', async () => {
      const created = await requestExport(env.app, 'demo', {
        source: 'directory',
        directory_id: luckfrill,
      });
      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports/${created.id}/link`,
      });
      expect(response.statusCode).toBe(409);
      const error = errorOf(response);
      expect(error.code).toBe('export_not_ready');
      expect(error.message).toBe('Export not ready yet');
      expect((error.details as { export: Export }).export).toMatchObject({
        id: created.id,
        status: 'queued',
      });
    });

    it('answers 202 with the export as it stands when waiting runs out of time', async () => {
      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        payload: { source: 'directory', directory_id: luckfrill, wait_for_export_generation: true },
      });
      expect(response.statusCode).toBe(202);
      expect(response.json<Export>().status).toBe('queued');
    });

    it('ends a wait at once when the server shuts down, answering 202 with the export as it stands', async () => {
      const own = await buildApp({
        config: { ...env.config, WAIT_TIMEOUT_SECONDS: 600 },
        database: env.database,
        storage: env.storage,
      });
      const exportCount = async () =>
        (
          await env.database.db
            .selectFrom('export')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n;
      const before = await exportCount();
      const waiting = own.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        headers: { authorization: testAdminAuthorization },
        payload: { source: 'directory', directory_id: luckfrill, wait_for_export_generation: true },
      });
      // The export row exists once the request is waiting on it.
      while ((await exportCount()) === before)
        await new Promise((resolve) => setTimeout(resolve, 5));
      await own.close();
      const response = await waiting;
      expect(response.statusCode).toBe(202);
      expect(response.json<Export>().status).toBe('queued');
    });

    it('counts a preflight with the selection rules, and routes "preflight" before ":id"', async () => {
      const response = await env.app.inject({
        method: 'GET',
        url: `${api}/demo/exports/preflight?source=directory&directory_id=${luckfrill}`,
      });
      expect(response.statusCode).toBe(200);
      const preflight = response.json<PreflightResponse>();
      const luckfrillSummary = env.demo.directories.Luckfrill;
      expect(preflight.file_count).toBe(luckfrillSummary?.completedFileIds.length);
      expect(preflight.empty_reason).toBeNull();

      const all = await env.app.inject({
        method: 'GET',
        url: `${api}/demo/exports/preflight?source=directory&directory_id=${luckfrill}&ann_is_complete=false`,
      });
      expect(all.json<PreflightResponse>().file_count).toBeGreaterThan(preflight.file_count);
    });

    it('lists newest first in pages with a cursor and a total, filters by source, and leaves archived ones out', async () => {
      // A project of its own, so earlier tests' exports do not count.
      const projectId = await addProject(env.database, 'listing', 'Listing');
      const directoryId = await addDirectory(env.database, projectId, 'd', []);
      const { jobId } = await addJob(env.database, projectId, 'j', []);
      const ids: number[] = [];
      for (let index = 0; index < 5; index += 1) {
        const body =
          index % 2 === 0
            ? { source: 'directory', directory_id: directoryId }
            : { source: 'job', job_id: jobId };
        ids.push((await requestExport(env.app, 'listing', body)).id);
      }

      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? 'limit=2' : `limit=2&cursor=${cursor}`;
        const response = await env.app.inject({
          method: 'GET',
          url: `${api}/listing/exports?${query}`,
        });
        expect(response.statusCode).toBe(200);
        const page = response.json<ExportListResponse>();
        expect(page.total).toBe(5);
        seen.push(...page.exports.map((item) => item.id));
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor !== null);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());

      const jobs = await env.app.inject({
        method: 'GET',
        url: `${api}/listing/exports?source=job`,
      });
      expect(jobs.json<ExportListResponse>()).toMatchObject({ total: 2, next_cursor: null });
      expect(jobs.json<ExportListResponse>().exports.map((item) => item.source)).toEqual([
        'job',
        'job',
      ]);

      const archivedId = ids[4] ?? 0;
      const archived = await env.app.inject({
        method: 'DELETE',
        url: `${api}/listing/exports/${archivedId}`,
      });
      expect(archived.statusCode).toBe(204);
      const after = (
        await env.app.inject({ method: 'GET', url: `${api}/listing/exports` })
      ).json<ExportListResponse>();
      expect(after.total).toBe(4);
      expect(after.exports.map((item) => item.id)).not.toContain(archivedId);
      const again = await env.app.inject({
        method: 'DELETE',
        url: `${api}/listing/exports/${archivedId}`,
      });
      expect(again.statusCode).toBe(404);
    });

    it('archives a queued export so no worker builds it', async () => {
      const created = await requestExport(env.app, 'demo', {
        source: 'directory',
        directory_id: luckfrill,
      });
      expect(
        (await env.app.inject({ method: 'DELETE', url: `${api}/demo/exports/${created.id}` }))
          .statusCode,
      ).toBe(204);
      expect(await exportRowOf(env, created.id)).toMatchObject({
        archived: 1,
        status: 'failed',
        status_text: 'Archived before it finished.',
      });
    });
  });

  describe('with a worker', () => {
    let env: ExportTestEnv;
    let luckfrill: number;

    beforeAll(async () => {
      env = await createExportTestEnvWithWorker(dialect);
      luckfrill = env.demo.defaultDirectoryId;
    });
    afterAll(async () => {
      await env.close();
    });

    it('waits and answers with the file itself (return_type data)', async () => {
      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        payload: { source: 'directory', directory_id: luckfrill, wait_for_export_generation: true },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      const id = Number(response.headers['x-annex-export-id']);
      const file = exportFileSchema.parse(response.json());
      expect(file.export_info.id).toBe(id);
      const record = (
        await env.app.inject({ method: 'GET', url: `${api}/demo/exports/${id}` })
      ).json<Export>();
      expect(record.status).toBe('complete');
      expect(response.headers['content-length']).toBe(String(record.size_bytes));
    });

    it('waits and answers with a link (return_type url)', async () => {
      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        headers: { host: 'localhost:8123' },
        payload: {
          source: 'directory',
          directory_id: luckfrill,
          wait_for_export_generation: true,
          return_type: 'url',
        },
      });
      expect(response.statusCode).toBe(200);
      const link = response.json<ExportLink>();
      expect(link.export.status).toBe('complete');
      expect(link.url.startsWith(`http://localhost:8123/files/exports/${link.export.id}?`)).toBe(
        true,
      );
      const download = await env.app.inject({ method: 'GET', url: pathOf(link.url) });
      expect(download.statusCode).toBe(200);
      expect(download.headers.etag).toBe(`"${link.export.sha256 ?? ''}"`);
    });

    it('waits and answers 422 export_failed with the reason and the export when nothing is selected', async () => {
      const emptyDirectory = await addDirectory(
        env.database,
        env.demo.projectId,
        'Empty shelf',
        [],
      );
      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        payload: {
          source: 'directory',
          directory_id: emptyDirectory,
          wait_for_export_generation: true,
        },
      });
      expect(response.statusCode).toBe(422);
      const error = errorOf(response);
      expect(error.code).toBe('export_failed');
      expect(error.message).toMatch(/^No file matches: directory "Empty shelf" holds no files/);
      const failed = (error.details as { export: Export }).export;
      expect(failed).toMatchObject({ status: 'failed', status_text: error.message });
    });

    it('answers a link asked for a failed export with 409 export_failed and its status_text, not "not ready"', async () => {
      const emptyDirectory = await addDirectory(env.database, env.demo.projectId, 'Bare shelf', []);
      const created = await requestExport(env.app, 'demo', {
        source: 'directory',
        directory_id: emptyDirectory,
      });
      const [failed] = (await watchExport(env.app, 'demo', created.id)).slice(-1);
      expect(failed?.status).toBe('failed');

      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports/${created.id}/link`,
      });
      expect(response.statusCode).toBe(409);
      const error = errorOf(response);
      expect(error.code).toBe('export_failed');
      expect(error.message).toBe(`This export failed: ${failed?.status_text ?? ''}`);
      expect((error.details as { export: Export }).export).toMatchObject({
        id: created.id,
        status: 'failed',
      });

      // A signed link to it (one cannot be asked for, but one made by hand) says the same.
      const signed = env.linkSigner.sign(created.id);
      const download = await env.app.inject({ method: 'GET', url: signed.path });
      expect(download.statusCode).toBe(409);
      expect(errorOf(download)).toMatchObject({
        code: 'export_failed',
        message: error.message,
      });
    });
  });
});
