import type { FileState, JobStatus, TaskStatus } from '../../contract/annotations.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow, FileRow, NewExport } from '../db/schema.ts';

// Builders for the records server tests add beside a seed: a project, its directories, files, jobs,
// tasks and export rows. Each returns the ids the database gave, so no test guesses an id (1, 2, …)
// that another test file or an earlier insert may own.

/** The creation time of every record these builders add; fixed, so nothing depends on the clock. */
const builtTime = '2024-03-05T00:00:00.000Z';

/** Adds a project with no default directory; returns its id. */
export async function addProject(
  database: AnnexDatabase,
  projectStringId: string,
  name: string,
): Promise<number> {
  const { id } = await database.db
    .insertInto('project')
    .values({
      project_string_id: projectStringId,
      name,
      default_directory_id: null,
      created_time: builtTime,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** Adds a directory holding the given files. */
export async function addDirectory(
  database: AnnexDatabase,
  projectId: number,
  nickname: string,
  fileIds: number[],
): Promise<number> {
  const { id } = await database.db
    .insertInto('directory')
    .values({ project_id: projectId, nickname, created_time: builtTime })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (fileIds.length > 0) {
    await database.db
      .insertInto('directory_file')
      .values(fileIds.map((fileId) => ({ directory_id: id, file_id: fileId })))
      .execute();
  }
  return id;
}

/** Adds a job with one task per `[fileId, status]`; returns the job id and the task ids in order. */
export async function addJob(
  database: AnnexDatabase,
  projectId: number,
  name: string,
  tasks: [fileId: number, status: TaskStatus][],
  status: JobStatus = 'active',
): Promise<{ jobId: number; taskIds: number[] }> {
  const { id: jobId } = await database.db
    .insertInto('job')
    .values({ project_id: projectId, name, status, label_schema: '[]', created_time: builtTime })
    .returning('id')
    .executeTakeFirstOrThrow();
  const taskIds: number[] = [];
  for (const [fileId, taskStatus] of tasks)
    taskIds.push(await addTask(database, jobId, fileId, taskStatus));
  return { jobId, taskIds };
}

/** Adds one task to a job. */
export async function addTask(
  database: AnnexDatabase,
  jobId: number,
  fileId: number,
  status: TaskStatus,
): Promise<number> {
  const { id } = await database.db
    .insertInto('task')
    .values({ job_id: jobId, file_id: fileId, status, created_time: builtTime })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** How `addImages` names and marks its files. */
export interface AddImagesOptions {
  /** The files' state (default `added`); `removed` files are never exported nor counted. */
  state?: FileState;
  /** The original filename of the file at `index` (default `added-<index>.jpg`). */
  nameOf?: (index: number) => string;
}

/**
 * Every column of an image file but its id, for tests that insert files or build file rows by hand:
 * 640×480, complete, `added`, its media URL from its name; `overrides` change any of them.
 */
export function imageFileValues(
  projectId: number,
  originalFilename: string,
  overrides: Partial<Omit<FileRow, 'id'>> = {},
): Omit<FileRow, 'id'> {
  return {
    project_id: projectId,
    type: 'image',
    original_filename: originalFilename,
    width: 640,
    height: 480,
    rotation_degrees: 0,
    frame_rate: null,
    frame_count: null,
    original_fps: null,
    fps_conversion_ratio: null,
    offset_in_seconds: null,
    global_frame_start: null,
    parent_file_id: null,
    text_tokens: null,
    media_url: `https://media.example.com/${originalFilename}`,
    ann_is_complete: 1,
    state: 'added',
    created_time: builtTime,
    last_modified_time: builtTime,
    change_seq: 0,
    created_seq: 0,
    ...overrides,
  };
}

/** Adds `count` image files without instances, complete or not; returns their ids in order. */
export async function addImages(
  database: AnnexDatabase,
  projectId: number,
  count: number,
  complete: boolean,
  options: AddImagesOptions = {},
): Promise<number[]> {
  const nameOf = options.nameOf ?? ((index: number) => `added-${index}.jpg`);
  const rows = await database.db
    .insertInto('file')
    .values(
      Array.from({ length: count }, (_, index) =>
        imageFileValues(projectId, nameOf(index), {
          ann_is_complete: complete ? 1 : 0,
          state: options.state ?? 'added',
        }),
      ),
    )
    .returning('id')
    .execute();
  return rows.map((row) => row.id).sort((a, b) => a - b);
}

/**
 * Inserts an export row as it would stand in the middle of its life (running under some worker, say),
 * which the API cannot produce on demand. Completed-only and without removed instances unless told.
 */
export async function addExportRow(
  database: AnnexDatabase,
  values: Pick<NewExport, 'project_id' | 'status'> &
    Partial<Omit<NewExport, 'project_id' | 'status'>>,
): Promise<ExportRow> {
  return database.db
    .insertInto('export')
    .values({
      kind: 'Annotations',
      source: 'directory',
      ann_is_complete: 1,
      include_removed: 0,
      percent_complete: 0,
      archived: 0,
      created_by: 'ada@example.com',
      created_time: builtTime,
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
