import fc from 'fast-check';
import { taskStatuses } from '../../contract/annotations.ts';

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
  'directory',
  'on_error',
  'filename',
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

const pageQueryArb: fc.Arbitrary<QueryPair[]> = fc
  .record(
    { limit: fc.integer({ min: 1, max: 100 }).map(String), cursor: smallIdArb.map(String) },
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
/**
 * A body built from a valid one, with now and then one or two of `fields` set to a wrong value (a
 * missing field, a field no schema knows and `__proto__` among them when listed), as JSON.
 */
function mutatedBodyArb(
  valid: fc.Arbitrary<Record<string, unknown>>,
  fields: readonly string[],
): fc.Arbitrary<string> {
  return fc
    .tuple(
      valid,
      fc.oneof(
        { weight: 1, arbitrary: fc.constant<[string, unknown][]>([]) },
        {
          weight: 2,
          arbitrary: fc.array(fc.tuple(fc.constantFrom(...fields), badFieldValueArb), {
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
}

/** A create-export body: valid, with now and then one or two fields set to a wrong value. */
export const createBodyArb = mutatedBodyArb(validCreateArb, createFields);

// The write API's bodies (issue 11): valid ones, each mutated now and then like the export's.
const nameArb = fc.stringMatching(/^[a-z][a-z0-9 _-]{0,30}$/);
const mediaUrlArb = fc.constantFrom(
  'https://media.example.com/a.png',
  'https://media.example.com/clip.mp4',
  'http://localhost/x',
);
const pixelsArb = fc.integer({ min: 1, max: 4000 });

const validFileArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record(
    {
      type: fc.constant('image'),
      original_filename: nameArb,
      media_url: mediaUrlArb,
      width: pixelsArb,
      height: pixelsArb,
      rotation_degrees: fc.constantFrom(0, 90, 180, 270),
      directory_id: smallIdArb,
      ann_is_complete: fc.boolean(),
    },
    { requiredKeys: ['type', 'original_filename', 'media_url'] },
  ),
  fc.record(
    {
      type: fc.constant('video'),
      original_filename: nameArb,
      media_url: mediaUrlArb,
      frame_count: fc.integer({ min: 1, max: 1000 }),
      frame_rate: fc.constantFrom(24, 25, 29.97, 60),
      directory: nameArb,
    },
    { requiredKeys: ['type', 'original_filename', 'media_url'] },
  ),
  fc.record({
    type: fc.constant('text'),
    original_filename: nameArb,
    media_url: mediaUrlArb,
    text: fc.string({ maxLength: 200 }),
  }),
);
const fileFields = [
  'type',
  'original_filename',
  'media_url',
  'width',
  'height',
  'rotation_degrees',
  'frame_count',
  'frame_rate',
  'text',
  'directory_id',
  'directory',
  'ann_is_complete',
  '__proto__',
  'extra',
];
const updateFileArb = fc.record(
  {
    ann_is_complete: fc.boolean(),
    media_url: mediaUrlArb,
    original_filename: nameArb,
    width: pixelsArb,
    height: pixelsArb,
  },
  { requiredKeys: [] },
);
const coordinateArb = fc.integer({ min: -10, max: 5000 });
// Mostly new boxes (no id): an id names an instance of the file only now and then.
const validBoxArb = fc
  .tuple(
    fc.record(
      {
        type: fc.constant('box'),
        label_file_id: smallIdArb,
        attribute_groups: fc.constant(null),
        x_min: coordinateArb,
        y_min: coordinateArb,
        x_max: coordinateArb,
        y_max: coordinateArb,
        removed: fc.boolean(),
      },
      {
        requiredKeys: [
          'type',
          'label_file_id',
          'attribute_groups',
          'x_min',
          'y_min',
          'x_max',
          'y_max',
        ],
      },
    ),
    fc.option(smallIdArb, { freq: 6, nil: undefined }),
  )
  .map(([box, id]) => (id === undefined ? box : { ...box, id }));
const validInstancesArb = fc.record({
  instance_list: fc.array(
    fc.oneof(
      { weight: 8, arbitrary: validBoxArb },
      { weight: 1, arbitrary: badFieldValueArb.map((value) => ({ type: 'box', x_min: value })) },
    ),
    { maxLength: 3 },
  ),
});
const validLabelArb = fc.record(
  { name: nameArb, colour_hex: fc.constantFrom('#ff0000', '#00FF7f', '#123abc') },
  { requiredKeys: ['name'] },
);
const validJobArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ name: nameArb, directory_id: smallIdArb }),
  fc.record(
    {
      name: nameArb,
      file_ids: fc.array(smallIdArb, { minLength: 1, maxLength: 5 }),
      label_ids: fc.array(smallIdArb, { maxLength: 3 }),
    },
    { requiredKeys: ['name', 'file_ids'] },
  ),
);
// A Diffgram JSON file, small: the import's body.
const validImportFileArb = fc
  .array(
    fc.record({
      id: smallIdArb,
      type: fc.constantFrom('image', 'video', 'text'),
      boxes: fc.array(
        fc.record({
          x_min: coordinateArb,
          y_min: coordinateArb,
          x_max: coordinateArb,
          y_max: coordinateArb,
        }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 3 },
  )
  .map((files): Record<string, unknown> => {
    const file: Record<string, unknown> = {
      export_info: { name: 'fuzz' },
      label_map: { '1': 'cat' },
    };
    for (const { id, type, boxes } of files) {
      file[String(id)] = {
        file: { id, type },
        instance_list: boxes.map((box, index) => ({
          id: index + 1,
          type: 'box',
          label_file_id: 1,
          attribute_groups: null,
          ...box,
        })),
      };
    }
    return file;
  });
const createImportQueryArb: fc.Arbitrary<QueryPair[]> = fc
  .record(
    {
      directory: nameArb,
      on_error: fc.constantFrom('fail', 'skip'),
      filename: nameArb,
    },
    { requiredKeys: ['directory'] },
  )
  .map((query) => Object.entries(query));

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
  // The write API (issue 11).
  {
    name: 'POST /projects/:project/directories',
    method: 'POST',
    path: (p) => `/api/v1/projects/${p}/directories`,
    body: mutatedBodyArb(fc.record({ nickname: nameArb }), ['nickname', '__proto__', 'extra']),
  },
  {
    name: 'POST /projects/:project/files',
    method: 'POST',
    path: (p) => `/api/v1/projects/${p}/files`,
    body: mutatedBodyArb(validFileArb, fileFields),
  },
  {
    name: 'GET /projects/:project/files/:id',
    method: 'GET',
    path: (p, id) => `/api/v1/projects/${p}/files/${id}`,
  },
  {
    name: 'PATCH /projects/:project/files/:id',
    method: 'PATCH',
    path: (p, id) => `/api/v1/projects/${p}/files/${id}`,
    body: mutatedBodyArb(updateFileArb, [
      'ann_is_complete',
      'media_url',
      'original_filename',
      'width',
      'height',
      'extra',
    ]),
  },
  {
    name: 'GET /projects/:project/files/:id/instances',
    method: 'GET',
    path: (p, id) => `/api/v1/projects/${p}/files/${id}/instances`,
  },
  {
    name: 'PUT /projects/:project/files/:id/instances',
    method: 'PUT',
    path: (p, id) => `/api/v1/projects/${p}/files/${id}/instances`,
    body: mutatedBodyArb(validInstancesArb, ['instance_list', '__proto__', 'extra']),
  },
  {
    name: 'GET /projects/:project/labels',
    method: 'GET',
    path: (p) => `/api/v1/projects/${p}/labels`,
  },
  {
    name: 'POST /projects/:project/labels',
    method: 'POST',
    path: (p) => `/api/v1/projects/${p}/labels`,
    body: mutatedBodyArb(validLabelArb, ['name', 'colour_hex', '__proto__', 'extra']),
  },
  {
    name: 'POST /projects/:project/jobs',
    method: 'POST',
    path: (p) => `/api/v1/projects/${p}/jobs`,
    body: mutatedBodyArb(validJobArb, ['name', 'directory_id', 'file_ids', 'label_ids', 'extra']),
  },
  {
    name: 'PATCH /projects/:project/tasks/:id',
    method: 'PATCH',
    path: (p, id) => `/api/v1/projects/${p}/tasks/${id}`,
    body: mutatedBodyArb(fc.record({ status: fc.constantFrom(...taskStatuses) }), [
      'status',
      '__proto__',
      'extra',
    ]),
  },
  // Last of the write API: it removes the small-id files the routes above write to.
  {
    name: 'DELETE /projects/:project/files/:id',
    method: 'DELETE',
    path: (p, id) => `/api/v1/projects/${p}/files/${id}`,
  },
  // Imports (issue 11): the body is the file itself.
  {
    name: 'POST /projects/:project/imports',
    method: 'POST',
    path: (p) => `/api/v1/projects/${p}/imports`,
    query: createImportQueryArb,
    body: mutatedBodyArb(validImportFileArb, ['export_info', 'label_map', '1', '__proto__']),
  },
  {
    name: 'GET /projects/:project/imports',
    method: 'GET',
    path: (p) => `/api/v1/projects/${p}/imports`,
    query: pageQueryArb,
  },
  {
    name: 'GET /projects/:project/imports/:id',
    method: 'GET',
    path: (p, id) => `/api/v1/projects/${p}/imports/${id}`,
  },
];

/** Now and then a method the route does not have, so the 404/405 answers are fuzzed too. */
export const otherMethodArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom<Method>('PUT', 'PATCH', 'OPTIONS', 'DELETE', 'POST') },
);
