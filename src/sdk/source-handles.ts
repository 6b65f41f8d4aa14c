import type { TaskStatus } from '../contract/annotations.ts';
import type { ExportFile } from '../contract/export-file.ts';
import type { ExportSource } from '../contract/exports.ts';
import { jobTaskListResponseSchema, listJobTasksQuerySchema } from '../contract/projects.ts';
import type { DirectorySummary, JobSummary, JobTask } from '../contract/projects.ts';
import { InvalidInputError } from './annex-errors.ts';
import type { AnnexHttpClient } from './annex-http-client.ts';
import { contractRecord } from './contract-record.ts';
import type { Export } from './export-handle.ts';
import { generateExport } from './export-generator.ts';
import type { GenerateExportOptions } from './export-generator.ts';
import { importFile } from './file-import.ts';
import type { ImportFileOptions } from './file-import.ts';
import type { Import } from './import-handle.ts';

/** `generateExport` options that return the `Export` at once, without waiting. */
export type NoWaitExportOptions = GenerateExportOptions & { waitForExportGeneration: false };
/** `generateExport` options that wait and return a download URL. */
export type UrlExportOptions = GenerateExportOptions & {
  waitForExportGeneration?: true;
  returnType: 'url';
};
/** `generateExport` options that wait and return the parsed file (the default). */
export type DataExportOptions = GenerateExportOptions & {
  waitForExportGeneration?: true;
  returnType?: 'data';
};

/** Options of `job.listTasks()`: which of the job's tasks. */
export interface TaskListOptions {
  /** Only tasks in this status. */
  status?: TaskStatus;
  /**
   * Only tasks whose file is marked complete (true) or is not (false). With `status: 'complete'`,
   * `false` finds the tasks a completed-only export selects nothing from.
   */
  fileComplete?: boolean;
  /** Page size, 1–100 (default 25); the iterator fetches the next page when the loop gets there. */
  limit?: number;
}

/** Options of one page of `job.listTasksPage()`. */
export interface TaskPageOptions extends TaskListOptions {
  /** The `nextCursor` of the previous page; omit for the first. */
  cursor?: string;
}

/** One page of a job's tasks, lowest id first. */
export interface TaskPage {
  /** This page's tasks, each with its status and its file. */
  tasks: JobTask[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** How many tasks match, over all pages. */
  total: number;
}

// The query names its fields as the API does (`file_complete`); a script wrote the SDK's names, so
// an issue is reported under the name the script used.
const optionNameOfQueryField: Record<string, string> = { file_complete: 'fileComplete' };

function taskListQuery(options: TaskPageOptions) {
  const query = listJobTasksQuerySchema.safeParse({
    cursor: options.cursor,
    limit: options.limit,
    status: options.status,
    // The schema reads a query string, where a boolean arrives as text; anything else is left as is
    // so that the schema refuses it under its field.
    file_complete:
      typeof options.fileComplete === 'boolean'
        ? String(options.fileComplete)
        : options.fileComplete,
  });
  if (query.success) return query.data;
  const issues = query.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return { field: optionNameOfQueryField[field] ?? (field || 'options'), message: issue.message };
  });
  throw new InvalidInputError(
    `Invalid task list options: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}.`,
    { code: 'validation_failed', issues },
  );
}

/** What a Job or Directory needs to ask for exports of itself. */
interface SourceContext {
  client: AnnexHttpClient;
  projectStringId: string;
}

function exportOf(
  context: SourceContext,
  source: ExportSource,
  id: number,
  options: GenerateExportOptions = {},
) {
  return generateExport(context.client, context.projectStringId, { source, id }, options);
}

/**
 * A job of the project (`project.job.getById(id)`), with its contract fields (`id`, `name`,
 * `status`, `task_counts`, `task_count`).
 */
export class Job extends contractRecord<JobSummary>() {
  readonly #context: SourceContext;

  /** Wraps a job the server listed; scripts get Jobs from `project.job`. */
  constructor(context: SourceContext, summary: JobSummary) {
    super(summary);
    this.#context = context;
  }

  /**
   * Exports the files of this job's tasks, as clicking Generate, then Download, then loading the file
   * would. By default it waits and returns the parsed file; `returnType: 'url'` returns a download
   * URL; `waitForExportGeneration: false` returns the `Export` at once.
   */
  generateExport(options: NoWaitExportOptions): Promise<Export>;
  generateExport(options: UrlExportOptions): Promise<string>;
  generateExport(options?: DataExportOptions): Promise<ExportFile>;
  generateExport(options?: GenerateExportOptions): Promise<ExportFile | string | Export>;
  generateExport(options?: GenerateExportOptions): Promise<ExportFile | string | Export> {
    return exportOf(this.#context, 'job', this.id, options);
  }

  /**
   * One page of this job's tasks, lowest id first, each with its status and its file. Throws
   * InvalidInputError naming each bad option, NotFoundError when the job is gone.
   */
  async listTasksPage(options: TaskPageOptions = {}): Promise<TaskPage> {
    const query = taskListQuery(options);
    const { client, projectStringId } = this.#context;
    const page = await client.sendJson(
      {
        method: 'GET',
        path: `/api/v1/projects/${encodeURIComponent(projectStringId)}/jobs/${this.id}/tasks`,
        query,
      },
      jobTaskListResponseSchema,
    );
    return { tasks: page.tasks, nextCursor: page.next_cursor, total: page.total };
  }

  /**
   * This job's tasks, lowest id first, page after page as the loop asks for them
   * (`for await (const task of job.listTasks({ status: 'complete' }))`); stopping the loop early
   * fetches no further page.
   */
  async *listTasks(options: TaskListOptions = {}): AsyncGenerator<JobTask, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.listTasksPage({ ...options, cursor });
      yield* page.tasks;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
}

/**
 * A directory of the project (`project.directory.getByName(name)`), with its contract fields (`id`,
 * `nickname`, `file_count`, `completed_file_count`).
 */
export class Directory extends contractRecord<DirectorySummary>() {
  readonly #context: SourceContext;

  /** Wraps a directory the server listed; scripts get Directories from `project.directory`. */
  constructor(context: SourceContext, summary: DirectorySummary) {
    super(summary);
    this.#context = context;
  }

  /**
   * Exports this directory's top-level files. By default it waits and returns the parsed file;
   * `returnType: 'url'` returns a download URL; `waitForExportGeneration: false` returns the
   * `Export` at once.
   */
  generateExport(options: NoWaitExportOptions): Promise<Export>;
  generateExport(options: UrlExportOptions): Promise<string>;
  generateExport(options?: DataExportOptions): Promise<ExportFile>;
  generateExport(options?: GenerateExportOptions): Promise<ExportFile | string | Export>;
  generateExport(options?: GenerateExportOptions): Promise<ExportFile | string | Export> {
    return exportOf(this.#context, 'directory', this.id, options);
  }

  /**
   * Imports a Diffgram JSON file into this directory: new files are added to it, files of an earlier
   * import of the same file are updated in place. Streams the file from disk; by default waits and
   * returns the complete `Import`. Same options and errors as `project.directory.importFile()`.
   */
  importFile(filePath: string, options: ImportFileOptions = {}): Promise<Import> {
    const { client, projectStringId } = this.#context;
    return importFile(client, projectStringId, this.nickname, filePath, options);
  }
}
