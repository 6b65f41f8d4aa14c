import type { Kysely } from 'kysely';
import type { TaskStatus } from '../../contract/annotations.ts';
import type { JobSummary } from '../../contract/projects.ts';
import type { DialectName } from '../db/database.ts';
import type { Database, IsoTime } from '../db/schema.ts';
import { batchesOf } from '../seed/batch-insert.ts';

// The SQL of the write API's jobs and tasks: finding the files a job covers, adding the job and its
// tasks, and the task statuses a file's completion follows.

/** Anything that runs queries: the database or a transaction. */
type Queryable = Kysely<Database>;

/** Ids are looked up in chunks: SQLite allows some 32,000 bound values per statement. */
const idChunk = 5_000;

/** A file a job may cover: its id, state and completion. */
export interface JobFileRow {
  id: number;
  state: 'added' | 'removed';
  ann_is_complete: 0 | 1;
}

/** The project's files among `fileIds` (others are left out), with their state and completion. */
export async function projectFilesAmong(
  db: Queryable,
  projectId: number,
  fileIds: readonly number[],
): Promise<JobFileRow[]> {
  const rows: JobFileRow[] = [];
  for (let start = 0; start < fileIds.length; start += idChunk) {
    rows.push(
      ...(await db
        .selectFrom('file')
        .select(['id', 'state', 'ann_is_complete'])
        .where('project_id', '=', projectId)
        .where('id', 'in', fileIds.slice(start, start + idChunk))
        .execute()),
    );
  }
  return rows;
}

/** The files of a directory that are not removed, by id. */
export async function directoryFilesInUse(
  db: Queryable,
  directoryId: number,
): Promise<JobFileRow[]> {
  return db
    .selectFrom('directory_file')
    .innerJoin('file', 'file.id', 'directory_file.file_id')
    .select(['file.id', 'file.state', 'file.ann_is_complete'])
    .where('directory_file.directory_id', '=', directoryId)
    .where('file.state', '=', 'added')
    .orderBy('file.id')
    .execute();
}

/** The job with this name in the project, or undefined. */
export async function findJobByName(
  db: Queryable,
  projectId: number,
  name: string,
): Promise<{ id: number } | undefined> {
  return db
    .selectFrom('job')
    .select('id')
    .where('project_id', '=', projectId)
    .where('name', '=', name)
    .executeTakeFirst();
}

/** Adds an active job; returns its id. */
export async function insertActiveJob(
  db: Queryable,
  projectId: number,
  job: { name: string; labelIds: readonly number[]; time: IsoTime },
): Promise<number> {
  const row = await db
    .insertInto('job')
    .values({
      project_id: projectId,
      name: job.name,
      status: 'active',
      label_schema: JSON.stringify(job.labelIds),
      created_time: job.time,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Adds one `available` task per file to a job, stamped with the transaction's counter value. */
export async function insertAvailableTasks(
  db: Queryable,
  dialect: DialectName,
  task: { jobId: number; fileIds: readonly number[]; seq: number; time: IsoTime },
): Promise<void> {
  const rows = task.fileIds.map((fileId) => ({
    job_id: task.jobId,
    file_id: fileId,
    status: 'available' as const,
    created_time: task.time,
    created_seq: task.seq,
  }));
  for (const batch of batchesOf(dialect, rows)) await db.insertInto('task').values(batch).execute();
}

/** One job with its maintained task counts. */
export async function jobSummaryOf(db: Queryable, jobId: number): Promise<JobSummary> {
  const row = await db
    .selectFrom('job')
    .select([
      'id',
      'name',
      'status',
      'task_count',
      'available_task_count',
      'in_progress_task_count',
      'complete_task_count',
      'archived_task_count',
    ])
    .where('id', '=', jobId)
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    task_counts: {
      available: row.available_task_count,
      in_progress: row.in_progress_task_count,
      complete: row.complete_task_count,
      archived: row.archived_task_count,
    },
    task_count: row.task_count,
  };
}

/** A task of the project with its file's completion, or undefined. */
export async function findProjectTask(
  db: Queryable,
  projectId: number,
  taskId: number,
): Promise<{ id: number; status: TaskStatus; file_id: number; file_complete: 0 | 1 } | undefined> {
  return db
    .selectFrom('task')
    .innerJoin('job', 'job.id', 'task.job_id')
    .innerJoin('file', 'file.id', 'task.file_id')
    .select(['task.id', 'task.status', 'task.file_id', 'file.ann_is_complete as file_complete'])
    .where('task.id', '=', taskId)
    .where('job.project_id', '=', projectId)
    .executeTakeFirst();
}

/** Sets a task's status. */
export async function setTaskStatus(
  db: Queryable,
  taskId: number,
  status: TaskStatus,
): Promise<void> {
  await db.updateTable('task').set({ status }).where('id', '=', taskId).execute();
}

/** The statuses of a file's tasks, over every job. */
export async function taskStatusesOfFile(db: Queryable, fileId: number): Promise<TaskStatus[]> {
  const rows = await db.selectFrom('task').select('status').where('file_id', '=', fileId).execute();
  return rows.map((row) => row.status);
}

/** Marks files not complete; returns how many of them were complete. */
export async function clearCompletion(db: Queryable, fileIds: readonly number[]): Promise<number> {
  let cleared = 0;
  for (let start = 0; start < fileIds.length; start += idChunk) {
    const result = await db
      .updateTable('file')
      .set({ ann_is_complete: 0 })
      .where('id', 'in', fileIds.slice(start, start + idChunk))
      .where('ann_is_complete', '=', 1)
      .executeTakeFirst();
    cleared += Number(result.numUpdatedRows);
  }
  return cleared;
}
