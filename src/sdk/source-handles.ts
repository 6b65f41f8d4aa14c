import type { ExportFile } from '../contract/export-file.ts';
import type { ExportSource } from '../contract/exports.ts';
import type { DirectorySummary, JobSummary } from '../contract/projects.ts';
import type { AnnexHttpClient } from './annex-http-client.ts';
import { contractRecord } from './contract-record.ts';
import type { Export } from './export-handle.ts';
import { generateExport } from './export-generator.ts';
import type { GenerateExportOptions } from './export-generator.ts';

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
}
