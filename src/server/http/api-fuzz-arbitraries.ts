import fc from 'fast-check';

// The request generators and the route table of the API fuzz test (api-fuzz.test.ts): every path
// parameter, query field, header and body field it sends, valid most of the time and wrong in one
// or two places. Kept apart from the properties so the test file reads as what is checked, and this
// one as what is sent.

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

/** Text that breaks parsers: nasty constants, random binary strings, long grapheme strings. */
export const textArb = fc.oneof(
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
/** A project segment: mostly the demo, now and then one that does not exist or is not a name. */
export const projectArb = segmentArb(fc.constantFrom('demo', 'demo', 'demo', 'nope'));
/** An id segment: mostly a small id that may exist, now and then text or a malformed escape. */
export const idArb = segmentArb(smallIdArb.map(String));

/** One `key=value` pair of a query string, before escaping. */
export type QueryPair = [key: string, value: string];

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
export function queryArb(valid: fc.Arbitrary<QueryPair[]>): fc.Arbitrary<string> {
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
/** An `authorization` header besides the test admin's: absent (the default admin), malformed, or garbage. */
export const authorizationArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom(
        'Basic',
        'Basic Og==',
        'Basic !!',
        'Bearer token',
        '',
        `Basic ${'A'.repeat(400)}`,
      ),
      latin1Arb,
      latin1Arb.map((text) => `Basic ${Buffer.from(text, 'latin1').toString('base64')}`),
    ),
  },
);
/** The content type sent with a body: JSON mostly, else another charset, another type or garbage. */
export const contentTypeArb = fc.oneof(
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
/** A create-export body: valid, with now and then one or two fields set to a wrong value. */
export const createBodyArb = fc
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
/** A body no route accepts: random JSON, known parser traps, raw bytes, or UTF-16. */
export const junkBodyArb = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.constantFrom(...rawBodies) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: validCreateArb.map((body) => Buffer.from(JSON.stringify(body), 'utf16le')),
  },
);

/** The HTTP methods the fuzzer sends. */
export type Method = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'OPTIONS';

/** One route of the contract: its method, how its path is built, and what a valid request sends. */
export interface FuzzRoute {
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

/** Every route of the contract, in the order the test runs them (each run seeded by its index). */
export const routes: FuzzRoute[] = [
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

/** Now and then a method the route does not have, so the 404/405 answers are fuzzed too. */
export const otherMethodArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom<Method>('PUT', 'PATCH', 'OPTIONS', 'DELETE', 'POST') },
);
