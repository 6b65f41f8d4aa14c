import fc from 'fast-check';
import type { z } from 'zod';
import {
  addMemberRequestSchema,
  changePasswordRequestSchema,
  createApiKeyRequestSchema,
  createProjectRequestSchema,
  createUserRequestSchema,
  signInRequestSchema,
  signUpRequestSchema,
  updateMemberRequestSchema,
  updateUserRequestSchema,
} from '../../contract/auth.ts';
import {
  createDirectoryRequestSchema,
  createJobRequestSchema,
  createLabelRequestSchema,
  updateFileRequestSchema,
  updateTaskRequestSchema,
} from '../../contract/annotation-writes.ts';
import { textArb } from '../http/api-fuzz-arbitraries.ts';

// What the accounts fuzz test (accounts-fuzz.test.ts) sends: bodies for the sign-in, sign-up,
// password, API key, member and user routes and the write API's (issue 11) that are always
// malformed, each with the field a 400 must name when the malformation is one the contract's schema
// catches (a wrong type, a missing or extra field, an over-long string), and transport faults (not
// JSON, another content type, another charset, a body beyond the size limit) that have no field
// to name.

/** One malformed request body and what the answer must say about it. */
export interface MalformedBody {
  /** The bytes sent; undefined sends no body. */
  payload: string | Buffer | undefined;
  /** The content-type header, or undefined for none. */
  contentType: string | undefined;
  /**
   * The fields a 400 `validation_failed` must name (`body.email`, `body` for the whole body); empty
   * for a transport fault, whose refusal (400, 413 or 415) names none.
   */
  fields: string[];
  /** The status it must get when only one fits (415 for another content type, 413 beyond the limit). */
  status?: 400 | 413 | 415;
  /** What was done to the body, for a failure message. */
  what: string;
}

/** One field of a body: values it accepts and values it refuses. */
interface FieldSpec {
  valid: fc.Arbitrary<unknown>;
  invalid: fc.Arbitrary<unknown>;
  required: boolean;
}

/** A body's fields and the contract schema that reads it. */
interface BodySpec {
  fields: Record<string, FieldSpec>;
  schema: z.ZodType;
}

// Values of the wrong JSON type for a field of any type.
const notAString = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, [], {}, ['a'], { a: 1 }),
  fc.integer(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);
const notABoolean = fc.oneof(
  fc.constantFrom(null, 'true', 'false', 1, 0, '', [], {}, [true]),
  fc.integer(),
  textArb,
);
/** A string far beyond every length limit of the contract (emails 254, passwords 200, names 100). */
const hugeString = fc
  .tuple(fc.constantFrom('a', 'é', '😀', 'x@'), fc.integer({ min: 300, max: 20_000 }))
  .map(([unit, count]) => unit.repeat(count));
const invalidEmail = fc.oneof(
  notAString,
  hugeString,
  hugeString.map((local) => `${local}@example.com`),
  fc.constantFrom(
    '',
    ' ',
    'no-at-sign',
    'a@',
    '@example.com',
    'a b@example',
    'a@@b.c',
    '\u0000@x.y',
  ),
);
const validEmail = fc.constantFrom('someone@example.com', 'Mixed.Case@Example.COM');
const invalidPassword = fc.oneof(notAString, hugeString, fc.constant(''));
const invalidNewPassword = fc.oneof(
  invalidPassword,
  fc.string({ minLength: 1, maxLength: 9 }),
  fc.constant('short'),
);
const validPassword = fc.constant('a long enough password');
const invalidRole = fc.oneof(
  notAString,
  fc.constantFrom('', 'owner', 'Admin', 'ADMIN', 'superadmin', 'viewer ', 'null'),
);
const validRole = fc.constantFrom('viewer', 'editor', 'admin');
const invalidToken = fc.oneof(
  notAString,
  hugeString,
  fc.constantFrom('', 'short', 'has spaces in it, twenty chars', '../../../../etc/passwd/xx'),
);
const invalidName = fc.oneof(
  notAString,
  hugeString,
  fc.constantFrom('', 'nul\u0000inside', 'bell\u0007', 'lone \ud800 surrogate'),
);
const invalidProjectId = fc.oneof(
  notAString,
  hugeString,
  fc.constantFrom('', 'has\u0000nul', 'tab\there'),
);
const invalidNewProjectId = fc.oneof(
  invalidProjectId,
  fc.constantFrom('Upper', '-leading-dash', 'under_score', 'dots.in.it', 'x'.repeat(64)),
);

// The write API's fields (issue 11).
const invalidFilename = fc.oneof(
  notAString,
  fc.integer({ min: 1001, max: 20_000 }).map((length) => 'f'.repeat(length)),
  fc.constantFrom('', 'nul\u0000inside', 'lone \ud800 surrogate'),
);
const invalidMediaUrl = fc.oneof(
  notAString,
  fc.constantFrom('', 'not a url', '/relative/path.png', 'media.example.com/a.png'),
  fc.constant(`https://media.example.com/${'p'.repeat(4_000)}`),
);
const invalidPixels = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 1_000_001, 2_147_483_648, '64', null, true, [], {}),
  fc.double({ noInteger: true }),
);
const invalidColour = fc.oneof(
  notAString,
  fc.constantFrom('', 'red', '#fff', '#gggggg', 'ff0000', '#ff00001'),
);
const invalidTaskStatus = fc.oneof(
  notAString,
  fc.constantFrom('', 'done', 'Complete', 'COMPLETE', 'in progress', 'complete '),
);
const invalidBodyId = fc.constantFrom(0, -1, 1.5, 2_147_483_648, 1e300, '1', null, true, [], {});

const field = (
  valid: fc.Arbitrary<unknown>,
  invalid: fc.Arbitrary<unknown>,
  required = true,
): FieldSpec => ({ valid, invalid, required });

/** The bodies of the fuzzed routes, field by field, with the schema each is read by. */
export const bodySpecs = {
  signIn: {
    schema: signInRequestSchema,
    fields: {
      email: field(validEmail, invalidEmail),
      password: field(validPassword, invalidPassword),
    },
  },
  signUp: {
    schema: signUpRequestSchema,
    fields: {
      token: field(fc.constant('a'.repeat(43)), invalidToken),
      password: field(validPassword, invalidNewPassword),
    },
  },
  changePassword: {
    schema: changePasswordRequestSchema,
    fields: {
      current_password: field(validPassword, invalidPassword),
      new_password: field(validPassword, invalidNewPassword),
    },
  },
  createApiKey: {
    schema: createApiKeyRequestSchema,
    fields: {
      name: field(fc.constant('nightly training'), invalidName),
      project_string_id: field(fc.constant('demo'), invalidProjectId, false),
      role: field(validRole, invalidRole, false),
    },
  },
  addMember: {
    schema: addMemberRequestSchema,
    fields: { email: field(validEmail, invalidEmail), role: field(validRole, invalidRole) },
  },
  updateMember: {
    schema: updateMemberRequestSchema,
    fields: { role: field(validRole, invalidRole) },
  },
  createUser: {
    schema: createUserRequestSchema,
    fields: {
      email: field(validEmail, invalidEmail),
      is_instance_admin: field(fc.boolean(), notABoolean, false),
    },
  },
  updateUser: {
    schema: updateUserRequestSchema,
    fields: {
      disabled: field(fc.boolean(), notABoolean, false),
      is_instance_admin: field(fc.boolean(), notABoolean, false),
    },
  },
  createProject: {
    schema: createProjectRequestSchema,
    fields: {
      project_string_id: field(fc.constant('new-project'), invalidNewProjectId),
      name: field(fc.constant('New project'), invalidName),
    },
  },
  createDirectory: {
    schema: createDirectoryRequestSchema,
    fields: { nickname: field(fc.constant('incoming'), invalidName) },
  },
  updateFile: {
    schema: updateFileRequestSchema,
    fields: {
      ann_is_complete: field(fc.boolean(), notABoolean, false),
      media_url: field(fc.constant('https://media.example.com/a.png'), invalidMediaUrl, false),
      original_filename: field(fc.constant('a.png'), invalidFilename, false),
      width: field(fc.constant(640), invalidPixels, false),
      height: field(fc.constant(480), invalidPixels, false),
    },
  },
  createLabel: {
    schema: createLabelRequestSchema,
    fields: {
      name: field(fc.constant('cat'), invalidName),
      colour_hex: field(fc.constant('#ff8800'), invalidColour, false),
    },
  },
  createJob: {
    schema: createJobRequestSchema,
    fields: {
      name: field(fc.constant('labelling round 2'), invalidName),
      directory_id: field(fc.constant(1), invalidBodyId),
      // Not `notAString`: an empty array is a valid list of label ids.
      label_ids: field(
        fc.constant([1]),
        fc.oneof(
          fc.constantFrom(null, 'a', 1, true, {}, ['a']),
          invalidBodyId.map((id) => [id]),
        ),
        false,
      ),
    },
  },
  updateTask: {
    schema: updateTaskRequestSchema,
    fields: { status: field(fc.constantFrom('available', 'complete'), invalidTaskStatus) },
  },
} satisfies Record<string, BodySpec>;

// Keys no body has: each must be refused by name (the contract's objects are strict).
const extraKeys = ['admin', 'is_admin', 'user_id', 'id', 'constructor', 'Role', 'email ', ''];

/** A valid body of `spec` (optional fields now and then left out). */
function validBodyArb(spec: BodySpec): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(spec.fields);
  return fc
    .tuple(
      ...entries.map(([name, f]) =>
        f.required
          ? f.valid.map((value) => [name, value] as const)
          : fc.option(
              f.valid.map((value) => [name, value] as const),
              { nil: undefined },
            ),
      ),
    )
    .map((pairs) =>
      Object.fromEntries(
        pairs.filter((pair): pair is readonly [string, unknown] => pair !== undefined),
      ),
    );
}

/** Sets a key as an own enumerable property, so JSON.stringify writes even `constructor` out. */
function withKey(
  body: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const copy = { ...body };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

interface SchemaFault {
  body: unknown;
  fields: string[];
  what: string;
}

/** A body the schema refuses, with the fields a 400 must name. */
function schemaFaultArb(spec: BodySpec): fc.Arbitrary<SchemaFault> {
  const names = Object.keys(spec.fields);
  const required = names.filter((name) => spec.fields[name]?.required === true);
  const wrongValues = fc
    .tuple(
      validBodyArb(spec),
      fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 2 }),
    )
    .chain(([body, chosen]) =>
      fc
        .tuple(...chosen.map((name) => (spec.fields[name] as FieldSpec).invalid))
        .map((values): SchemaFault => {
          let changed = body;
          chosen.forEach((name, index) => {
            changed = withKey(changed, name, values[index]);
          });
          return {
            body: changed,
            fields: chosen.map((name) => `body.${name}`),
            what: `wrong ${chosen.join(', ')}`,
          };
        }),
    );
  const missing =
    required.length === 0
      ? []
      : [
          fc
            .tuple(validBodyArb(spec), fc.constantFrom(...required))
            .map(([body, name]): SchemaFault => {
              const { [name]: _dropped, ...rest } = body;
              return { body: rest, fields: [`body.${name}`], what: `missing ${name}` };
            }),
        ];
  const extra = fc
    .tuple(
      validBodyArb(spec),
      fc.oneof(
        fc.constantFrom(...extraKeys),
        fc.string({
          unit: fc.constantFrom('a', 'b', 'x', 'z', '_', '0'),
          minLength: 1,
          maxLength: 12,
        }),
      ),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .filter(([, key]) => !names.includes(key) && key !== '__proto__')
    .map(([body, key, value]): SchemaFault => ({
      body: withKey(body, key, value),
      fields: [`body.${key}`],
      what: `extra ${JSON.stringify(key)}`,
    }));
  const notAnObject = fc
    .constantFrom(null, [], [{}], 'text', 0, true)
    .map((body): SchemaFault => ({ body, fields: ['body'], what: 'not an object' }));
  return fc
    .oneof(
      { weight: 5, arbitrary: wrongValues },
      ...missing.map((arbitrary) => ({ weight: 2, arbitrary })),
      { weight: 2, arbitrary: extra },
      { weight: 1, arbitrary: notAnObject },
    )
    .filter((fault) => !spec.schema.safeParse(fault.body).success);
}

// Bodies that never reach the schema: not JSON, not UTF-8, prototype keys, traps for parsers.
const rawJunk = [
  '',
  '{',
  '{"email":',
  "{'email':'a@b.c'}",
  'email=a%40b.c&password=x',
  '{"__proto__":{"is_instance_admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '1e999',
  '\u0000',
  '{"email":"a@b.c"}\u0000',
];
const notJsonArb = fc.oneof(
  fc.constantFrom(...rawJunk),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.from('{"email":"a@example.com","password":"pass\xff"}', 'latin1')),
);
const otherContentTypes = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json-patch+json',
  'garbage',
];
const otherCharsets = [
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=ascii',
];

/** A malformed body for `spec`: mostly a schema fault in good JSON, else a transport fault. */
export function malformedBodyArb(spec: BodySpec): fc.Arbitrary<MalformedBody> {
  const schemaFault = fc
    .tuple(
      schemaFaultArb(spec),
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON'),
    )
    .map(([fault, contentType]): MalformedBody => ({
      payload: JSON.stringify(fault.body),
      contentType,
      fields: fault.fields,
      what: fault.what,
    }));
  const notJson = notJsonArb.map((payload): MalformedBody => ({
    payload,
    contentType: 'application/json',
    fields: [],
    status: 400,
    what: 'not JSON',
  }));
  const wrongType = fc
    .tuple(
      validBodyArb(spec),
      fc.constantFrom<string | undefined>(...otherContentTypes, ...otherCharsets, undefined),
    )
    .map(([body, contentType]): MalformedBody => ({
      payload:
        contentType?.includes('utf-16') === true
          ? Buffer.from(JSON.stringify(body), 'utf16le')
          : JSON.stringify(body),
      contentType,
      fields: [],
      // No content-type at all is Fastify's to judge (400 or 415); a wrong one is always a 415.
      ...(contentType === undefined ? {} : { status: 415 as const }),
      what: `content-type ${String(contentType)}`,
    }));
  const noBody = fc.constantFrom<MalformedBody>(
    { payload: undefined, contentType: undefined, fields: ['body'], status: 400, what: 'no body' },
    {
      payload: undefined,
      contentType: 'application/json',
      fields: [],
      status: 400,
      what: 'empty JSON body',
    },
  );
  // Past the 1 MiB body limit: refused (413) before anything reads it.
  const oversized = fc.constant<MalformedBody>({
    payload: JSON.stringify({ name: 'x'.repeat(1_100_000) }),
    contentType: 'application/json',
    fields: [],
    status: 413,
    what: 'body over 1 MiB',
  });
  return fc.oneof(
    { weight: 12, arbitrary: schemaFault },
    { weight: 3, arbitrary: notJson },
    { weight: 3, arbitrary: wrongType },
    { weight: 1, arbitrary: noBody },
    { weight: 1, arbitrary: oversized },
  );
}

/** An id path segment that names nothing: not an id at all (a 400 naming `params.id`) or an unknown one (a 404). */
export const absentIdArb: fc.Arbitrary<{ segment: string; field: string | undefined }> = fc.oneof(
  fc
    .constantFrom('0', '-1', '1.0', '0x1', '1e3', 'abc', '%20', '2147483648', '9'.repeat(40), '%00')
    .map((segment) => ({ segment, field: 'params.id' })),
  fc
    .integer({ min: 1_000_000, max: 2_147_483_647 })
    .map((id) => ({ segment: String(id), field: undefined })),
);

/** A body sent with a DELETE: none mostly, else junk of any kind (the route reads none). */
export const deleteBodyArb: fc.Arbitrary<Omit<MalformedBody, 'fields' | 'what'>> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ payload: undefined, contentType: undefined }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(notJsonArb, fc.constantFrom(...otherContentTypes, 'application/json'))
      .map(([payload, contentType]) => ({ payload, contentType })),
  },
  {
    weight: 1,
    arbitrary: fc
      .jsonValue({ maxDepth: 2 })
      .map((value) => ({ payload: JSON.stringify(value), contentType: 'application/json' })),
  },
);
