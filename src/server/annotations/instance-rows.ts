import { instanceGeometryFields } from '../../contract/export-file.ts';
import type { AttributeValues, InstanceType } from '../../contract/annotations.ts';
import type { Flag } from '../db/schema.ts';

/*
 * An instance as the export file shows it (and the write API and import take it) turned into the
 * columns of an `instance` row: the inverse of `toInstance` in exports/export-file-packets.ts. The
 * write API (ids of its own project) and the import (ids of the source file, mapped by name) both
 * go through here, so an instance stored either way exports the same.
 *
 * Sequences are the caller's: it finds or makes the sequence of (label, number) on the video and
 * passes its id.
 */

/** The fields of an instance this module reads: what every instance shape of the contract has. */
export interface InstanceFields {
  type: InstanceType;
  label_file_id: number | null;
  attribute_groups: Readonly<AttributeValues> | null;
  removed?: boolean | undefined;
  frame_number?: number | undefined;
  local_sequence_number?: number | null | undefined;
  interpolated?: boolean | undefined;
}

/** The columns of an instance row that say what it is (not where it is, nor when). */
export interface InstanceContent {
  type: InstanceType;
  label_id: number | null;
  /** The type's geometry fields as JSON, in the contract's order. */
  geometry: string;
  attribute_values: string | null;
  frame_number: number | null;
  sequence_id: number | null;
  local_sequence_number: number | null;
  interpolated: Flag;
  soft_deleted: Flag;
}

/** A problem with one field of an instance; `path` is relative to the instance. */
export class InstanceFieldProblem extends Error {
  override name = 'InstanceFieldProblem';

  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How ids in the instance become ids of the project it is written to. The write API's maps check
 * the ids exist in the project and keep them; the import's map the source file's ids by name.
 * Each returns undefined for an id it does not know (the caller's problem message says so).
 */
export interface InstanceIdMaps {
  /** The project's label for the instance's `label_file_id`. */
  label(id: number): number | undefined;
  /**
   * The project's attribute group key and answer for one entry of `attribute_groups`; a string
   * problem when the group or the answer is unknown.
   */
  attribute(
    groupKey: string,
    answer: number | string | readonly number[],
  ): { groupKey: string; answer: number | string | number[] } | string;
}

/**
 * The row content of one instance. Throws `InstanceFieldProblem` naming the field when an id does
 * not map. The geometry is taken field by field in the contract's order, so two instances with the
 * same geometry store the same text whatever order their fields came in.
 */
export function instanceContent(
  instance: InstanceFields,
  maps: InstanceIdMaps,
  sequenceId: number | null,
): InstanceContent {
  let labelId: number | null = null;
  if (instance.label_file_id !== null) {
    const mapped = maps.label(instance.label_file_id);
    if (mapped === undefined) {
      throw new InstanceFieldProblem(
        'label_file_id',
        `label ${instance.label_file_id} is not a label of this project (nor in the file's label_map)`,
      );
    }
    labelId = mapped;
  } else if (instance.type !== 'global') {
    throw new InstanceFieldProblem('label_file_id', `a ${instance.type} instance needs a label`);
  }
  return {
    type: instance.type,
    label_id: labelId,
    geometry: geometryText(instance),
    attribute_values: attributeValuesText(instance.attribute_groups, maps),
    frame_number: instance.frame_number ?? null,
    sequence_id: sequenceId,
    local_sequence_number: instance.local_sequence_number ?? null,
    interpolated: instance.interpolated === true ? 1 : 0,
    soft_deleted: instance.removed === true ? 1 : 0,
  };
}

/** The geometry JSON of an instance: its type's fields only, in the contract's order. */
export function geometryText(instance: { type: InstanceType }): string {
  if (instance.type === 'global') return '{}';
  const fields = instance as unknown as Record<string, unknown>;
  const geometry: Record<string, unknown> = {};
  for (const field of instanceGeometryFields[instance.type]) geometry[field] = fields[field];
  return JSON.stringify(geometry);
}

/** A stored geometry rewritten the way `geometryText` writes it, to compare with a new one. */
export function normalizedGeometryText(type: InstanceType, stored: string): string {
  if (type === 'global') return '{}';
  try {
    return geometryText({ type, ...(JSON.parse(stored) as Record<string, unknown>) });
  } catch {
    return stored;
  }
}

function attributeValuesText(
  values: Readonly<AttributeValues> | null,
  maps: InstanceIdMaps,
): string | null {
  if (values === null) return null;
  const entries = Object.entries(values);
  // `{}` stays `{}`: the export writes back what is stored, and a round trip must not turn it into null.
  if (entries.length === 0) return '{}';
  const mapped: Record<string, number | string | number[]> = {};
  for (const [groupKey, answer] of entries) {
    const result = maps.attribute(groupKey, answer);
    if (typeof result === 'string') {
      throw new InstanceFieldProblem(`attribute_groups › ${groupKey}`, result);
    }
    mapped[result.groupKey] = result.answer;
  }
  // Keys in numeric order, so the same answers always store the same text.
  const ordered = Object.fromEntries(
    Object.entries(mapped).sort(([a], [b]) => Number(a) - Number(b)),
  );
  return JSON.stringify(ordered);
}

/** True when two contents are the same instance data (geometry compared after normalising). */
export function sameContent(stored: InstanceContent, next: InstanceContent): boolean {
  return (
    stored.type === next.type &&
    stored.label_id === next.label_id &&
    normalizedGeometryText(stored.type, stored.geometry) === next.geometry &&
    normalizedAttributeValues(stored.attribute_values) === next.attribute_values &&
    stored.frame_number === next.frame_number &&
    stored.sequence_id === next.sequence_id &&
    stored.local_sequence_number === next.local_sequence_number &&
    stored.interpolated === next.interpolated &&
    stored.soft_deleted === next.soft_deleted
  );
}

function normalizedAttributeValues(stored: string | null): string | null {
  if (stored === null) return null;
  try {
    const value = JSON.parse(stored) as Record<string, unknown> | null;
    if (value === null) return null;
    return JSON.stringify(
      Object.fromEntries(Object.entries(value).sort(([a], [b]) => Number(a) - Number(b))),
    );
  } catch {
    return stored;
  }
}
