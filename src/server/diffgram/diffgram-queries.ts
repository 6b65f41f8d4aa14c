import type { Kysely } from 'kysely';
import type { Database, DirectoryTable, JobTable } from '../db/schema.ts';
import type { Selectable } from 'kysely';

// What the Diffgram API reads that annex's own API reads differently or not at all: a directory by
// nickname, a directory's file ids a page at a time, whether ids are files of a project, the label
// name map, and a job found by id alone (Diffgram's job path names no project).

/** A directory row. */
export type DirectoryRow = Selectable<DirectoryTable>;
/** A job row. */
export type JobRow = Selectable<JobTable>;

/** The project's directory with this id, or with this nickname; undefined when it has none. */
export async function findDirectory(
  db: Kysely<Database>,
  projectId: number,
  by: { id: number } | { nickname: string },
): Promise<DirectoryRow | undefined> {
  const query = db.selectFrom('directory').selectAll().where('project_id', '=', projectId);
  return ('id' in by ? query.where('id', '=', by.id) : query.where('nickname', '=', by.nickname))
    .orderBy('id')
    .executeTakeFirst();
}

/**
 * One page of a directory's file ids, ascending: its top-level files that are not removed (what an
 * export of the directory reads), and how many there are over all pages.
 */
export async function directoryFileIdPage(
  db: Kysely<Database>,
  directoryId: number,
  page: { number: number; limit: number },
): Promise<{ ids: number[]; total: number }> {
  const base = db
    .selectFrom('directory_file')
    .innerJoin('file', 'file.id', 'directory_file.file_id')
    .where('directory_file.directory_id', '=', directoryId)
    .where('file.state', '!=', 'removed');
  const [rows, count] = await Promise.all([
    base
      .select('file.id')
      .orderBy('file.id')
      .limit(page.limit)
      .offset((page.number - 1) * page.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { ids: rows.map((row) => row.id), total: count.total };
}

// Enough ids per query to stay far below every engine's bound-parameter limit.
const idsPerQuery = 10_000;

/** True when every id in `ids` is a file of the project (removed files included: they exist). */
export async function allFilesInProject(
  db: Kysely<Database>,
  projectId: number,
  ids: readonly number[],
): Promise<boolean> {
  const unique = [...new Set(ids)];
  for (let start = 0; start < unique.length; start += idsPerQuery) {
    const chunk = unique.slice(start, start + idsPerQuery);
    const found = await db
      .selectFrom('file')
      .select((eb) => eb.fn.countAll<number>().as('found'))
      .where('project_id', '=', projectId)
      .where('id', 'in', chunk)
      .executeTakeFirstOrThrow();
    if (found.found !== chunk.length) return false;
  }
  return true;
}

/** The project's labels as Diffgram's `name_to_file_id` map: name → label id (the lowest id for a repeated name). */
export async function labelNameMap(
  db: Kysely<Database>,
  projectId: number,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('label')
    .select(['id', 'name'])
    .where('project_id', '=', projectId)
    .orderBy('id', 'desc')
    .execute();
  // Descending, so the lowest id of a repeated name is written last and kept.
  return Object.fromEntries(rows.map((row) => [row.name, row.id]));
}

/** How many labels the project has. */
export async function labelCount(db: Kysely<Database>, projectId: number): Promise<number> {
  const row = await db
    .selectFrom('label')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  return row.count;
}

/** The job with this id and its project's `project_string_id`, in whichever project it is. */
export async function findJobById(
  db: Kysely<Database>,
  jobId: number,
): Promise<(JobRow & { project_string_id: string }) | undefined> {
  return db
    .selectFrom('job')
    .innerJoin('project', 'project.id', 'job.project_id')
    .selectAll('job')
    .select('project.project_string_id')
    .where('job.id', '=', jobId)
    .executeTakeFirst();
}

/** How many distinct files a job's tasks name (archived tasks left out). */
export async function jobFileCount(db: Kysely<Database>, jobId: number): Promise<number> {
  const row = await db
    .selectFrom('task')
    .select((eb) => eb.fn.count<number>('file_id').distinct().as('count'))
    .where('job_id', '=', jobId)
    .where('status', '!=', 'archived')
    .executeTakeFirstOrThrow();
  return row.count;
}
