import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectNameMaxLength } from '../../contract/projects.ts';
import { testDialects } from '../db/test-database.ts';
import { createExportTestEnv } from '../exports/export-test-harness.ts';
import type { ExportTestEnv } from '../exports/export-test-harness.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';

// What the API reads strictly (the write API and imports of issue 11 included): ids are digits and within the column's range, text holds no NUL or
// control character, a project name has one length limit everywhere, a body is UTF-8 JSON, and
// a malformed Authorization header is a short 401. Each other refusal is a 400 (415 for a charset)
// naming the field, never a 500 from the database and never a silent reading of `1e0` as 1.

const api = '/api/v1/projects';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A route to send: its method, its path, and the valid body it needs (when it reads one). */
type Route = [Method, string, unknown?];

// A Diffgram JSON file the import's upload check accepts: one image, no instances.
const importFile = JSON.stringify({
  export_info: { name: 'strict' },
  label_map: {},
  '1': { file: { id: 1, type: 'image' }, instance_list: [] },
});

// The write API's and the imports' routes reading `:id` (issue 11), each with a valid body, so
// only the id can be what is refused.
function writeIdRoutes(project: string, id: string): Route[] {
  return [
    ['GET', `${api}/${project}/files/${id}`],
    ['PATCH', `${api}/${project}/files/${id}`, { ann_is_complete: true }],
    ['DELETE', `${api}/${project}/files/${id}`],
    ['GET', `${api}/${project}/files/${id}/instances`],
    ['PUT', `${api}/${project}/files/${id}/instances`, { instance_list: [] }],
    ['PATCH', `${api}/${project}/tasks/${id}`, { status: 'in_progress' }],
    ['GET', `${api}/${project}/imports/${id}`],
  ];
}

// Every route with a `:project` segment, with a project name and an id put in; a route that reads
// a body is sent a valid one, so a name refused is the only refusal.
function projectRoutes(project: string, id = '1'): Route[] {
  return [
    ['GET', `${api}/${project}`],
    ['GET', `${api}/${project}/jobs`],
    ['GET', `${api}/${project}/tasks/${id}`],
    ['GET', `${api}/${project}/exports/preflight?source=directory&directory_id=1`],
    ['GET', `${api}/${project}/exports`],
    ['GET', `${api}/${project}/exports/events`],
    ['POST', `${api}/${project}/exports`],
    ['GET', `${api}/${project}/exports/${id}`],
    ['POST', `${api}/${project}/exports/${id}/link`],
    ['DELETE', `${api}/${project}/exports/${id}`],
    ['POST', `${api}/${project}/directories`, { nickname: 'strict' }],
    [
      'POST',
      `${api}/${project}/files`,
      { type: 'image', original_filename: 'a.png', media_url: 'https://media.example.com/a.png' },
    ],
    ['GET', `${api}/${project}/labels`],
    ['POST', `${api}/${project}/labels`, { name: 'strict' }],
    ['POST', `${api}/${project}/jobs`, { name: 'strict', file_ids: [1] }],
    ['POST', `${api}/${project}/imports?directory=strict`, importFile],
    ['GET', `${api}/${project}/imports`],
    ...writeIdRoutes(project, id),
  ];
}

// Every route with an `:id` segment.
function idRoutes(id: string): Route[] {
  return [
    ['GET', `${api}/demo/tasks/${id}`],
    ['GET', `${api}/demo/exports/${id}`],
    ['POST', `${api}/demo/exports/${id}/link`],
    ['DELETE', `${api}/demo/exports/${id}`],
    ['GET', `/files/exports/${id}?expires=1&signature=x`],
    ...writeIdRoutes('demo', id),
  ];
}

const looseIds = ['0x1', '1e0', '%2B1', '1.0', '%201', '1%20', '01x', '-1', '0', '2147483648'];

describe.each(testDialects)('strict input on %s', (dialect) => {
  let env: ExportTestEnv;
  let directoryId: number;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect);
    directoryId = env.demo.defaultDirectoryId;
  });
  afterAll(async () => {
    await env.close();
  });

  async function send(method: Method, url: string, payload?: unknown, headers = {}) {
    const body =
      payload ??
      (method === 'POST' && url.endsWith('/exports')
        ? { source: 'directory', directory_id: directoryId }
        : undefined);
    if (body === undefined) return env.app.inject({ method, url, headers });
    // A string is a file to upload (an import's body): sent as it is, labelled JSON.
    const labelled =
      typeof body === 'string' ? { 'content-type': 'application/json', ...headers } : headers;
    return env.app.inject({ method, url, headers: labelled, payload: body as string | object });
  }

  it.each(looseIds)('refuses the id %s on every route with a 400 naming params.id', async (id) => {
    for (const [method, url, payload] of idRoutes(id)) {
      const response = await send(method, url, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(400);
      expect(fieldsOf(response), `${method} ${url}`).toEqual(['params.id']);
    }
  });

  it.each([
    ['directory_id', 'source=directory&directory_id=1e0'],
    ['directory_id', 'source=directory&directory_id=%2B1'],
    ['job_id', 'source=job&job_id=0x1'],
    ['task_id', 'source=task&task_id=2147483648'],
  ])('refuses a loose query %s in preflight (%s)', async (field, query) => {
    const response = await send('GET', `${api}/demo/exports/preflight?${query}`);
    expect(response.statusCode).toBe(400);
    expect(fieldsOf(response)).toEqual([`query.${field}`]);
  });

  it.each(['1e1', '%2B5', '5.0', '0x5', '%205'])(
    'refuses the list limit %s with a 400 naming query.limit',
    async (limit) => {
      for (const list of ['exports', 'imports']) {
        const response = await send('GET', `${api}/demo/${list}?limit=${limit}`);
        expect(response.statusCode, list).toBe(400);
        expect(fieldsOf(response), list).toEqual(['query.limit']);
      }
    },
  );

  it.each([
    ['POST', 'files', { directory_id: 2_147_483_648 }, 'body.directory_id'],
    ['POST', 'files', { directory_id: 1e300 }, 'body.directory_id'],
    ['POST', 'jobs', { name: 'j', file_ids: [2_147_483_648] }, 'body.file_ids.0'],
    ['POST', 'jobs', { name: 'j', directory_id: 0 }, 'body.directory_id'],
    ['POST', 'jobs', { name: 'j', file_ids: [1], label_ids: [1.5] }, 'body.label_ids.0'],
  ] as const)(
    'refuses a body id beyond the integer column or not one in %s %s (%j) naming %s',
    async (method, route, fields, field) => {
      const base =
        route === 'files'
          ? {
              type: 'image',
              original_filename: 'a.png',
              media_url: 'https://media.example.com/a.png',
            }
          : {};
      const response = await send(method, `${api}/demo/${route}`, { ...base, ...fields });
      expect(response.statusCode).toBe(400);
      // 1e300 is neither an integer nor within range: two issues, one field.
      expect(new Set(fieldsOf(response))).toEqual(new Set([field]));
    },
  );

  it.each(['a%00b', 'a%01b', '%7F', '%0A'])(
    'refuses the import directory %s with a 400 naming query.directory',
    async (directory) => {
      const response = await send('POST', `${api}/demo/imports?directory=${directory}`, importFile);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toEqual(['query.directory']);
    },
  );

  it.each([
    ['expected_file_count', 2_147_483_648],
    ['expected_file_count', 1e300],
    ['directory_id', 2_147_483_648],
  ])('refuses a body %s of %d, beyond the integer column, with a 400', async (field, value) => {
    const response = await send('POST', `${api}/demo/exports`, {
      source: 'directory',
      directory_id: directoryId,
      [field]: value,
    });
    expect(response.statusCode).toBe(400);
    expect(new Set(fieldsOf(response))).toEqual(new Set([`body.${field}`]));
  });

  it('still reads a plain id, limit and expected_file_count', async () => {
    const created = await send('POST', `${api}/demo/exports`, {
      source: 'directory',
      directory_id: directoryId,
      expected_file_count: 2_147_483_647,
    });
    expect(created.statusCode).toBe(202);
    const { id } = created.json<{ id: number }>();
    expect((await send('GET', `${api}/demo/exports/${id}`)).statusCode).toBe(200);
    expect((await send('GET', `${api}/demo/exports?limit=5`)).statusCode).toBe(200);
  });

  it.each(['demo%00', 'de%00mo', 'demo%01', 'demo%7F', 'demo%0A'])(
    'refuses the project name %s on every project route with a 400 naming params.project',
    async (project) => {
      for (const [method, url, payload] of projectRoutes(project)) {
        const response = await send(method, url, payload);
        expect(response.statusCode, `${method} ${url}`).toBe(400);
        expect(fieldsOf(response), `${method} ${url}`).toEqual(['params.project']);
      }
    },
  );

  it('applies one length limit to project names on every route', async () => {
    for (const [method, url, payload] of projectRoutes('a'.repeat(projectNameMaxLength + 1))) {
      const response = await send(method, url, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(400);
      expect(fieldsOf(response), `${method} ${url}`).toEqual(['params.project']);
    }
    for (const [method, url, payload] of projectRoutes('a'.repeat(projectNameMaxLength))) {
      const response = await send(method, url, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
  });

  it.each(['utf-16', 'UTF-16LE', 'latin1', '"iso-8859-1"'])(
    'refuses a body labelled charset=%s with a 415',
    async (charset) => {
      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports`,
        headers: { 'content-type': `application/json; charset=${charset}` },
        payload: JSON.stringify({ source: 'directory', directory_id: directoryId }),
      });
      expect(response.statusCode).toBe(415);
      expect(errorOf(response).message).toMatch(/UTF-8/);
    },
  );

  it('reads a body labelled charset=utf-8', async () => {
    const response = await env.app.inject({
      method: 'POST',
      url: `${api}/demo/exports`,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      payload: JSON.stringify({ source: 'directory', directory_id: directoryId }),
    });
    expect(response.statusCode).toBe(202);
  });

  it('refuses a body that is not valid UTF-8 with a 400 saying so', async () => {
    const response = await env.app.inject({
      method: 'POST',
      url: `${api}/demo/exports`,
      headers: { 'content-type': 'application/json' },
      payload: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).message).toMatch(/UTF-8/);
  });

  it('refuses a valid body with a __proto__ key, saying so rather than "not valid JSON"', async () => {
    const response = await env.app.inject({
      method: 'POST',
      url: `${api}/demo/exports`,
      headers: { 'content-type': 'application/json' },
      payload: `{"source":"directory","directory_id":${directoryId},"__proto__":{"x":1}}`,
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).message).toMatch(/"__proto__" key is not allowed/);
    expect(errorOf(response).message).not.toMatch(/not valid JSON/);
  });

  it('answers a huge or malformed Authorization header with a short 401, never echoing it', async () => {
    const long = Buffer.from(`${'a'.repeat(10_000)}:${'b'.repeat(10_000)}`).toString('base64');
    for (const authorization of [`Basic ${long}`, 'Basic !!!', 'Bearer x', 'Basic Og==']) {
      const response = await send('GET', `${api}/demo`, undefined, { authorization });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).code).toBe('unauthenticated');
      expect(response.body.length).toBeLessThan(1000);
    }
  });
});
