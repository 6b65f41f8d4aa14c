import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../db/test-database.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { addOtherProject, createExportTestEnv } from './export-test-harness.ts';
import type { ExportTestEnv, OtherProject } from './export-test-harness.ts';

// What the export routes refuse, and how they say it: a 400 naming the field, a 404 naming what
// is missing. The ids in the tables below never reach the database: validation or the project
// lookup answers first.

const api = '/api/v1/projects';

describe.each(testDialects)('exports API refusals on %s', (dialect) => {
  let env: ExportTestEnv;
  let other: OtherProject;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect, { WAIT_TIMEOUT_SECONDS: '1' });
    other = await addOtherProject(env.database);
  });
  afterAll(async () => {
    await env.close();
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
    ['an unknown field', { source: 'directory', directory_id: 1, format: 'coco' }, ['body.format']],
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

  it.each([
    ['a missing id for the source', 'source=directory', ['query.directory_id']],
    ['an id of another source kind', 'source=job&job_id=1&directory_id=2', ['query.directory_id']],
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
});
