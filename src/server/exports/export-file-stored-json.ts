import { z } from 'zod';
import { attributeValuesSchema, geometrySchemas } from '../../contract/annotations.ts';
import type { AttributeValues, Geometry, InstanceType } from '../../contract/annotations.ts';
import { textTokenSchema, videoSequenceSchema } from '../../contract/export-file.ts';
import type { TextToken } from '../../contract/export-file.ts';
import { exportChecksSchema } from '../../contract/export-checks.ts';
import type { ExportChecks } from '../../contract/export-checks.ts';

// The JSON columns the export reads (src/server/db/schema.ts), parsed with the contract's schemas
// so that a value the format would reject fails the export here, naming the row and the field,
// rather than reaching a reader's pipeline. Each value is parsed once per row; the schemas are
// built once, at load, because the writer reads some 10,000 files a second.

/** A stored JSON value the export cannot write; the message names the row and the field. */
export class StoredValueError extends Error {
  override name = 'StoredValueError';
}

const instanceRemedy = 'fix or remove the instance.';

const storedAttributeValuesSchema = attributeValuesSchema.nullable();
const storedKeyframesSchema = videoSequenceSchema.shape.keyframe_list;
// The file's token is strict (exactly these four fields); a stored token may carry more, which the
// file has always left out rather than refuse.
const storedTokensSchema = z.array(z.object(textTokenSchema.shape));

/** The instance a geometry or attribute value belongs to, for the message when it is bad. */
export interface StoredInstanceRef {
  /** The instance's id. */
  id: number;
  /** Its type, which decides the geometry's schema. */
  type: InstanceType;
}

/**
 * An instance's stored `geometry`, checked against its type's contract schema: only that type's
 * fields, in the contract's order (anything else stored is left out). `global` has no geometry and
 * its column is not read.
 */
export function readGeometry(text: string, instance: StoredInstanceRef): Geometry {
  if (instance.type === 'global') return {};
  const value = parseJson(
    text,
    () => `${subjectOf(instance)} has invalid JSON in geometry; ${instanceRemedy}`,
  );
  const parsed = geometrySchemas[instance.type].safeParse(value);
  if (parsed.success) return parsed.data;
  const subject = subjectOf(instance);
  const [issue] = parsed.error.issues;
  const [field] = issue?.path ?? [];
  // The common case, and the one a person fixes by adding the field: say which one is missing.
  if (
    issue?.path.length === 1 &&
    typeof field === 'string' &&
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as Record<string, unknown>)[field] === undefined
  ) {
    throw new StoredValueError(
      `${subject} has no "${field}" in its stored geometry; ${instanceRemedy}`,
    );
  }
  throw new StoredValueError(
    `${subject} has a stored geometry that does not fit its type: ${describeIssues(parsed.error)}; ${instanceRemedy}`,
  );
}

// Attribute answers are few distinct texts over many instances (a handful of groups, each with a
// handful of answers), and parsing a record with zod costs more than the rest of an instance:
// remember the parsed answers by their text. Bounded, and frozen because instances share them.
const attributeValuesMemoLimit = 10_000;
const attributeValuesMemo = new Map<string, Readonly<AttributeValues> | null>();

/**
 * An instance's stored `attribute_values`: answers keyed by attribute-group id, or null. The object
 * returned is shared by every instance with the same stored text and is frozen.
 */
export function readAttributeValues(
  text: string | null,
  instance: StoredInstanceRef,
): Readonly<AttributeValues> | null {
  if (text === null) return null;
  const remembered = attributeValuesMemo.get(text);
  if (remembered !== undefined) return remembered;
  const values = parseAttributeValues(text, instance);
  if (attributeValuesMemo.size >= attributeValuesMemoLimit) attributeValuesMemo.clear();
  attributeValuesMemo.set(text, values);
  return values;
}

function parseAttributeValues(
  text: string,
  instance: StoredInstanceRef,
): Readonly<AttributeValues> | null {
  const value = parseJson(
    text,
    () => `${subjectOf(instance)} has invalid JSON in attribute_values; ${instanceRemedy}`,
  );
  const parsed = storedAttributeValuesSchema.safeParse(value);
  if (parsed.success) return parsed.data === null ? null : deepFreeze(parsed.data);
  throw new StoredValueError(
    `${subjectOf(instance)} has stored attribute_values that are not answers keyed by attribute-group id: ${describeIssues(parsed.error)}; ${instanceRemedy}`,
  );
}

/** A sequence's stored `keyframe_list`: the frame numbers the annotator set by hand. */
export function readKeyframes(text: string, sequenceId: number): number[] {
  const remedy = 'fix or remove the sequence.';
  const value = parseJson(
    text,
    () => `Sequence ${sequenceId} has invalid JSON in keyframe_list; ${remedy}`,
  );
  const parsed = storedKeyframesSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new StoredValueError(
    `Sequence ${sequenceId} has a keyframe_list that is not a list of frame numbers: ${describeIssues(parsed.error)}; ${remedy}`,
  );
}

/** A text file's stored `text_tokens` (none when null), each with exactly the file's four token fields. */
export function readTextTokens(text: string | null): TextToken[] {
  if (text === null) return [];
  const remedy = "fix the file's tokens or remove the file.";
  const value = parseJson(text, () => `Its text_tokens are not valid JSON; ${remedy}`);
  const parsed = storedTokensSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new StoredValueError(
    `Its text_tokens are not a list of {id, text, start_char, end_char}: ${describeIssues(parsed.error)}; ${remedy}`,
  );
}

// Messages are built only on failure: these run once per instance, some 100,000 times a second.
function subjectOf(instance: StoredInstanceRef): string {
  return `Instance ${instance.id} (${instance.type})`;
}

function parseJson(text: string, message: () => string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StoredValueError(message(), { cause: error });
  }
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const field of Object.values(value))
    if (typeof field === 'object' && field !== null) deepFreeze(field as object);
  return Object.freeze(value);
}

/** The first issue at its path (`points.0.x`), and how many more there are: enough to find the value. */
function describeIssues(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (first === undefined) return 'invalid';
  const at = first.path.length === 0 ? 'the value' : `"${first.path.map(String).join('.')}"`;
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more)`;
  return `${at}: ${first.message}${more}`;
}

/** An export's stored `checks` (written by the worker with the file); throws naming the export when unreadable. */
export function readStoredChecks(text: string, exportId: number): ExportChecks {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StoredValueError(`Export ${exportId}: its stored checks are not valid JSON.`);
  }
  const parsed = exportChecksSchema.safeParse(value);
  if (!parsed.success) {
    throw new StoredValueError(
      `Export ${exportId}: its stored checks do not match the contract (${parsed.error.issues[0]?.message ?? 'invalid'}).`,
    );
  }
  return parsed.data;
}
