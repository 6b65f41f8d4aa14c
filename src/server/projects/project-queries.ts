import type { Kysely } from 'kysely';
import type { TaskStatus } from '../../contract/annotations.ts';
import type {
  DirectorySummary,
  JobSummary,
  JobTask,
  ProjectSummary,
  TaskDetail,
} from '../../contract/projects.ts';
import type { Database } from '../db/schema.ts';

// The panel reads directory and job counts on every page, so they are not counted here: they are
// columns the database keeps up to date with triggers (migration 0004 says how and why), and a read
// is one indexed select of a project's few directories or jobs, a few milliseconds at a million files.
// The recounts below are what those columns must equal: tests compare against them, the counts
// benchmark times them, and no route calls them.

/** A project row as the API names it, before the requester's role is known. */
export type ProjectRecord = Omit<ProjectSummary, 'my_role'>;

/** The columns of a project the API shows (a `ProjectRecord`), named so a join can select them. */
export const projectColumns = [
  'project.id',
  'project.project_string_id',
  'project.name',
  'project.default_directory_id',
] as const;

/** The project with this `project_string_id`, or undefined. */
export async function findProject(
  db: Kysely<Database>,
  projectStringId: string,
): Promise<ProjectRecord | undefined> {
  return db
    .selectFrom('project')
    .select(projectColumns)
    .where('project_string_id', '=', projectStringId)
    .executeTakeFirst();
}

/**
 * A project's directories by nickname, each with its top-level files that are not removed and, of
 * those, the ones marked complete (the file's own flag, not any task's status): the maintained counts.
 */
export async function listDirectorySummaries(
  db: Kysely<Database>,
  projectId: number,
): Promise<DirectorySummary[]> {
  return db
    .selectFrom('directory')
    .select(['id', 'nickname', 'file_count', 'completed_file_count'])
    .where('project_id', '=', projectId)
    .orderBy('nickname')
    .orderBy('id')
    .execute();
}

/** A project's jobs by name, each with how many of its tasks are in each status: the maintained counts. */
export async function listJobSummaries(
  db: Kysely<Database>,
  projectId: number,
): Promise<JobSummary[]> {
  const rows = await db
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
    .where('project_id', '=', projectId)
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
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
  }));
}

/**
 * `listDirectorySummaries` counted from the rows, one GROUP BY over every membership of the project:
 * the reference the maintained counts must equal, for tests and the counts benchmark.
 */
export async function recountDirectorySummaries(
  db: Kysely<Database>,
  projectId: number,
): Promise<DirectorySummary[]> {
  const rows = await db
    .selectFrom('directory')
    .leftJoin('directory_file', 'directory_file.directory_id', 'directory.id')
    // The state test sits in the join so a directory whose files are all removed still appears, with 0.
    .leftJoin('file', (join) =>
      join.onRef('file.id', '=', 'directory_file.file_id').on('file.state', '=', 'added'),
    )
    .select((eb) => [
      'directory.id',
      'directory.nickname',
      eb.fn.count<number>('file.id').as('file_count'),
      eb.fn
        .coalesce(
          eb.fn.sum<number>(eb.case().when('file.ann_is_complete', '=', 1).then(1).else(0).end()),
          eb.lit(0),
        )
        .as('completed_file_count'),
    ])
    .where('directory.project_id', '=', projectId)
    .groupBy(['directory.id', 'directory.nickname'])
    .orderBy('directory.nickname')
    .orderBy('directory.id')
    .execute();
  return rows;
}

/** `listJobSummaries` counted from the task rows: the reference for tests and the counts benchmark. */
export async function recountJobSummaries(
  db: Kysely<Database>,
  projectId: number,
): Promise<JobSummary[]> {
  const rows = await db
    .selectFrom('job')
    .leftJoin('task', 'task.job_id', 'job.id')
    .select((eb) => {
      const tasksIn = (status: TaskStatus) =>
        eb.fn.coalesce(
          eb.fn.sum<number>(eb.case().when('task.status', '=', status).then(1).else(0).end()),
          eb.lit(0),
        );
      return [
        'job.id',
        'job.name',
        'job.status',
        eb.fn.count<number>('task.id').as('task_count'),
        tasksIn('available').as('available'),
        tasksIn('in_progress').as('in_progress'),
        tasksIn('complete').as('complete'),
        tasksIn('archived').as('archived'),
      ];
    })
    .where('job.project_id', '=', projectId)
    .groupBy(['job.id', 'job.name', 'job.status'])
    .orderBy('job.name')
    .orderBy('job.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    status: row.status,
    task_counts: {
      available: row.available,
      in_progress: row.in_progress,
      complete: row.complete,
      archived: row.archived,
    },
    task_count: row.task_count,
  }));
}

/**
 * Tasks joined to their job and file, with the columns a task's detail and its name ("<job> / <file>")
 * are built from; callers add the `where`. One query shape for the task lookup and the export list.
 */
export function selectTasksWithJobAndFile(db: Kysely<Database>) {
  return db
    .selectFrom('task')
    .innerJoin('job', 'job.id', 'task.job_id')
    .innerJoin('file', 'file.id', 'task.file_id')
    .select([
      'task.id',
      'task.status',
      'job.id as job_id',
      'job.name as job_name',
      'file.id as file_id',
      'file.original_filename',
      'file.ann_is_complete',
    ]);
}

/** The task with this id whose job is in the project, with its job and file, or undefined. */
export async function findTaskDetail(
  db: Kysely<Database>,
  projectId: number,
  taskId: number,
): Promise<TaskDetail | undefined> {
  const row = await selectTasksWithJobAndFile(db)
    .where('task.id', '=', taskId)
    .where('job.project_id', '=', projectId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    status: row.status,
    job: { id: row.job_id, name: row.job_name },
    file: {
      id: row.file_id,
      original_filename: row.original_filename,
      ann_is_complete: row.ann_is_complete === 1,
    },
  };
}

/** The job with this id if it is in the project, or undefined. */
export async function findJob(
  db: Kysely<Database>,
  projectId: number,
  jobId: number,
): Promise<{ id: number; name: string } | undefined> {
  return db
    .selectFrom('job')
    .select(['id', 'name'])
    .where('id', '=', jobId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
}

/** Paging and filtering of a job's task list. */
export interface ListJobTasksOptions {
  /** Only ids above this one (the previous page's last id). */
  cursor?: number;
  /** Page size. */
  limit: number;
  /** Only tasks in this status. */
  status?: TaskStatus;
  /** Only tasks whose file is (true) or is not (false) marked complete. */
  fileComplete?: boolean;
}

/** One page of a job's tasks, lowest id first. */
export interface JobTaskPage {
  /** The page's tasks. */
  tasks: JobTask[];
  /** The id to pass as the next cursor, or null on the last page. */
  nextCursor: number | null;
  /** Tasks that match over all pages. */
  total: number;
}

/**
 * A page of a job's tasks with their files, lowest id first, so a page stays put while tasks are
 * added (new ids come last). The job's project is checked again here so that no caller can list
 * another project's job by skipping `findJob`.
 */
export async function listJobTasks(
  db: Kysely<Database>,
  projectId: number,
  jobId: number,
  options: ListJobTasksOptions,
): Promise<JobTaskPage> {
  let base = selectTasksWithJobAndFile(db)
    .where('task.job_id', '=', jobId)
    .where('job.project_id', '=', projectId);
  if (options.status !== undefined) base = base.where('task.status', '=', options.status);
  if (options.fileComplete !== undefined)
    base = base.where('file.ann_is_complete', '=', options.fileComplete ? 1 : 0);
  const [rows, count] = await Promise.all([
    (options.cursor === undefined ? base : base.where('task.id', '>', options.cursor))
      .select(['file.type', 'file.state'])
      .orderBy('task.id')
      .limit(options.limit + 1)
      .execute(),
    base
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow(),
  ]);
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    tasks: page.map((row) => ({
      id: row.id,
      status: row.status,
      file: {
        id: row.file_id,
        original_filename: row.original_filename,
        ann_is_complete: row.ann_is_complete === 1,
        type: row.type,
        state: row.state,
      },
    })),
    nextCursor: rows.length > options.limit && last !== undefined ? last.id : null,
    total: count.total,
  };
}
