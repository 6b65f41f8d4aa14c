import type { Kysely, Updateable } from 'kysely';
import type { FileRecord, LabelRecord } from '../../contract/annotation-writes.ts';
import type { DirectorySummary } from '../../contract/projects.ts';
import type { Database, FileRow, FileTable, IsoTime, NewFile } from '../db/schema.ts';

// The SQL of the write API's directories, files and labels. Every function takes the database or
// the writing transaction, and every lookup is scoped to the project, so no caller can reach
// another project's row by skipping a check.

/** Anything that runs queries: the database or a transaction. */
type Queryable = Kysely<Database>;

/**
 * Makes this transaction the project's only writer until it ends, before it reads what it will
 * change: a write to the project row (which leaves it as it was) takes the row lock on PostgreSQL and
 * SQLite's write lock, the same locks `nextChangeSeq` takes. Taking them first, rather than at the
 * end, means two writers never both read a file as it was and both write it, and every writer takes
 * the project row before any file row, so they cannot deadlock. It advances nothing: a write that
 * turns out to change nothing ends without touching the counter.
 */
export async function lockProjectWrites(db: Queryable, projectId: number): Promise<void> {
  await db
    .updateTable('project')
    .set((eb) => ({ change_seq: eb.ref('change_seq') }))
    .where('id', '=', projectId)
    .execute();
}

/** The project's default directory as stored now (the project lookup's copy may be older). */
export async function defaultDirectoryIdOf(
  db: Queryable,
  projectId: number,
): Promise<number | null> {
  const row = await db
    .selectFrom('project')
    .select('default_directory_id')
    .where('id', '=', projectId)
    .executeTakeFirst();
  return row?.default_directory_id ?? null;
}

/** The directory with this id in the project, with its counts, or undefined. */
export async function findDirectory(
  db: Queryable,
  projectId: number,
  directoryId: number,
): Promise<DirectorySummary | undefined> {
  return db
    .selectFrom('directory')
    .select(['id', 'nickname', 'file_count', 'completed_file_count'])
    .where('project_id', '=', projectId)
    .where('id', '=', directoryId)
    .executeTakeFirst();
}

/** The directory with this nickname in the project, with its counts, or undefined. */
export async function findDirectoryByName(
  db: Queryable,
  projectId: number,
  nickname: string,
): Promise<DirectorySummary | undefined> {
  return db
    .selectFrom('directory')
    .select(['id', 'nickname', 'file_count', 'completed_file_count'])
    .where('project_id', '=', projectId)
    .where('nickname', '=', nickname)
    .executeTakeFirst();
}

/** Adds an empty directory; the unique (project, nickname) index refuses a taken name. */
export async function insertDirectory(
  db: Queryable,
  projectId: number,
  nickname: string,
  time: IsoTime,
): Promise<DirectorySummary> {
  return db
    .insertInto('directory')
    .values({ project_id: projectId, nickname, created_time: time })
    .returning(['id', 'nickname', 'file_count', 'completed_file_count'])
    .executeTakeFirstOrThrow();
}

/** The file with this id in the project (whatever its state), or undefined. */
export async function findFileRow(
  db: Queryable,
  projectId: number,
  fileId: number,
): Promise<FileRow | undefined> {
  return db
    .selectFrom('file')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', fileId)
    .executeTakeFirst();
}

/** Adds a file row; returns it as stored. */
export async function insertFileRow(db: Queryable, row: NewFile): Promise<FileRow> {
  return db.insertInto('file').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Changes columns of one file. */
export async function updateFileRow(
  db: Queryable,
  fileId: number,
  values: Updateable<FileTable>,
): Promise<void> {
  await db.updateTable('file').set(values).where('id', '=', fileId).execute();
}

/** Puts a file in a directory, stamped with the change counter value of the transaction. */
export async function insertMembership(
  db: Queryable,
  directoryId: number,
  fileId: number,
  seq: number,
): Promise<void> {
  await db
    .insertInto('directory_file')
    .values({ directory_id: directoryId, file_id: fileId, added_seq: seq })
    .execute();
}

/** The file as the write API shows it: its row, token count and the directories it is in. */
export async function fileRecordOf(db: Queryable, row: FileRow): Promise<FileRecord> {
  const memberships = await db
    .selectFrom('directory_file')
    .select('directory_id')
    .where('file_id', '=', row.id)
    .orderBy('directory_id')
    .execute();
  return {
    id: row.id,
    type: row.type,
    original_filename: row.original_filename,
    media_url: row.media_url,
    width: row.width,
    height: row.height,
    frame_count: row.frame_count,
    frame_rate: row.frame_rate,
    token_count: row.type === 'text' ? tokenCountOf(row.text_tokens) : null,
    ann_is_complete: row.ann_is_complete === 1,
    state: row.state,
    directory_ids: memberships.map((membership) => membership.directory_id),
    created_time: row.created_time,
    last_modified_time: row.last_modified_time,
    change_seq: row.change_seq,
  };
}

/** Every label of the project, by id. */
export async function listLabels(db: Queryable, projectId: number): Promise<LabelRecord[]> {
  return db
    .selectFrom('label')
    .select(['id', 'name', 'colour_hex'])
    .where('project_id', '=', projectId)
    .orderBy('id')
    .execute();
}

/** The label with this name in the project, or undefined. */
export async function findLabelByName(
  db: Queryable,
  projectId: number,
  name: string,
): Promise<LabelRecord | undefined> {
  return db
    .selectFrom('label')
    .select(['id', 'name', 'colour_hex'])
    .where('project_id', '=', projectId)
    .where('name', '=', name)
    .executeTakeFirst();
}

/** Adds a label; returns it. */
export async function insertLabel(
  db: Queryable,
  projectId: number,
  label: { name: string; colour_hex: string },
): Promise<LabelRecord> {
  return db
    .insertInto('label')
    .values({ project_id: projectId, ...label })
    .returning(['id', 'name', 'colour_hex'])
    .executeTakeFirstOrThrow();
}

/**
 * How many tokens a text file's stored `text_tokens` hold; null when they are not a list. Counted
 * without checking each token (the export does that): a long text holds millions of them.
 */
function tokenCountOf(textTokens: string | null): number | null {
  if (textTokens === null) return 0;
  try {
    const value: unknown = JSON.parse(textTokens);
    return Array.isArray(value) ? value.length : null;
  } catch {
    return null;
  }
}
