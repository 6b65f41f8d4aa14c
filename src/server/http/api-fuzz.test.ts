import net from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import { testDialects } from '../db/test-database.ts';
import { createExportTestEnv, requestExport } from '../exports/export-test-harness.ts';
import type { ExportTestEnv } from '../exports/export-test-harness.ts';

// Every route of the contract, fed random and adversarial values in every path parameter, query
// field, header and body field, on both databases. Whatever comes in, the API answers without a
// 5xx, every non-2xx answer is the one envelope, and the server keeps answering. Seeded and bounded
// (a fixed seed and run count per route) so it is the same few thousand requests on every run.

const seed = 20_261_129;
const runsPerRoute = 250;

// Text that has broken parsers before: NUL and controls, lone surrogates, right-to-left marks,
// emoji, prototype names, SQL and path tricks, number look-alikes.
const nastyTexts = [
  '',
  ' ',
  '\u0000',
  'demo\u0000',
  '\u0001\u001f\u007f',
  '\ud800',
  'a\udfffb',
  '\u202e\u200b',
  '😀'.repeat(3),
  '__proto__',
  'constructor',
  'prototype',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00',
  '0x1',
  '1e0',
  '+1',
  '1.0',
  ' 1',
  '-1',
  '0',
  '2147483648',
  '9'.repeat(400),
  'NaN',
  'Infinity',
  'null',
  'true',
  'demo',
];

// Segments as they appear in a URL, already escaped: some escapes are malformed on purpose.
const rawSegments = [
  '%ff',
  '%',
  '%2',
  '%zz',
  '%00',
  '%C0%AF',
  '%ED%A0%80',
  '%2F',
  '..',
  '.',
  '%2e%2e',
];

/** `encodeURIComponent`, which throws on a lone surrogate; that one is sent as its invalid UTF-8 escape. */
function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

const textArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...nastyTexts) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 190, maxLength: 260 }) },
);

// Ids that exist (small ones: the demo's directories, jobs, tasks and the exports made first), ids
// that do not, and every kind of not-an-id.
const idTextArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 60 }).map(String) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String) },
  { weight: 3, arbitrary: textArb },
);

// Most of each request is valid and one or two parts are not, so every check is reached: a
// request wrong everywhere only ever meets the first one.
const segmentArb = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: valid.map(encodeSegment) },
    { weight: 2, arbitrary: textArb.map(encodeSegment) },
    { weight: 1, arbitrary: fc.constantFrom(...rawSegments) },
  );

const smallIdArb = fc.integer({ min: 1, max: 40 });
const projectArb = segmentArb(fc.constantFrom('demo', 'demo', 'demo', 'nope'));
const idArb = segmentArb(smallIdArb.map(String));

type QueryPair = [key: string, value: string];

const queryValueArb = fc.oneof(
  fc.constantFrom('directory', 'job', 'task', 'true', 'false', '1', 'data', 'url'),
  idTextArb,
);
const queryKeys = [
  'source',
  'directory_id',
  'job_id',
  'task_id',
  'ann_is_complete',
  'include_removed',
  'cursor',
  'limit',
  'expires',
  'signature',
  'download',
  '__proto__',
  'constructor',
];
const badQueryPairArb: fc.Arbitrary<QueryPair> = fc.tuple(
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...queryKeys) },
    { weight: 1, arbitrary: textArb },
  ),
  queryValueArb,
);

const sourceQueryArb: fc.Arbitrary<QueryPair[]> = fc
  .tuple(
    fc.constantFrom('directory', 'job', 'task'),
    smallIdArb,
    fc.option(fc.constantFrom('true', 'false'), { nil: undefined }),
  )
  .map(([source, id, all]) => [
    ['source', source],
    [`${source}_id`, String(id)],
    ...(all === undefined ? [] : [['ann_is_complete', all] as QueryPair]),
  ]);
const listQueryArb: fc.Arbitrary<QueryPair[]> = fc
  .record(
    {
      limit: fc.integer({ min: 1, max: 100 }).map(String),
      cursor: smallIdArb.map(String),
      source: fc.constantFrom('directory', 'job', 'task'),
    },
    { requiredKeys: [] },
  )
  .map((query) => Object.entries(query));

/** A valid query with, now and then, a bad pair added or put in place of a good one; escaped, or now and then not. */
function queryArb(valid: fc.Arbitrary<QueryPair[]>): fc.Arbitrary<string> {
  return fc
    .tuple(
      valid,
      fc.oneof(
        { weight: 2, arbitrary: fc.constant<QueryPair[]>([]) },
        { weight: 1, arbitrary: fc.array(badQueryPairArb, { minLength: 1, maxLength: 2 }) },
      ),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([good, bad, replace, raw]) => {
      const pairs = replace && bad.length > 0 ? [...good.slice(1), ...bad] : [...good, ...bad];
      return pairs
        .map(([key, value]) =>
          raw
            ? `${encodeSegment(key)}=${value.replace(/[#&\s]/g, '')}`
            : `${encodeSegment(key)}=${encodeSegment(value)}`,
        )
        .join('&');
    });
}

// Header values are latin1 on the wire; anything else a client cannot send at all.
const latin1Arb = fc.string({
  unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)),
  maxLength: 300,
});
const userHeaderArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom('ann@example.com', 'bo@annex.test') },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom('not-an-email', '', 'a@b', `${'a'.repeat(300)}@example.com`),
      latin1Arb,
    ),
  },
);
const contentTypeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/json;charset="UTF-8"',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'garbage',
      '',
    ),
  },
);

const numberishArb = fc.oneof(
  { weight: 1, arbitrary: smallIdArb },
  { weight: 1, arbitrary: fc.integer() },
  {
    weight: 3,
    arbitrary: fc.constantFrom(0, -1, 2_147_483_647, 2_147_483_648, 2 ** 53 + 2, 1e300, -0, 0.5),
  },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom('1', '0x1', null, true, [], {}, [1]) },
);
const createFields = [
  'source',
  'directory_id',
  'job_id',
  'task_id',
  'ann_is_complete',
  'include_removed',
  'wait_for_export_generation',
  'return_type',
  'expected_file_count',
  '__proto__',
  'extra',
];
const badFieldValueArb = fc.oneof(
  { weight: 3, arbitrary: numberishArb },
  { weight: 1, arbitrary: fc.jsonValue() },
  { weight: 1, arbitrary: textArb },
);
const validCreateArb = fc
  .tuple(
    fc.constantFrom('directory', 'job', 'task'),
    smallIdArb,
    fc.record(
      {
        ann_is_complete: fc.boolean(),
        include_removed: fc.boolean(),
        // Rarely: each wait holds the request until the worker finishes.
        wait_for_export_generation: fc.oneof(
          { weight: 9, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: fc.constant(true) },
        ),
        return_type: fc.constantFrom('data', 'url'),
        expected_file_count: fc.integer({ min: 0, max: 100 }),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([source, id, rest]): Record<string, unknown> => ({
    source,
    [`${source}_id`]: id,
    ...rest,
  }));
const createBodyArb = fc
  .tuple(
    validCreateArb,
    fc.oneof(
      { weight: 1, arbitrary: fc.constant<[string, unknown][]>([]) },
      {
        weight: 2,
        arbitrary: fc.array(fc.tuple(fc.constantFrom(...createFields), badFieldValueArb), {
          minLength: 1,
          maxLength: 2,
        }),
      },
    ),
  )
  .map(([body, changes]) => {
    const changed: Record<string, unknown> = { ...body };
    // defineProperty, so a `__proto__` field is an own key that JSON.stringify writes out.
    for (const [key, value] of changes)
      Object.defineProperty(changed, key, { value, enumerable: true, configurable: true });
    return JSON.stringify(changed);
  });
const rawBodies = [
  '',
  '{',
  'null',
  '[]',
  '"demo"',
  '1e999',
  '{"source":"directory","directory_id":1e400}',
  '{"source":"directory","directory_id":1,"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"source":"directory","source":"job","job_id":1}',
  '{"source":"directory","directory_id":1}\u0000',
  `{"source":"${'x'.repeat(5000)}"}`,
];
const junkBodyArb = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.constantFrom(...rawBodies) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: validCreateArb.map((body) => Buffer.from(JSON.stringify(body), 'utf16le')),
  },
);

type Method = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'OPTIONS';

/** One route of the contract: its method, how its path is built, and what a valid request sends. */
interface FuzzRoute {
  name: string;
  method: Method;
  path(project: string, id: string): string;
  /** A valid query for it (none for most routes). */
  query?: fc.Arbitrary<QueryPair[]>;
  /** A valid body for it (the create request), else none is valid. */
  body?: fc.Arbitrary<string>;
  /** The download route: a valid query is a link signed for the id. */
  signed?: boolean;
}

const routes: FuzzRoute[] = [
  { name: 'GET /projects', method: 'GET', path: () => '/api/v1/projects' },
  { name: 'GET /projects/:project', method: 'GET', path: (p) => `/api/v1/projects/${p}` },
  {
    name: 'GET /projects/:project/jobs',
    method: 'GET',
    path: (p) => `/api/v1/projects/${p}/jobs`,
  },
  {
    name: 'GET /projects/:project/tasks/:id',
    method: 'GET',
    path: (p, id) => `/api/v1/projects/${p}/tasks/${id}`,
  },
  {
    name: 'GET /projects/:project/exports/preflight',
    method: 'GET',
    path: (p) => `/api/v1/projects/${p}/exports/preflight`,
    query: sourceQueryArb,
  },
  {
    name: 'POST /projects/:project/exports',
    method: 'POST',
    path: (p) => `/api/v1/projects/${p}/exports`,
    body: createBodyArb,
  },
  {
    name: 'GET /projects/:project/exports',
    method: 'GET',
    path: (p) => `/api/v1/projects/${p}/exports`,
    query: listQueryArb,
  },
  {
    name: 'GET /projects/:project/exports/:id',
    method: 'GET',
    path: (p, id) => `/api/v1/projects/${p}/exports/${id}`,
  },
  {
    name: 'POST /projects/:project/exports/:id/link',
    method: 'POST',
    path: (p, id) => `/api/v1/projects/${p}/exports/${id}/link`,
  },
  {
    name: 'DELETE /projects/:project/exports/:id',
    method: 'DELETE',
    path: (p, id) => `/api/v1/projects/${p}/exports/${id}`,
  },
  {
    name: 'GET /files/exports/:id',
    method: 'GET',
    path: (_p, id) => `/files/exports/${id}`,
    signed: true,
  },
];

const otherMethodArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom<Method>('PUT', 'PATCH', 'OPTIONS', 'DELETE', 'POST') },
);

/** What is wrong with an answer, or undefined when it is one the API may give. */
function problemWith(response: LightMyRequestResponse): string | undefined {
  if (response.statusCode >= 500) return `a ${response.statusCode}`;
  if (response.statusCode < 300) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return `a ${response.statusCode} whose body is not JSON`;
  }
  return errorEnvelopeSchema.safeParse(parsed).success
    ? undefined
    : `a ${response.statusCode} outside the envelope`;
}

describe.each(testDialects)('API fuzzing on %s', (dialect) => {
  let env: ExportTestEnv;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect, { WAIT_TIMEOUT_SECONDS: '2' });
    await env.startWorker();
    // A few exports, so small fuzzed ids name real ones (and their links, files and archiving).
    for (const directoryId of Object.values(env.demo.directories)
      .map((d) => d.id)
      .slice(0, 3)) {
      await requestExport(env.app, 'demo', {
        source: 'directory',
        directory_id: directoryId,
        ann_is_complete: false,
      });
    }
  });
  afterAll(async () => {
    await env.close();
  });

  async function expectStillAnswering(): Promise<void> {
    const response = await env.app.inject({ method: 'GET', url: '/api/v1/projects' });
    expect(response.statusCode).toBe(200);
  }

  it.each(routes.map((route, index) => ({ ...route, index })))(
    '$name: no 5xx, every error in the envelope',
    async (route) => {
      const bodyArb = fc.oneof(
        { weight: route.body === undefined ? 0 : 6, arbitrary: route.body ?? fc.constant('') },
        { weight: route.body === undefined ? 6 : 0, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: junkBodyArb },
      );
      await fc.assert(
        fc.asyncProperty(
          projectArb,
          idArb,
          queryArb(route.query ?? fc.constant([])),
          fc.boolean(),
          userHeaderArb,
          contentTypeArb,
          bodyArb,
          otherMethodArb,
          async (project, id, query, signIt, user, contentType, body, otherMethod) => {
            let search = query;
            // The download route: a link signed for the id (when it is one) is the valid query.
            if (route.signed === true && signIt && /^\d{1,9}$/.test(id))
              search = `${env.linkSigner.sign(Number(id)).path.split('?')[1] ?? ''}&${query}`;
            const url = `${route.path(project, id)}${search === '' ? '' : `?${search}`}`;
            const method = otherMethod ?? route.method;
            const headers: Record<string, string> = {};
            if (user !== undefined) headers['x-annex-user'] = user;
            if (body !== undefined && contentType !== undefined)
              headers['content-type'] = contentType;
            const response = await env.app.inject({
              method,
              url,
              headers,
              ...(body === undefined ? {} : { payload: body }),
            });
            const problem = problemWith(response);
            if (problem !== undefined) {
              throw new Error(
                `${method} ${url} ${JSON.stringify(headers)} ${String(body).slice(0, 200)} answered ${problem}: ${response.body.slice(0, 300)}`,
              );
            }
          },
        ),
        // The create route has the most fields, so it gets the most runs.
        {
          seed: seed + route.index,
          numRuns: route.body === undefined ? runsPerRoute : runsPerRoute * 3,
        },
      );
      await expectStillAnswering();
    },
  );

  it("answers random request lines and headers on a socket in the envelope (Node's parser too)", async () => {
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = env.app.server.address() as AddressInfo;
    const lineArb = fc.tuple(
      fc.oneof(
        fc.constantFrom('GET', 'POST', 'DELETE', 'BREW', 'get', 'G\u00e9T', ''),
        fc.string({ maxLength: 8 }),
      ),
      fc.oneof(
        projectArb.map((p) => `/api/v1/projects/${p}`),
        fc.string({
          unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)),
          maxLength: 60,
        }),
      ),
      fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', ''),
      fc.array(
        fc.tuple(
          fc.constantFrom(
            'Host',
            'X-Annex-User',
            'Content-Type',
            'Content-Length',
            'Transfer-Encoding',
            'X\u00ff',
          ),
          fc.string({
            unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)),
            maxLength: 40,
          }),
        ),
        { maxLength: 4 },
      ),
    );
    await fc.assert(
      fc.asyncProperty(lineArb, async ([method, target, version, headers]) => {
        const head = [
          `${method} ${target} ${version}`,
          'Host: fuzz',
          ...headers.map(([k, v]) => `${k}: ${v}`),
        ];
        const answer = await rawExchange(
          port,
          Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'),
        );
        // No answer at all is Node closing a connection it cannot read; anything answered is checked.
        if (answer === '') return;
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]);
        const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
        if (!(status < 500))
          throw new Error(`${JSON.stringify(head)} answered ${answer.slice(0, 200)}`);
        if (
          status >= 300 &&
          body !== '' &&
          !errorEnvelopeSchema.safeParse(safeJson(body)).success
        ) {
          throw new Error(
            `${JSON.stringify(head)} answered outside the envelope: ${answer.slice(0, 300)}`,
          );
        }
      }),
      { seed, numRuns: 40 },
    );
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/projects`);
    expect(response.status).toBe(200);
  });
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sends raw bytes, reads the first answer, and closes: a bounded exchange even when Node never answers. */
function rawExchange(port: number, request: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    const finish = (): void => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    // A request the server reads as still arriving (a content-length with no body) waits for more.
    socket.setTimeout(300, finish);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      if (headEnd >= 0 && length !== undefined && text.length >= headEnd + 4 + Number(length))
        finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}
