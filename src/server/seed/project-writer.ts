import type { Kysely } from 'kysely';
import type { AttributeGroupKind, JobStatus } from '../../contract/annotations.ts';
import type { DialectName } from '../db/database.ts';
import type { Database, IsoTime, NewFile } from '../db/schema.ts';
import { batchesOf, insertBatched } from './batch-insert.ts';

/*
 * Writes a seeded project's rows on either dialect: the demo and the bulk project both go through
 * here, so a schema change is made once. Rows go in the order given (ids follow it on a fresh
 * database); where a caller needs the new ids back, they are matched to the rows by a key, because
 * neither dialect promises that RETURNING lists rows in VALUES order.
 */

/** The project row and its directories. */
export interface ProjectSpec {
  projectStringId: string;
  name: string;
  createdTime: IsoTime;
  /** In insertion order. */
  directories: readonly { nickname: string; createdTime: IsoTime }[];
  /** Nickname of the directory the panel opens on; must be one of `directories`. */
  defaultDirectory: string;
  /** The end of the error when the name is taken: what to do instead. */
  whenTaken: string;
}

/** Ids of a project written by `insertProject`. */
export interface WrittenProject {
  projectId: number;
  /** Directory ids by nickname. */
  directoryIds: Map<string, number>;
  defaultDirectoryId: number;
}

/** An attribute group with its templates and the labels it applies to. */
export interface AttributeGroupSpec {
  name: string;
  kind: AttributeGroupKind;
  prompt: string;
  /** Label names; empty for a global group. */
  labels: readonly string[];
  /** In display order; names are unique within the group. */
  templates: readonly { name: string; archived: boolean }[];
  min: number | null;
  max: number | null;
  defaultValue: string | null;
  createdTime: IsoTime;
}

/** Ids of the attribute groups written by `insertAttributeGroups`. */
export interface WrittenAttributeGroups {
  /** Group ids by group name. */
  groupIds: Map<string, number>;
  /** Template ids by group name, then template name, in display order. */
  templateIds: Map<string, Map<string, number>>;
  templateCount: number;
}

/** A job row before its id exists. */
export interface JobSpec {
  name: string;
  status: JobStatus;
  /** The label ids its annotators may use, in the order the job lists them. */
  labelIds: readonly number[];
  createdTime: IsoTime;
}

/** A task row before its id exists. */
export interface TaskSpec {
  job_id: number;
  file_id: number;
  status: Database['task']['status'];
  created_time: IsoTime;
}

/** A sequence row before its id exists. */
export interface SequenceSpec {
  file_id: number;
  label_id: number;
  number: number;
  keyframe_list: string;
  single_frame: 0 | 1;
}

/** A clock for seeded rows: `units` after `baseIso`, where a unit is `unitMs` milliseconds. */
export function seedClock(baseIso: string, unitMs: number): (units: number) => IsoTime {
  const base = Date.parse(baseIso);
  return (units) => new Date(base + units * unitMs).toISOString();
}

/** The value a map holds for a key; a missing one is a bug in the seed, said with what was missing. */
export function required<K, V>(map: Map<K, V>, key: K, what: string): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`The seed lost track of ${what} ${String(key)}`);
  return value;
}

/**
 * Inserts the project and its directories and points the project at its default directory.
 * Throws, writing nothing, when a project with that `project_string_id` exists.
 */
export async function insertProject(
  db: Kysely<Database>,
  spec: ProjectSpec,
): Promise<WrittenProject> {
  const existing = await db
    .selectFrom('project')
    .select('id')
    .where('project_string_id', '=', spec.projectStringId)
    .executeTakeFirst();
  if (existing !== undefined) {
    throw new Error(
      `A project "${spec.projectStringId}" already exists (id ${existing.id}); ${spec.whenTaken}`,
    );
  }
  const project = await db
    .insertInto('project')
    .values({
      project_string_id: spec.projectStringId,
      name: spec.name,
      default_directory_id: null,
      created_time: spec.createdTime,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const projectId = project.id;
  const directoryRows = await db
    .insertInto('directory')
    .values(
      spec.directories.map((directory) => ({
        project_id: projectId,
        nickname: directory.nickname,
        created_time: directory.createdTime,
      })),
    )
    .returning(['id', 'nickname'])
    .execute();
  const directoryIds = new Map(directoryRows.map((row) => [row.nickname, row.id]));
  const defaultDirectoryId = required(directoryIds, spec.defaultDirectory, 'directory');
  await db
    .updateTable('project')
    .set({ default_directory_id: defaultDirectoryId })
    .where('id', '=', projectId)
    .execute();
  return { projectId, directoryIds, defaultDirectoryId };
}

/** Inserts labels in the order given; returns their ids by name. */
export async function insertLabels(
  db: Kysely<Database>,
  projectId: number,
  labels: readonly { name: string; colour: string }[],
): Promise<Map<string, number>> {
  const rows = await db
    .insertInto('label')
    .values(
      labels.map((label) => ({
        project_id: projectId,
        name: label.name,
        colour_hex: label.colour,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  return new Map(rows.map((row) => [row.name, row.id]));
}

/** Inserts attribute groups, then their templates, then the labels each applies to. */
export async function insertAttributeGroups(
  db: Kysely<Database>,
  dialect: DialectName,
  projectId: number,
  groups: readonly AttributeGroupSpec[],
  labelIds: Map<string, number>,
): Promise<WrittenAttributeGroups> {
  const groupRows = groups.map((group) => ({
    project_id: projectId,
    kind: group.kind,
    name: group.name,
    prompt: group.prompt,
    is_global: group.labels.length === 0 ? (1 as const) : (0 as const),
    min_value: group.min,
    max_value: group.max,
    default_value: group.defaultValue,
    created_time: group.createdTime,
  }));
  const groupIdOf = await insertKeyed(
    dialect,
    groupRows,
    'attribute group',
    (row: { name: string }) => row.name,
    (batch) => db.insertInto('attribute_group').values(batch).returning(['id', 'name']).execute(),
  );
  const groupIds = new Map(groupRows.map((row) => [row.name, groupIdOf(row)]));
  const templateRows = groups.flatMap((group) =>
    group.templates.map((template, order) => ({
      group_id: required(groupIds, group.name, 'attribute group'),
      name: template.name,
      display_order: order,
      archived: template.archived ? (1 as const) : (0 as const),
    })),
  );
  const templateIdOf = await insertKeyed(
    dialect,
    templateRows,
    'attribute template',
    (row: { group_id: number; name: string }) => `${row.group_id}/${row.name}`,
    (batch) =>
      db
        .insertInto('attribute_template')
        .values(batch)
        .returning(['id', 'group_id', 'name'])
        .execute(),
  );
  const templateIds = new Map(
    groups.map((group) => {
      const groupId = required(groupIds, group.name, 'attribute group');
      const ids = group.templates.map(
        (template) =>
          [template.name, templateIdOf({ group_id: groupId, name: template.name })] as const,
      );
      return [group.name, new Map(ids)] as const;
    }),
  );
  await insertBatched(
    db,
    dialect,
    'attribute_group_label',
    groups.flatMap((group) =>
      group.labels.map((label) => ({
        group_id: required(groupIds, group.name, 'attribute group'),
        label_id: required(labelIds, label, 'label'),
      })),
    ),
  );
  return { groupIds, templateIds, templateCount: templateRows.length };
}

/** Inserts files in batches; returns their ids by original_filename (names must be unique). */
export async function insertFiles(
  db: Kysely<Database>,
  dialect: DialectName,
  rows: readonly NewFile[],
): Promise<Map<string, number>> {
  const idOf = await insertKeyed(
    dialect,
    rows,
    'file',
    (row: { original_filename: string }) => row.original_filename,
    (batch) => db.insertInto('file').values(batch).returning(['id', 'original_filename']).execute(),
  );
  return new Map(rows.map((row) => [row.original_filename, idOf(row)]));
}

/** Inserts jobs in the order given; returns their ids by name. */
export async function insertJobs(
  db: Kysely<Database>,
  projectId: number,
  jobs: readonly JobSpec[],
): Promise<Map<string, number>> {
  const rows = await db
    .insertInto('job')
    .values(
      jobs.map((job) => ({
        project_id: projectId,
        name: job.name,
        status: job.status,
        label_schema: JSON.stringify(job.labelIds),
        created_time: job.createdTime,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  return new Map(rows.map((row) => [row.name, row.id]));
}

/** What tells tasks apart: one task per file and status within a job. */
export type TaskKey = Pick<TaskSpec, 'job_id' | 'file_id' | 'status'>;

/** Inserts tasks in batches; returns the id each got, looked up by job, file and status (unique). */
export function insertTasks(
  db: Kysely<Database>,
  dialect: DialectName,
  rows: readonly TaskSpec[],
): Promise<(task: TaskKey) => number> {
  return insertKeyed(
    dialect,
    rows,
    'task',
    (row: TaskKey) => `${row.job_id}/${row.file_id}/${row.status}`,
    (batch) =>
      db
        .insertInto('task')
        .values(batch)
        .returning(['id', 'job_id', 'file_id', 'status'])
        .execute(),
  );
}

/** What tells sequences apart: a file's sequences are numbered per label. */
export type SequenceKey = Pick<SequenceSpec, 'file_id' | 'label_id' | 'number'>;

/** Inserts sequences in batches; returns the id each got, looked up by file, label and number (unique). */
export function insertSequences(
  db: Kysely<Database>,
  dialect: DialectName,
  rows: readonly SequenceSpec[],
): Promise<(sequence: SequenceKey) => number> {
  return insertKeyed(
    dialect,
    rows,
    'sequence',
    (row: SequenceKey) => `${row.file_id}/${row.label_id}/${row.number}`,
    (batch) =>
      db
        .insertInto('sequence')
        .values(batch)
        .returning(['id', 'file_id', 'label_id', 'number'])
        .execute(),
  );
}

/**
 * Inserts rows in batches and returns a lookup of the id each row got, by the key `keyOf` reads.
 * A key given twice could be matched to the wrong id, so it is refused before anything is written.
 */
async function insertKeyed<Key, Row extends Key & object, Returned extends Key & { id: number }>(
  dialect: DialectName,
  rows: readonly Row[],
  what: string,
  keyOf: (row: Key) => string,
  insert: (batch: Row[]) => Promise<Returned[]>,
): Promise<(row: Key) => number> {
  const seen = new Set<string>();
  for (const row of rows) {
    const key = keyOf(row);
    if (seen.has(key))
      throw new Error(`Two ${what} rows share the key ${key}; each must be unique`);
    seen.add(key);
  }
  const ids = new Map<string, number>();
  for (const batch of batchesOf(dialect, rows)) {
    for (const row of await insert(batch)) ids.set(keyOf(row), row.id);
  }
  return (row) => required(ids, keyOf(row), what);
}
