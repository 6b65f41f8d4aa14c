import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../contract/errors.ts';
import { exportFileSchema } from '../../contract/export-file.ts';
import type {
  Export,
  ExportLink,
  ExportListResponse,
  PreflightResponse,
} from '../../contract/exports.ts';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config/env.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { seedDemoProject } from '../seed/demo-project.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import { createExportTestEnv, requestExport, watchExport } from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

const api = '/api/v1/projects';

function errorOf(response: LightMyRequestResponse): ErrorEnvelope['error'] {
  return response.json<ErrorEnvelope>().error;
}

/** The field names an error's details name. */
function fieldsOf(response: LightMyRequestResponse): string[] {
  const details = errorOf(response).details as { issues?: { field: string }[] } | undefined;
  return (details?.issues ?? []).map((issue) => issue.field);
}

/** A second project with a directory, a job and a task, to ask for them from the demo project. */
async function seedOtherProject(env: ExportTestEnv) {
  const { db } = env.database;
  const now = new Date().toISOString();
  const project = await db
    .insertInto('project')
    .values({
      project_string_id: 'other',
      name: 'Other',
      default_directory_id: null,
      created_time: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const directory = await db
    .insertInto('directory')
    .values({ project_id: project.id, nickname: 'Elsewhere', created_time: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const file = await db
    .insertInto('file')
    .values({
      project_id: project.id,
      type: 'image',
      original_filename: 'other.jpg',
      media_url: 'https://media.example.com/other.jpg',
      ann_is_complete: 1,
      state: 'added',
      created_time: now,
      last_modified_time: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const job = await db
    .insertInto('job')
    .values({
      project_id: project.id,
      name: 'Other job',
      status: 'active',
      label_schema: '[]',
      created_time: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const task = await db
    .insertInto('task')
    .values({ job_id: job.id, file_id: file.id, status: 'complete', created_time: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { directoryId: directory.id, jobId: job.id, taskId: task.id };
}

/** A directory of the demo project that holds no file: its exports fail. */
async function seedEmptyDirectory(env: ExportTestEnv): Promise<number> {
  const row = await env.database.db
    .insertInto('directory')
    .values({
      project_id: env.demo.projectId,
      nickname: 'Empty shelf',
      created_time: new Date().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

describe.each(testDialects)('exports API on %s', (dialect) => {
  describe('without a worker', () => {
    let env: ExportTestEnv;
    let other: Awaited<ReturnType<typeof seedOtherProject>>;
    let luckfrill: number;

    beforeAll(async () => {
      env = await createExportTestEnv(dialect, { WAIT_TIMEOUT_SECONDS: '1' });
      other = await seedOtherProject(env);
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
        created_by: env.config.DEFAULT_USER_EMAIL,
        started_time: null,
      });
    });

    it('records who asked from the x-annex-user header, and rejects a header that is no email', async () => {
      const named = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        headers: { 'x-annex-user': 'ada@example.com' },
        payload: { source: 'directory', directory_id: luckfrill },
      });
      expect(named.json<Export>().created_by).toBe('ada@example.com');

      const bad = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        headers: { 'x-annex-user': 'not an email' },
        payload: { source: 'directory', directory_id: luckfrill },
      });
      expect(bad.statusCode).toBe(400);
      expect(fieldsOf(bad)).toEqual(['headers.x-annex-user']);
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

    it.each([
      ['an unknown source', { source: 'folder', directory_id: 1 }, ['body.source']],
      ['a missing id for the source', { source: 'directory' }, ['body.directory_id']],
      ['a missing job id', { source: 'job' }, ['body.job_id']],
      [
        'an id of another source kind',
        { source: 'directory', directory_id: 1, job_id: 2 },
        ['body.job_id'],
      ],
      ['a string id', { source: 'directory', directory_id: 'one' }, ['body.directory_id']],
      ['a negative id', { source: 'job', job_id: -3 }, ['body.job_id']],
      [
        'a non-boolean filter',
        { source: 'directory', directory_id: 1, ann_is_complete: 'yes' },
        ['body.ann_is_complete'],
      ],
      [
        'an unknown return type',
        { source: 'directory', directory_id: 1, return_type: 'zip' },
        ['body.return_type'],
      ],
      [
        'an unknown field',
        { source: 'directory', directory_id: 1, format: 'coco' },
        ['body.format'],
      ],
    ])('rejects %s with a 400 naming the field', async (_case, payload, fields) => {
      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('validation_failed');
      expect(fieldsOf(response)).toEqual(fields);
    });

    it('rejects a body that is not JSON', async () => {
      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        headers: { 'content-type': 'application/json' },
        payload: '{"source":',
      });
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('bad_request');
    });

    it('rejects a directory, job or task of another project, or one that does not exist, naming the field', async () => {
      const cases = [
        [{ source: 'directory', directory_id: other.directoryId }, 'body.directory_id'],
        [{ source: 'job', job_id: other.jobId }, 'body.job_id'],
        [{ source: 'task', task_id: other.taskId }, 'body.task_id'],
        [{ source: 'directory', directory_id: 987_654 }, 'body.directory_id'],
      ] as const;
      for (const [payload, field] of cases) {
        const response = await env.app.inject({
          method: 'POST',
          url: `${api}/demo/exports`,
          payload,
        });
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(fieldsOf(response)).toEqual([field]);
        expect(errorOf(response).message).toContain('is not in project "demo"');
      }
    });

    it('answers 404 naming an unknown project on every route', async () => {
      const requests = [
        {
          method: 'POST',
          url: `${api}/nope/exports`,
          payload: { source: 'directory', directory_id: 1 },
        },
        { method: 'GET', url: `${api}/nope/exports` },
        { method: 'GET', url: `${api}/nope/exports/1` },
        { method: 'GET', url: `${api}/nope/exports/preflight?source=directory&directory_id=1` },
        { method: 'POST', url: `${api}/nope/exports/1/link` },
        { method: 'DELETE', url: `${api}/nope/exports/1` },
      ] as const;
      for (const request of requests) {
        const response = await env.app.inject(request);
        expect(response.statusCode, `${request.method} ${request.url}`).toBe(404);
        expect(errorOf(response)).toMatchObject({
          code: 'not_found',
          message: 'Project "nope" was not found.',
        });
      }
    });

    it('answers 404 for an unknown export and 400 for an id that is not a number', async () => {
      for (const method of ['GET', 'DELETE'] as const) {
        const unknown = await env.app.inject({ method, url: `${api}/demo/exports/999999` });
        expect(unknown.statusCode).toBe(404);
        expect(errorOf(unknown).message).toBe('Export 999999 in project "demo" was not found.');
      }
      const link = await env.app.inject({ method: 'POST', url: `${api}/demo/exports/999999/link` });
      expect(link.statusCode).toBe(404);
      const notANumber = await env.app.inject({ method: 'GET', url: `${api}/demo/exports/abc` });
      expect(notANumber.statusCode).toBe(400);
      expect(fieldsOf(notANumber)).toEqual(['params.id']);
    });

    it('answers 400 naming the field for an id or cursor past the 32-bit ids the database keeps', async () => {
      const tooBig = 2_147_483_648;
      const requests = [
        [{ method: 'GET', url: `${api}/demo/exports/${tooBig}` }, 'params.id'],
        [{ method: 'POST', url: `${api}/demo/exports/${tooBig}/link` }, 'params.id'],
        [{ method: 'DELETE', url: `${api}/demo/exports/${tooBig}` }, 'params.id'],
        [{ method: 'GET', url: `${api}/demo/exports?cursor=${tooBig}` }, 'query.cursor'],
        [
          { method: 'GET', url: `${api}/demo/exports/preflight?source=job&job_id=${tooBig}` },
          'query.job_id',
        ],
        [
          {
            method: 'POST',
            url: `${api}/demo/exports`,
            payload: { source: 'task', task_id: tooBig },
          },
          'body.task_id',
        ],
      ] as const;
      for (const [request, field] of requests) {
        const response = await env.app.inject(request);
        expect(response.statusCode, `${request.method} ${request.url}`).toBe(400);
        expect(fieldsOf(response)).toEqual([field]);
      }
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

    it.each([
      ['a missing id for the source', 'source=directory', ['query.directory_id']],
      [
        'an id of another source kind',
        'source=job&job_id=1&directory_id=2',
        ['query.directory_id'],
      ],
      ['an unknown source', 'source=folder&directory_id=1', ['query.source']],
      [
        'a bad boolean',
        'source=directory&directory_id=1&ann_is_complete=maybe',
        ['query.ann_is_complete'],
      ],
      ['a non-numeric id', 'source=directory&directory_id=abc', ['query.directory_id']],
      ['an unknown parameter', 'source=directory&directory_id=1&colour=red', ['query.colour']],
    ])('rejects a preflight with %s, naming the field', async (_case, query, fields) => {
      const response = await env.app.inject({
        method: 'GET',
        url: `${api}/demo/exports/preflight?${query}`,
      });
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toEqual(fields);
    });

    it("rejects a preflight of another project's job", async () => {
      const response = await env.app.inject({
        method: 'GET',
        url: `${api}/demo/exports/preflight?source=job&job_id=${other.jobId}`,
      });
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toEqual(['query.job_id']);
    });

    it('lists newest first in pages with a cursor and a total, filters by source, and leaves archived ones out', async () => {
      const { db } = env.database;
      // A project of its own, so earlier tests' exports do not count.
      const now = new Date().toISOString();
      const project = await db
        .insertInto('project')
        .values({
          project_string_id: 'listing',
          name: 'Listing',
          default_directory_id: null,
          created_time: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const directory = await db
        .insertInto('directory')
        .values({ project_id: project.id, nickname: 'd', created_time: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      const job = await db
        .insertInto('job')
        .values({
          project_id: project.id,
          name: 'j',
          status: 'active',
          label_schema: '[]',
          created_time: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const ids: number[] = [];
      for (let index = 0; index < 5; index += 1) {
        const body =
          index % 2 === 0
            ? { source: 'directory', directory_id: directory.id }
            : { source: 'job', job_id: job.id };
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

    it.each([
      ['limit=0', ['query.limit']],
      ['limit=101', ['query.limit']],
      ['limit=ten', ['query.limit']],
      ['cursor=abc', ['query.cursor']],
      ['source=folder', ['query.source']],
      ['page=2', ['query.page']],
    ])('rejects a list query %s, naming the field', async (query, fields) => {
      const response = await env.app.inject({ method: 'GET', url: `${api}/demo/exports?${query}` });
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toEqual(fields);
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
      const row = await env.database.db
        .selectFrom('export')
        .selectAll()
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
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
      env = await createExportTestEnv(dialect);
      await env.startWorker();
      luckfrill = env.demo.defaultDirectoryId;
    });
    afterAll(async () => {
      await env.close();
    });

    /** A complete export of Luckfrill, its link and its file's bytes. */
    async function completeExport(
      body: Record<string, unknown> = { source: 'directory', directory_id: luckfrill },
    ) {
      const created = await requestExport(env.app, 'demo', body);
      const final = (await watchExport(env.app, 'demo', created.id)).at(-1);
      if (final?.status !== 'complete')
        throw new Error(`export ${created.id} ended ${JSON.stringify(final)}`);
      const linkResponse = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports/${created.id}/link`,
      });
      expect(linkResponse.statusCode).toBe(200);
      const link = linkResponse.json<ExportLink>();
      const download = await env.app.inject({ method: 'GET', url: pathOf(link.url) });
      return { record: final, link, download };
    }

    it('builds the file a link downloads: the check value matches the preflight and the file itself', async () => {
      const preflight = (
        await env.app.inject({
          method: 'GET',
          url: `${api}/demo/exports/preflight?source=directory&directory_id=${luckfrill}`,
        })
      ).json<PreflightResponse>();
      const { record, link, download } = await completeExport();

      expect(record.file_list_length).toBe(preflight.file_count);
      expect(record.instance_count).toBe(preflight.instance_count);
      expect(record.percent_complete).toBe(100);
      expect(record.file_name).toMatch(
        new RegExp(`^${record.id}_diffgram_annotations__source_directory_Luckfrill_datetime_`),
      );
      expect(link.url).toMatch(
        new RegExp(`^http://localhost(:80)?/files/exports/${record.id}\\?expires=\\d+&signature=`),
      );
      expect(Date.parse(link.expires_at) - Date.now()).toBeGreaterThan(
        (env.config.LINK_TTL_MINUTES - 1) * 60_000,
      );
      expect(link.export.id).toBe(record.id);

      expect(download.statusCode).toBe(200);
      expect(download.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(download.headers['content-disposition']).toBe(
        `inline; filename="${record.file_name ?? ''}"; filename*=UTF-8''${record.file_name ?? ''}`,
      );
      expect(download.headers['content-length']).toBe(String(record.size_bytes));
      expect(download.headers['accept-ranges']).toBe('bytes');
      expect(download.headers.etag).toBe(`"${record.sha256 ?? ''}"`);
      expect(createHash('sha256').update(download.rawPayload).digest('hex')).toBe(record.sha256);
      const file = exportFileSchema.parse(download.json());
      expect(file.export_info.file_list_length).toBe(preflight.file_count);
      expect(file.export_info.id).toBe(record.id);
    });

    it('makes ?download=1 an attachment', async () => {
      const { link, record } = await completeExport();
      const response = await env.app.inject({
        method: 'GET',
        url: `${pathOf(link.url)}&download=1`,
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-disposition']).toMatch(
        new RegExp(`^attachment; filename="${record.file_name ?? ''}"`),
      );
    });

    it('serves one byte range (206), a suffix range, and 416 for a range past the end', async () => {
      const { link, download } = await completeExport();
      const url = pathOf(link.url);
      const whole = download.rawPayload;

      const head = await env.app.inject({ method: 'GET', url, headers: { range: 'bytes=0-9' } });
      expect(head.statusCode).toBe(206);
      expect(head.headers['content-range']).toBe(`bytes 0-9/${whole.length}`);
      expect(head.headers['content-length']).toBe('10');
      expect(head.rawPayload.equals(whole.subarray(0, 10))).toBe(true);

      const middle = await env.app.inject({ method: 'GET', url, headers: { range: 'bytes=100-' } });
      expect(middle.statusCode).toBe(206);
      expect(middle.rawPayload.equals(whole.subarray(100))).toBe(true);

      const tail = await env.app.inject({ method: 'GET', url, headers: { range: 'bytes=-20' } });
      expect(tail.statusCode).toBe(206);
      expect(tail.rawPayload.equals(whole.subarray(whole.length - 20))).toBe(true);

      const past = await env.app.inject({
        method: 'GET',
        url,
        headers: { range: `bytes=${whole.length}-` },
      });
      expect(past.statusCode).toBe(416);
      expect(past.headers['content-range']).toBe(`bytes */${whole.length}`);
      expect(past.headers['content-disposition']).toBeUndefined();
      expect(errorOf(past).code).toBe('range_not_satisfiable');

      const stale = await env.app.inject({
        method: 'GET',
        url,
        headers: { range: 'bytes=0-9', 'if-range': '"another"' },
      });
      expect(stale.statusCode).toBe(200);
      expect(stale.rawPayload.length).toBe(whole.length);
    });

    it('answers 304 to a matching If-None-Match and HEAD with the headers alone', async () => {
      const { link, record } = await completeExport();
      const url = pathOf(link.url);
      const cached = await env.app.inject({
        method: 'GET',
        url,
        headers: { 'if-none-match': `"${record.sha256 ?? ''}"` },
      });
      expect(cached.statusCode).toBe(304);
      expect(cached.body).toBe('');
      const head = await env.app.inject({ method: 'HEAD', url });
      expect(head.statusCode).toBe(200);
      expect(head.headers['content-length']).toBe(String(record.size_bytes));
      expect(head.body).toBe('');
    });

    it('answers 404 with what to do when a complete export lost its file', async () => {
      const { link, record } = await completeExport();
      const row = await env.database.db
        .selectFrom('export')
        .select('storage_key')
        .where('id', '=', record.id)
        .executeTakeFirstOrThrow();
      fs.rmSync(env.storage.pathOf(row.storage_key ?? ''));
      const response = await env.app.inject({ method: 'GET', url: pathOf(link.url) });
      expect(response.statusCode).toBe(404);
      expect(errorOf(response).message).toBe(
        `The file of export ${record.id} is missing from the server's storage. Generate the export again.`,
      );
    });

    it('answers 403 for a tampered, foreign or incomplete link and 403 link_expired for an old one', async () => {
      const { link, record } = await completeExport();
      const url = new URL(link.url);
      const signature = url.searchParams.get('signature') ?? '';
      const expires = url.searchParams.get('expires') ?? '';

      const tampered = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      const cases = [
        `/files/exports/${record.id}?expires=${expires}&signature=${tampered}`,
        `/files/exports/${record.id}?expires=${String(Number(expires) + 86_400)}&signature=${signature}`,
        `/files/exports/${record.id + 1}?expires=${expires}&signature=${signature}`,
        `/files/exports/${record.id}?expires=${expires}`,
        `/files/exports/${record.id}`,
      ];
      for (const bad of cases) {
        const response = await env.app.inject({ method: 'GET', url: bad });
        expect(response.statusCode, bad).toBe(403);
        expect(errorOf(response).code).toBe('forbidden');
        expect(errorOf(response).message).toMatch(/^This download link is invalid/);
      }

      const old = env.linkSigner.signUntil(record.id, Math.floor(Date.now() / 1000) - 60);
      const expired = await env.app.inject({ method: 'GET', url: old.path });
      expect(expired.statusCode).toBe(403);
      expect(errorOf(expired)).toMatchObject({
        code: 'link_expired',
        message: `This download link expired at ${old.expiresAt.toISOString()}; ask for a new one.`,
      });
    });

    it('never reaches a path on disk through the download route', async () => {
      const attempts = [
        '/files/exports/..%2F..%2Fannex.db',
        '/files/exports/../link-secret',
        '/files/exports/%2e%2e/%2e%2e/etc/passwd',
      ];
      for (const attempt of attempts) {
        const response = await env.app.inject({ method: 'GET', url: attempt });
        expect([400, 403, 404], attempt).toContain(response.statusCode);
        expect(response.body).not.toContain(testSecretFragment(env));
      }
    });

    it('archives a complete export: gone from the list, its file deleted, its link dead', async () => {
      const { link, record } = await completeExport();
      const row = await env.database.db
        .selectFrom('export')
        .select('storage_key')
        .where('id', '=', record.id)
        .executeTakeFirstOrThrow();
      const filePath = env.storage.pathOf(row.storage_key ?? '');
      expect(fs.existsSync(filePath)).toBe(true);

      const response = await env.app.inject({
        method: 'DELETE',
        url: `${api}/demo/exports/${record.id}`,
      });
      expect(response.statusCode).toBe(204);

      expect(fs.existsSync(filePath)).toBe(false);
      const list = (
        await env.app.inject({ method: 'GET', url: `${api}/demo/exports?limit=100` })
      ).json<ExportListResponse>();
      expect(list.exports.map((item) => item.id)).not.toContain(record.id);
      expect(
        (await env.app.inject({ method: 'GET', url: `${api}/demo/exports/${record.id}` }))
          .statusCode,
      ).toBe(404);
      expect((await env.app.inject({ method: 'GET', url: pathOf(link.url) })).statusCode).toBe(404);
      const archived = await env.database.db
        .selectFrom('export')
        .selectAll()
        .where('id', '=', record.id)
        .executeTakeFirstOrThrow();
      expect(archived).toMatchObject({ archived: 1, status: 'complete' });
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
        headers: { host: 'annex.example:8123' },
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
      expect(
        link.url.startsWith(`http://annex.example:8123/files/exports/${link.export.id}?`),
      ).toBe(true);
      const download = await env.app.inject({ method: 'GET', url: pathOf(link.url) });
      expect(download.statusCode).toBe(200);
      expect(download.headers.etag).toBe(`"${link.export.sha256 ?? ''}"`);
    });

    it('waits and answers 422 export_failed with the reason and the export when nothing is selected', async () => {
      const emptyDirectory = await seedEmptyDirectory(env);
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
  });
});

describe.each(testDialects)(
  'buildApp with defaults from config, beside the panel, on %s',
  (dialect) => {
    let database: TestDatabase;
    let dataDir: string;
    let app: FastifyInstance;
    let demo: DemoProjectSummary;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      demo = await seedDemoProject(database);
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-defaults-'));
      const webRoot = path.join(dataDir, 'web');
      fs.mkdirSync(webRoot);
      fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>annex</title>');
      const config = loadConfig({
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        LOG_LEVEL: 'silent',
      });
      app = await buildApp({ config, database, webRoot });
    });
    afterAll(async () => {
      await app.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps a generated link secret in DATA_DIR, readable by its owner only', () => {
      expect(fs.statSync(path.join(dataDir, 'link-secret')).mode & 0o777).toBe(0o600);
    });

    it('serves export routes and download links, not the panel, on their paths', async () => {
      const created = await app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        payload: { source: 'directory', directory_id: demo.defaultDirectoryId },
      });
      expect(created.statusCode).toBe(202);
      const download = await app.inject({
        method: 'GET',
        url: `/files/exports/${created.json<Export>().id}?expires=1&signature=x`,
      });
      expect(download.statusCode).toBe(403);
      const unknownApi = await app.inject({ method: 'GET', url: '/api/v1/nothing' });
      expect(unknownApi.statusCode).toBe(404);
      expect(errorOf(unknownApi).code).toBe('not_found');
      const panel = await app.inject({ method: 'GET', url: '/projects/demo/export' });
      expect(panel.statusCode).toBe(200);
      expect(panel.headers['content-type']).toMatch(/^text\/html/);
    });
  },
);

/** A piece of the link secret: no response may ever carry it. */
function testSecretFragment(env: ExportTestEnv): string {
  return env.config.LINK_SECRET?.slice(0, 16) ?? 'unset';
}
