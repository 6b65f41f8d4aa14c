import type { Kysely, Updateable } from 'kysely';
import type { z } from 'zod';
import type {
  FileRecord,
  InstanceListResponse,
  JobResponse,
  LabelRecord,
  WritableInstance,
  createFileRequestSchema,
  createJobRequestSchema,
  updateFileRequestSchema,
} from '../../contract/annotation-writes.ts';
import type { TaskStatus } from '../../contract/annotations.ts';
import type { FieldIssue } from '../../contract/errors.ts';
import type { DirectorySummary, ProjectSummary, TaskDetail } from '../../contract/projects.ts';
import { isUniqueViolation } from '../accounts/unique-violation.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { Database, FileRow, FileTable } from '../db/schema.ts';
import { fileInstanceList } from '../exports/export-file-packets.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { findTaskDetail } from '../projects/project-queries.ts';
import {
  defaultDirectoryIdOf,
  fileRecordOf,
  findDirectory,
  findDirectoryByName,
  findFileRow,
  findLabelByName,
  insertDirectory,
  insertFileRow,
  insertLabel,
  insertMembership,
  listLabels,
  lockProjectWrites,
  updateFileRow,
} from './annotation-file-queries.ts';
import { markFilesChanged, nextChangeSeq } from './file-changes.ts';
import { fileInstanceRows, fileSequenceRows } from './instance-queries.ts';
import { changedAnything, writeInstanceList } from './instance-list-writer.ts';
import {
  directoryFilesInUse,
  findJobByName,
  findProjectTask,
  insertActiveJob,
  insertAvailableTasks,
  jobSummaryOf,
  projectFilesAmong,
  setTaskStatus,
} from './job-task-queries.ts';
import type { JobFileRow } from './job-task-queries.ts';
import { loadProjectIdMaps } from './project-id-maps.ts';
import { resetCompletionForNewTasks, settleCompletionAfterTaskMove } from './task-completion.ts';
import { tokenize } from './text-tokens.ts';
import { fileRemoved, nameTaken, unprocessable } from './write-errors.ts';

/** A file's creation as the route parsed it. */
export type CreateFileInput = z.output<typeof createFileRequestSchema>;
/** A file's change as the route parsed it. */
export type UpdateFileInput = z.output<typeof updateFileRequestSchema>;
/** A job's creation as the route parsed it. */
export type CreateJobInput = z.output<typeof createJobRequestSchema>;

/** Colours a new label gets when none is asked for, in turn: far apart on the wheel, readable on white. */
const labelPalette = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#9a6324',
  '#808000',
  '#469990',
  '#000075',
  '#800000',
] as const;

/**
 * The write API's rules: what an annotation tool or a script may put into a project and change. Each
 * write runs in one transaction that first locks the project's writes (`lockProjectWrites`), takes
 * one change-counter value only when it changes a file, and stamps every file it changed with it.
 * Routes call one method each; a future front door (the CLI, a compatibility API) calls the same.
 */
export class AnnotationWriteService {
  constructor(private readonly database: AnnexDatabase) {}

  /** Makes an empty directory; a 409 when the nickname is taken. Changes no file. */
  async createDirectory(project: ProjectSummary, nickname: string): Promise<DirectorySummary> {
    return this.write(project, async (trx, time) => {
      const existing = await findDirectoryByName(trx, project.id, nickname);
      if (existing !== undefined)
        throw nameTaken('directory', 'body.nickname', nickname, existing.id);
      return insertDirectory(trx, project.id, nickname, time);
    }).catch((error: unknown) => {
      if (isUniqueViolation(error))
        throw new ApiError(
          'conflict',
          `A directory named "${nickname}" was just made in this project. Choose another name, or use that directory.`,
          { field: 'body.nickname', name: nickname },
        );
      throw error;
    });
  }

  /**
   * Makes a file in a directory (by id, by name, made when missing, or the project's default),
   * stamped `created_seq = change_seq` with a new counter value, as is its membership.
   */
  async createFile(project: ProjectSummary, input: CreateFileInput): Promise<FileRecord> {
    return this.write(project, async (trx, time) => {
      const directoryId = await this.directoryForNewFile(trx, project, input, time);
      const seq = await nextChangeSeq(trx, project.id);
      const row = await insertFileRow(trx, {
        project_id: project.id,
        type: input.type,
        original_filename: input.original_filename,
        width: input.width ?? null,
        height: input.height ?? null,
        rotation_degrees: input.type === 'image' ? (input.rotation_degrees ?? 0) : null,
        frame_rate: input.frame_rate ?? null,
        frame_count: input.frame_count ?? null,
        original_fps: null,
        fps_conversion_ratio: null,
        offset_in_seconds: null,
        global_frame_start: input.type === 'video' ? 0 : null,
        parent_file_id: null,
        text_tokens: input.type === 'text' ? JSON.stringify(tokenize(input.text ?? '')) : null,
        media_url: input.media_url,
        ann_is_complete: input.ann_is_complete ? 1 : 0,
        state: 'added',
        created_time: time,
        last_modified_time: time,
        change_seq: seq,
        created_seq: seq,
      });
      await insertMembership(trx, directoryId, row.id, seq);
      return fileRecordOf(trx, row);
    });
  }

  /** One file of the project, whatever its state. */
  async getFile(project: ProjectSummary, fileId: number): Promise<FileRecord> {
    const { db } = this.database;
    return fileRecordOf(db, await requireFile(db, project, fileId));
  }

  /** A file with its instances that are not soft-deleted, in the export's shapes. */
  async getInstances(project: ProjectSummary, fileId: number): Promise<InstanceListResponse> {
    const { db } = this.database;
    const file = await requireFile(db, project, fileId);
    return { file: await fileRecordOf(db, file), instance_list: await instanceListOf(db, file) };
  }

  /**
   * Replaces a file's instance list (see instance-list-writer.ts); a 409 when the file was removed.
   * Completion never locks a file: a complete file takes instances like any other.
   */
  async putInstances(
    project: ProjectSummary,
    fileId: number,
    list: readonly WritableInstance[],
  ): Promise<InstanceListResponse> {
    return this.write(project, async (trx, time) => {
      const file = await requireFile(trx, project, fileId);
      if (file.state === 'removed') throw fileRemoved(file.id);
      const maps = await loadProjectIdMaps(trx, project.id);
      const changes = await writeInstanceList(
        trx,
        { dialect: this.database.dialect, file, maps, time },
        list,
      );
      if (changedAnything(changes))
        await markFilesChanged(trx, [file.id], await nextChangeSeq(trx, project.id), time);
      const after = await requireFile(trx, project, fileId);
      return {
        file: await fileRecordOf(trx, after),
        instance_list: await instanceListOf(trx, after),
        changes,
      };
    });
  }

  /**
   * Changes a file's completion, media URL, name or size; stamps it only when a value differs. A
   * 409 when the file was removed; width and height are for images and videos.
   */
  async updateFile(
    project: ProjectSummary,
    fileId: number,
    input: UpdateFileInput,
  ): Promise<FileRecord> {
    return this.write(project, async (trx, time) => {
      const file = await requireFile(trx, project, fileId);
      if (file.state === 'removed') throw fileRemoved(file.id);
      if (file.type === 'text') {
        const issues: FieldIssue[] = (['width', 'height'] as const)
          .filter((field) => input[field] !== undefined)
          .map((field) => ({
            field: `body.${field}`,
            message: `${field} is for image and video files; file ${file.id} is text`,
          }));
        if (issues.length > 0) throw unprocessable(issues);
      }
      const wanted: Updateable<FileTable> = {
        ...(input.ann_is_complete === undefined
          ? {}
          : { ann_is_complete: input.ann_is_complete ? 1 : 0 }),
        ...(input.media_url === undefined ? {} : { media_url: input.media_url }),
        ...(input.original_filename === undefined
          ? {}
          : { original_filename: input.original_filename }),
        ...(input.width === undefined ? {} : { width: input.width }),
        ...(input.height === undefined ? {} : { height: input.height }),
      };
      const differing = Object.fromEntries(
        Object.entries(wanted).filter(([column, value]) => file[column as keyof FileRow] !== value),
      ) as Updateable<FileTable>;
      if (Object.keys(differing).length === 0) return fileRecordOf(trx, file);
      const seq = await nextChangeSeq(trx, project.id);
      await updateFileRow(trx, file.id, {
        ...differing,
        change_seq: seq,
        last_modified_time: time,
      });
      return fileRecordOf(trx, await requireFile(trx, project, fileId));
    });
  }

  /** Removes a file (state `removed`: never exported again); removing it again changes nothing. */
  async removeFile(project: ProjectSummary, fileId: number): Promise<FileRecord> {
    return this.write(project, async (trx, time) => {
      const file = await requireFile(trx, project, fileId);
      if (file.state === 'removed') return fileRecordOf(trx, file);
      const seq = await nextChangeSeq(trx, project.id);
      await updateFileRow(trx, file.id, {
        state: 'removed',
        change_seq: seq,
        last_modified_time: time,
      });
      return fileRecordOf(trx, await requireFile(trx, project, fileId));
    });
  }

  /** The project's labels, by id. */
  async listLabels(project: ProjectSummary): Promise<LabelRecord[]> {
    return listLabels(this.database.db, project.id);
  }

  /** Makes a label (a colour picked when none is given); a 409 when the name is taken. */
  async createLabel(
    project: ProjectSummary,
    input: { name: string; colour_hex?: string | undefined },
  ): Promise<LabelRecord> {
    return this.write(project, async (trx) => {
      const existing = await findLabelByName(trx, project.id, input.name);
      if (existing !== undefined) throw nameTaken('label', 'body.name', input.name, existing.id);
      const count = (await listLabels(trx, project.id)).length;
      const colour = input.colour_hex ?? labelPalette[count % labelPalette.length] ?? '#e6194b';
      return insertLabel(trx, project.id, { name: input.name, colour_hex: colour.toLowerCase() });
    });
  }

  /**
   * Makes an active job with one `available` task per file (a directory's files that are not
   * removed, or the files listed). Rule: a new task on a complete file resets its completion. Every
   * file given a task is stamped changed (a job export selects by task).
   */
  async createJob(project: ProjectSummary, input: CreateJobInput): Promise<JobResponse> {
    return this.write(project, async (trx, time) => {
      const existing = await findJobByName(trx, project.id, input.name);
      if (existing !== undefined) throw nameTaken('job', 'body.name', input.name, existing.id);
      const labelIds = await this.jobLabels(trx, project, input.label_ids);
      const files = await this.jobFiles(trx, project, input);
      const jobId = await insertActiveJob(trx, project.id, { name: input.name, labelIds, time });
      let reset = 0;
      if (files.length > 0) {
        const fileIds = files.map((file) => file.id);
        const seq = await nextChangeSeq(trx, project.id);
        await insertAvailableTasks(trx, this.database.dialect, { jobId, fileIds, seq, time });
        reset = await resetCompletionForNewTasks(trx, fileIds);
        await markFilesChanged(trx, fileIds, seq, time);
      }
      return { job: await jobSummaryOf(trx, jobId), files_completion_reset: reset };
    });
  }

  /**
   * Moves a task to `status` and applies the completion rules to its file (task-completion.ts);
   * the file is stamped changed on every move (a job or task export selects by task status). Moving
   * a task to the status it has changes nothing.
   */
  async updateTask(
    project: ProjectSummary,
    taskId: number,
    status: TaskStatus,
  ): Promise<TaskDetail> {
    return this.write(project, async (trx, time) => {
      const task = await findProjectTask(trx, project.id, taskId);
      if (task === undefined)
        throw notFound(`Task ${taskId} in project "${project.project_string_id}"`, {
          project: project.project_string_id,
          task_id: taskId,
        });
      if (task.status !== status) {
        await setTaskStatus(trx, task.id, status);
        await settleCompletionAfterTaskMove(
          trx,
          { id: task.file_id, complete: task.file_complete === 1 },
          task.status,
          status,
        );
        await markFilesChanged(trx, [task.file_id], await nextChangeSeq(trx, project.id), time);
      }
      const detail = await findTaskDetail(trx, project.id, task.id);
      if (detail === undefined) throw new Error(`Task ${task.id} vanished inside its transaction`);
      return detail;
    });
  }

  /** Runs `work` in one transaction holding the project's write lock, with one time for its rows. */
  private async write<T>(
    project: ProjectSummary,
    work: (trx: Kysely<Database>, time: string) => Promise<T>,
  ): Promise<T> {
    return this.database.db.transaction().execute(async (trx) => {
      await lockProjectWrites(trx, project.id);
      return work(trx, new Date().toISOString());
    });
  }

  private async directoryForNewFile(
    trx: Kysely<Database>,
    project: ProjectSummary,
    input: CreateFileInput,
    time: string,
  ): Promise<number> {
    if (input.directory_id !== undefined) {
      const directory = await findDirectory(trx, project.id, input.directory_id);
      if (directory === undefined)
        throw unprocessable([
          {
            field: 'body.directory_id',
            message: `directory ${input.directory_id} is not a directory of this project; GET /api/v1/projects/${project.project_string_id} lists them`,
          },
        ]);
      return directory.id;
    }
    if (input.directory !== undefined) {
      const directory =
        (await findDirectoryByName(trx, project.id, input.directory)) ??
        (await insertDirectory(trx, project.id, input.directory, time));
      return directory.id;
    }
    const defaultId = await defaultDirectoryIdOf(trx, project.id);
    if (defaultId === null)
      throw new ApiError(
        'conflict',
        `Project "${project.project_string_id}" has no default directory to put the file in. Name one with directory (made when missing) or directory_id.`,
        { field: 'body.directory', project: project.project_string_id },
      );
    return defaultId;
  }

  private async jobLabels(
    trx: Kysely<Database>,
    project: ProjectSummary,
    labelIds: readonly number[] | undefined,
  ): Promise<number[]> {
    const projectLabels = (await listLabels(trx, project.id)).map((label) => label.id);
    if (labelIds === undefined) return projectLabels;
    const known = new Set(projectLabels);
    const issues = labelIds.flatMap((id, index) =>
      known.has(id)
        ? []
        : [
            {
              field: `body.label_ids.${index}`,
              message: `label ${id} is not a label of this project; GET …/labels lists them`,
            },
          ],
    );
    if (issues.length > 0) throw unprocessable(issues);
    return [...new Set(labelIds)];
  }

  private async jobFiles(
    trx: Kysely<Database>,
    project: ProjectSummary,
    input: CreateJobInput,
  ): Promise<JobFileRow[]> {
    if (input.directory_id !== undefined) {
      const directory = await findDirectory(trx, project.id, input.directory_id);
      if (directory === undefined)
        throw unprocessable([
          {
            field: 'body.directory_id',
            message: `directory ${input.directory_id} is not a directory of this project`,
          },
        ]);
      return directoryFilesInUse(trx, directory.id);
    }
    const fileIds = input.file_ids ?? [];
    const found = new Map(
      (await projectFilesAmong(trx, project.id, fileIds)).map((file) => [file.id, file]),
    );
    const firstIndex = new Map<number, number>();
    const issues: FieldIssue[] = [];
    fileIds.forEach((id, index) => {
      const field = `body.file_ids.${index}`;
      const file = found.get(id);
      const earlier = firstIndex.get(id);
      if (file === undefined)
        issues.push({ field, message: `file ${id} is not a file of this project` });
      else if (file.state === 'removed')
        issues.push({ field, message: `file ${id} was removed; a removed file gets no task` });
      else if (earlier !== undefined)
        issues.push({
          field,
          message: `file ${id} is already at file_ids[${earlier}]; a job has one task per file`,
        });
      else firstIndex.set(id, index);
    });
    if (issues.length > 0) throw unprocessable(issues);
    return fileIds.flatMap((id) => {
      const file = found.get(id);
      return file === undefined ? [] : [file];
    });
  }
}

/** The file with this id in the project, or a 404 naming it. */
async function requireFile(
  db: Kysely<Database>,
  project: ProjectSummary,
  fileId: number,
): Promise<FileRow> {
  const file = await findFileRow(db, project.id, fileId);
  if (file === undefined)
    throw notFound(`File ${fileId} in project "${project.project_string_id}"`, {
      project: project.project_string_id,
      file_id: fileId,
    });
  return file;
}

/** A file's instances that are not soft-deleted, in id order, in the export's shapes. */
async function instanceListOf(db: Kysely<Database>, file: FileRow) {
  const rows = await fileInstanceRows(db, file.id, false);
  const sequences = file.type === 'video' ? await fileSequenceRows(db, file.id) : [];
  return fileInstanceList(file, rows, sequences);
}
