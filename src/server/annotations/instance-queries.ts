import type { Kysely } from 'kysely';
import type { AttributeGroupKind } from '../../contract/annotations.ts';
import type { DialectName } from '../db/database.ts';
import type { Database, IsoTime, NewInstance } from '../db/schema.ts';
import type { InstanceRow, SequenceRow } from '../exports/export-file-packets.ts';
import { batchesOf } from '../seed/batch-insert.ts';
import type { InstanceContent } from './instance-rows.ts';

// The SQL of one file's instances and sequences, and of the project's labels and attribute groups
// that instances name: what the single-file instance writer reads and writes.

/** Anything that runs queries: the database or a transaction. */
type Queryable = Kysely<Database>;

const instanceColumns = [
  'id',
  'file_id',
  'type',
  'label_id',
  'geometry',
  'attribute_values',
  'frame_number',
  'sequence_id',
  'local_sequence_number',
  'interpolated',
  'soft_deleted',
] as const;

/** A file's instances in id order; soft-deleted ones too when `withRemoved`. */
export async function fileInstanceRows(
  db: Queryable,
  fileId: number,
  withRemoved: boolean,
): Promise<InstanceRow[]> {
  let query = db
    .selectFrom('instance')
    .select(instanceColumns)
    .where('file_id', '=', fileId)
    .orderBy('id');
  if (!withRemoved) query = query.where('soft_deleted', '=', 0);
  return query.execute();
}

/** A video's sequences in id order. */
export async function fileSequenceRows(db: Queryable, fileId: number): Promise<SequenceRow[]> {
  return db
    .selectFrom('sequence')
    .selectAll()
    .where('file_id', '=', fileId)
    .orderBy('id')
    .execute();
}

/** Adds a sequence to a video; returns its id. */
export async function insertSequence(
  db: Queryable,
  sequence: Omit<SequenceRow, 'id'>,
): Promise<number> {
  const row = await db
    .insertInto('sequence')
    .values(sequence)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Adds instances in as few statements as the dialect's parameter limit allows. */
export async function insertInstances(
  db: Queryable,
  dialect: DialectName,
  rows: readonly NewInstance[],
): Promise<void> {
  for (const batch of batchesOf(dialect, rows))
    await db.insertInto('instance').values(batch).execute();
}

/** Rewrites one instance's content. */
export async function updateInstanceContent(
  db: Queryable,
  instanceId: number,
  content: InstanceContent,
  time: IsoTime,
): Promise<void> {
  await db
    .updateTable('instance')
    .set({ ...content, last_modified_time: time })
    .where('id', '=', instanceId)
    .execute();
}

/** Soft-deletes instances: kept, and exported only with removed instances. */
export async function softDeleteInstances(
  db: Queryable,
  instanceIds: readonly number[],
  time: IsoTime,
): Promise<void> {
  // Chunked: SQLite allows some 32,000 bound values per statement.
  for (let start = 0; start < instanceIds.length; start += 5_000) {
    await db
      .updateTable('instance')
      .set({ soft_deleted: 1, last_modified_time: time })
      .where('id', 'in', instanceIds.slice(start, start + 5_000))
      .execute();
  }
}

/** The ids of the project's labels. */
export async function projectLabelIds(db: Queryable, projectId: number): Promise<Set<number>> {
  const rows = await db
    .selectFrom('label')
    .select('id')
    .where('project_id', '=', projectId)
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** An attribute group with what an answer to it is checked against. */
export interface AttributeGroupRule {
  id: number;
  name: string;
  kind: AttributeGroupKind;
  min_value: number | null;
  max_value: number | null;
  /** Its answers' ids, archived ones included (old instances still name them). */
  templateIds: Set<number>;
}

/** The project's attribute groups by id, each with its answers' ids. */
export async function projectAttributeGroups(
  db: Queryable,
  projectId: number,
): Promise<Map<number, AttributeGroupRule>> {
  const groups = await db
    .selectFrom('attribute_group')
    .select(['id', 'name', 'kind', 'min_value', 'max_value'])
    .where('project_id', '=', projectId)
    .execute();
  const templates = await db
    .selectFrom('attribute_template')
    .innerJoin('attribute_group', 'attribute_group.id', 'attribute_template.group_id')
    .select(['attribute_template.id', 'attribute_template.group_id'])
    .where('attribute_group.project_id', '=', projectId)
    .execute();
  const rules = new Map<number, AttributeGroupRule>(
    groups.map((group) => [group.id, { ...group, templateIds: new Set<number>() }]),
  );
  for (const template of templates) rules.get(template.group_id)?.templateIds.add(template.id);
  return rules;
}
