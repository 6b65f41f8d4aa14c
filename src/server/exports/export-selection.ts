import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { exportSources, taskRefName } from '../../contract/exports.ts';
import type { ExportSourceRef, PreflightResponse } from '../../contract/exports.ts';
import type { DatabaseReader } from '../db/database.ts';
import type { Database, FileRow } from '../db/schema.ts';
import { findTaskDetail } from '../projects/project-queries.ts';
import type { ExportSettings } from './export-settings.ts';

// Which files and instances an export holds, as the format page's "Which files and instances go
// in" says. One predicate (`selectedFileFilter`) serves the preflight counts and the writer's pages:
// the writer reads both in one snapshot, so its check values are its packets' counts, and the count
// shown before Generate differs from the file only if the data changed in between.
//
// - directory: its top-level files (directory_file), never `removed` ones. Video frames are not
//   files in annex's model (a frame is an instance's `frame_number`), so none can be selected.
// - job: the files of its tasks that are not archived, each once (EXISTS, not a join).
//   Completed-only keeps files with a task whose *status* is complete: a file's own
//   `ann_is_complete` is reset by a new task elsewhere and says nothing about this job.
// - task: that task's file. Completed-only keeps it when the *file* is marked complete.
// - Removed files are never exported, whatever the source.

/** Settings that cannot select anything as given: a missing or bad id, an unknown source. */
export class ExportSettingsError extends Error {
  override name = 'ExportSettingsError';
}

/** The directory, job or task an export names does not exist in its project. */
export class ExportSourceNotFoundError extends Error {
  override name = 'ExportSourceNotFoundError';
}

/** The project and source of an export, as `export_info` and the file name show them. */
export interface ExportSourceInfo {
  /** The project. */
  project: { id: number; name: string; project_string_id: string };
  /** The directory read, for a directory export. */
  directory: ExportSourceRef | null;
  /** The job read, for a job export, and the task's job for a task export. */
  job: ExportSourceRef | null;
  /** The task read, for a task export; its name is "<job name> / <file name>". */
  task: ExportSourceRef | null;
  /** What the file name carries for the source: the directory nickname, the job name or the task id. */
  fileNameSourceName: string;
}

/** Settings checked against the database: what the writer and the counts work from. */
export interface ResolvedExportSelection {
  /** The settings as given. */
  settings: ExportSettings;
  /** The project and source, named. */
  source: ExportSourceInfo;
  /** The source's own id (the directory, job or task id). */
  sourceId: number;
  /** For a task export, the task's file. */
  taskFileId: number | null;
}

/**
 * Checks the settings, finds the project and the source in it, and returns them named.
 * Throws `ExportSettingsError` for settings that name no source, `ExportSourceNotFoundError`
 * when the project or the source is not there (or belongs to another project).
 */
export async function resolveExportSelection(
  database: DatabaseReader,
  settings: ExportSettings,
): Promise<ResolvedExportSelection> {
  const sourceId = checkSettings(settings);
  const { db } = database;
  const project = await db
    .selectFrom('project')
    .select(['id', 'name', 'project_string_id'])
    .where('id', '=', settings.projectId)
    .executeTakeFirst();
  if (project === undefined)
    throw new ExportSourceNotFoundError(`Project ${settings.projectId} does not exist.`);
  const inProject = `in project "${project.project_string_id}"`;
  // The source, named; the same shape whichever kind it is.
  const named = (
    refs: Pick<ExportSourceInfo, 'directory' | 'job' | 'task'>,
    fileNameSourceName: string,
    taskFileId: number | null = null,
  ): ResolvedExportSelection => ({
    settings,
    sourceId,
    taskFileId,
    source: { project, ...refs, fileNameSourceName },
  });

  switch (settings.source) {
    case 'directory': {
      const directory = await db
        .selectFrom('directory')
        .select(['id', 'nickname as name'])
        .where('id', '=', sourceId)
        .where('project_id', '=', project.id)
        .executeTakeFirst();
      if (directory === undefined)
        throw new ExportSourceNotFoundError(`Directory ${sourceId} is not ${inProject}.`);
      return named({ directory, job: null, task: null }, directory.name);
    }
    case 'job': {
      const job = await db
        .selectFrom('job')
        .select(['id', 'name'])
        .where('id', '=', sourceId)
        .where('project_id', '=', project.id)
        .executeTakeFirst();
      if (job === undefined)
        throw new ExportSourceNotFoundError(`Job ${sourceId} is not ${inProject}.`);
      return named({ directory: null, job, task: null }, job.name);
    }
    case 'task': {
      const task = await findTaskDetail(db, project.id, sourceId);
      if (task === undefined)
        throw new ExportSourceNotFoundError(`Task ${sourceId} is not ${inProject}.`);
      const name = taskRefName(task.job.name, task.file.original_filename);
      return named(
        { directory: null, job: task.job, task: { id: task.id, name } },
        String(task.id),
        task.file.id,
      );
    }
  }
}

function checkSettings(settings: ExportSettings): number {
  if (!Number.isSafeInteger(settings.projectId) || settings.projectId <= 0) {
    throw new ExportSettingsError(
      `projectId must be a positive integer, got ${String(settings.projectId)}.`,
    );
  }
  if (!(exportSources as readonly string[]).includes(settings.source)) {
    throw new ExportSettingsError(
      `source must be one of ${exportSources.join(', ')}, got "${settings.source}".`,
    );
  }
  if (!Number.isSafeInteger(settings.sourceId) || settings.sourceId <= 0) {
    throw new ExportSettingsError(
      `A ${settings.source} export needs a positive ${settings.source} id, got ${String(settings.sourceId)}.`,
    );
  }
  return settings.sourceId;
}

/**
 * The WHERE clause choosing an export's files from `file`: the source, never removed files, and
 * with `completedOnly` the completion rule of the source.
 */
function selectedFileFilter(selection: ResolvedExportSelection, completedOnly: boolean) {
  const { settings, sourceId } = selection;
  return (eb: ExpressionBuilder<Database, 'file'>): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [
      eb('file.project_id', '=', settings.projectId),
      eb('file.state', '!=', 'removed'),
    ];
    switch (settings.source) {
      case 'directory':
        conditions.push(
          eb.exists(
            eb
              .selectFrom('directory_file')
              .select('directory_file.file_id')
              .whereRef('directory_file.file_id', '=', 'file.id')
              .where('directory_file.directory_id', '=', sourceId),
          ),
        );
        if (completedOnly) conditions.push(eb('file.ann_is_complete', '=', 1));
        break;
      case 'job': {
        let tasks = eb
          .selectFrom('task')
          .select('task.id')
          .whereRef('task.file_id', '=', 'file.id')
          .where('task.job_id', '=', sourceId)
          .where('task.status', '!=', 'archived');
        if (completedOnly) tasks = tasks.where('task.status', '=', 'complete');
        conditions.push(eb.exists(tasks));
        break;
      }
      case 'task':
        conditions.push(eb('file.id', '=', selection.taskFileId ?? 0));
        if (completedOnly) conditions.push(eb('file.ann_is_complete', '=', 1));
        break;
    }
    return eb.and(conditions);
  };
}

/** How many files the selection holds, with its completion filter. */
export async function countSelectedFiles(
  database: DatabaseReader,
  selection: ResolvedExportSelection,
): Promise<number> {
  return countFiles(database, selection, selection.settings.annIsComplete);
}

async function countFiles(
  database: DatabaseReader,
  selection: ResolvedExportSelection,
  completedOnly: boolean,
): Promise<number> {
  const row = await database.db
    .selectFrom('file')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where(selectedFileFilter(selection, completedOnly))
    .executeTakeFirstOrThrow();
  return row.count;
}

/** How many instances the selection's files hold (soft-deleted ones only when the settings include them). */
export async function countSelectedInstances(
  database: DatabaseReader,
  selection: ResolvedExportSelection,
): Promise<number> {
  const { db } = database;
  let query = db
    .selectFrom('instance')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where(
      'instance.file_id',
      'in',
      db
        .selectFrom('file')
        .select('file.id')
        .where(selectedFileFilter(selection, selection.settings.annIsComplete)),
    );
  if (!selection.settings.includeRemoved) query = query.where('instance.soft_deleted', '=', 0);
  const row = await query.executeTakeFirstOrThrow();
  return row.count;
}

/**
 * One page of the selection's files in id order, after `afterFileId` (keyset pagination: each page
 * costs the same however deep into the export it is).
 */
export async function listSelectedFilesPage(
  database: DatabaseReader,
  selection: ResolvedExportSelection,
  afterFileId: number,
  limit: number,
): Promise<FileRow[]> {
  if (!Number.isSafeInteger(limit) || limit <= 0)
    throw new Error(`Page size must be a positive integer, got ${limit}.`);
  return database.db
    .selectFrom('file')
    .selectAll('file')
    .where(selectedFileFilter(selection, selection.settings.annIsComplete))
    .where('file.id', '>', afterFileId)
    .orderBy('file.id')
    .limit(limit)
    .execute();
}

/**
 * What an export with these settings would hold right now, with a few COUNT queries: the files,
 * their instances, the source's files before the completion filter, and, when nothing would be
 * selected, why and what to change. Throws like `resolveExportSelection` for bad settings.
 */
export async function previewSelection(
  database: DatabaseReader,
  settings: ExportSettings,
): Promise<PreflightResponse> {
  const selection = await resolveExportSelection(database, settings);
  return previewResolvedSelection(database, selection);
}

/** `previewSelection` for settings already resolved (the writer resolves once and reuses it). */
export async function previewResolvedSelection(
  database: DatabaseReader,
  selection: ResolvedExportSelection,
): Promise<PreflightResponse> {
  const fileCount = await countSelectedFiles(database, selection);
  const sourceFileCount = selection.settings.annIsComplete
    ? await countFiles(database, selection, false)
    : fileCount;
  const instanceCount = fileCount === 0 ? 0 : await countSelectedInstances(database, selection);
  const emptyReason =
    fileCount === 0 ? await explainEmpty(database, selection, sourceFileCount) : null;
  return {
    file_count: fileCount,
    instance_count: instanceCount,
    source_file_count: sourceFileCount,
    empty_reason: emptyReason,
  };
}

function files(count: number): string {
  return count === 1 ? '1 file' : `${count} files`;
}

/** Why a selection holds no file, and what to change; called only when it holds none. */
async function explainEmpty(
  database: DatabaseReader,
  selection: ResolvedExportSelection,
  sourceFileCount: number,
): Promise<string> {
  const { db } = database;
  const { settings, source, sourceId } = selection;
  if (sourceFileCount > 0) {
    // Only the completion filter can have emptied it.
    const one = sourceFileCount === 1;
    const what =
      settings.source === 'job'
        ? ` in job "${source.job?.name ?? sourceId}", ${one ? 'not' : 'none'} in a task marked complete`
        : `, ${one ? 'not' : 'none'} marked complete`;
    return `No file matches: ${files(sourceFileCount)}${what}. Choose All to export ${one ? 'it' : 'them'}.`;
  }
  switch (settings.source) {
    case 'directory': {
      const removed = await db
        .selectFrom('directory_file')
        .innerJoin('file', 'file.id', 'directory_file.file_id')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('directory_file.directory_id', '=', sourceId)
        .where('file.state', '=', 'removed')
        .executeTakeFirstOrThrow();
      const name = source.directory?.name ?? String(sourceId);
      return removed.count > 0
        ? `No file matches: directory "${name}" holds only removed files (${files(removed.count)}), and removed files are never exported. Choose another directory.`
        : `No file matches: directory "${name}" holds no files. Add files to it or choose another directory.`;
    }
    case 'job': {
      const tasks = await db
        .selectFrom('task')
        .select((eb) => [
          eb.fn.countAll<number>().as('total'),
          eb.fn
            .count<number>(eb.case().when('task.status', '=', 'archived').then(1).end())
            .as('archived'),
        ])
        .where('task.job_id', '=', sourceId)
        .executeTakeFirstOrThrow();
      const name = source.job?.name ?? String(sourceId);
      const total = tasks.total;
      const archived = tasks.archived;
      if (total === 0)
        return `No file matches: job "${name}" has no tasks. Add tasks to it or choose another job.`;
      if (archived === total) {
        return `No file matches: every task of job "${name}" is archived (${total}), and archived tasks are never exported. Choose another job.`;
      }
      const open = total - archived;
      const archivedNote =
        archived > 0
          ? ` (its ${archived} archived ${archived === 1 ? 'task is' : 'tasks are'} never exported)`
          : '';
      return `No file matches: the ${open === 1 ? 'file of the one task' : `files of the ${open} tasks`} of job "${name}" that ${open === 1 ? 'is' : 'are'} not archived ${open === 1 ? 'was' : 'were'} removed from the project${archivedNote}. Choose another job.`;
    }
    case 'task':
      return `No file matches: the file of task ${sourceId} was removed from the project. Choose another task.`;
  }
}
