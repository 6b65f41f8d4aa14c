import {
  exportListResponseSchema,
  exportSchema,
  listExportsQuerySchema,
} from '../contract/exports.ts';
import type { ExportSource } from '../contract/exports.ts';
import {
  importListResponseSchema,
  importResponseSchema,
  listImportsQuerySchema,
} from '../contract/imports.ts';
import { jobListResponseSchema, projectDetailResponseSchema } from '../contract/projects.ts';
import type { ProjectDetailResponse } from '../contract/projects.ts';
import type { ExportDiff } from '../contract/export-diff.ts';
import { exportStorageResponseSchema } from '../contract/export-storage.ts';
import type { ExportStorageResponse } from '../contract/export-storage.ts';
import { InvalidInputError, NotFoundError } from './annex-errors.ts';
import { fetchExportDiff } from './export-diff.ts';
import { AnnexHttpClient, defaultAnnexHost } from './annex-http-client.ts';
import { resolveCredentials } from './api-credentials.ts';
import { Export } from './export-handle.ts';
import { importFile } from './file-import.ts';
import type { ProjectImportFileOptions } from './file-import.ts';
import { Import } from './import-handle.ts';
import { Directory, Job } from './source-handles.ts';

/** What a Project is built from. */
export interface ProjectOptions {
  /** The project's `project_string_id` (`demo` in the demo project). */
  projectStringId: string;
  /** Where annex listens; default http://127.0.0.1:8080. */
  host?: string;
  /**
   * The `client_id` of an API key (made under "API keys" in the panel). Give it with `clientSecret`,
   * or neither: then ANNEX_CLIENT_ID and ANNEX_CLIENT_SECRET are read from the environment.
   */
  clientId?: string;
  /** The API key's `client_secret`, shown once when the key was made; with `clientId`, or neither. */
  clientSecret?: string;
}

/** Options of one page of `project.export.listPage()`. */
export interface ExportPageOptions {
  /** The `nextCursor` of the previous page; omit for the first. */
  cursor?: string;
  /** Page size, 1–100 (default 25). */
  limit?: number;
  /** Only exports of this source kind. */
  source?: ExportSource;
}

/** Options of `project.export.list()` and `listAll()`. */
export type ExportListOptions = Omit<ExportPageOptions, 'cursor'>;

/** Options of one page of `project.import.listPage()`. */
export interface ImportPageOptions {
  /** The `nextCursor` of the previous page; omit for the first. */
  cursor?: string;
  /** Page size, 1–100 (default 25). */
  limit?: number;
}

/** One page of imports, newest first. */
export interface ImportPage {
  /** This page's imports. */
  imports: Import[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** One page of exports, newest first. */
export interface ExportPage {
  /** This page's exports. */
  exports: Export[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** How many exports match, over all pages. */
  total: number;
}

interface ProjectContext {
  client: AnnexHttpClient;
  projectStringId: string;
  path: string;
}

function checkId(id: unknown, what: string): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidInputError(
      `${what} id must be a positive integer; got ${typeof id === 'string' ? JSON.stringify(id) : String(id)}.`,
      {
        code: 'bad_request',
        issues: [{ field: 'id', message: 'must be a positive integer' }],
      },
    );
  }
  return id;
}

function listNames(names: string[]): string {
  if (names.length === 0) return 'it has none';
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

/** `project.job`: the project's jobs. */
export class ProjectJobs {
  readonly #context: ProjectContext;

  /** Built by Project. */
  constructor(context: ProjectContext) {
    this.#context = context;
  }

  /** Every job of the project, by name. */
  async list(): Promise<Job[]> {
    const { client, path } = this.#context;
    const { jobs } = await client.sendJson(
      { method: 'GET', path: `${path}/jobs` },
      jobListResponseSchema,
    );
    return jobs.map((job) => new Job(this.#context, job));
  }

  /**
   * The job with this id (the `job/:id` of the web UI's URL). Throws NotFoundError naming the
   * project's jobs when there is none.
   */
  async getById(id: number): Promise<Job> {
    checkId(id, 'A job');
    const jobs = await this.list();
    const job = jobs.find((candidate) => candidate.id === id);
    if (job === undefined) {
      throw new NotFoundError(
        `No job ${id} in project "${this.#context.projectStringId}"; its jobs are: ${listNames(jobs.map((j) => `${j.id} (${j.name})`))}.`,
        { code: 'not_found' },
      );
    }
    return job;
  }
}

/** `project.directory`: the project's directories. */
export class ProjectDirectories {
  readonly #context: ProjectContext;
  readonly #project: Project;

  /** Built by Project. */
  constructor(context: ProjectContext, project: Project) {
    this.#context = context;
    this.#project = project;
  }

  /** Every directory of the project, by nickname. */
  async list(): Promise<Directory[]> {
    const { directories } = await this.#project.details();
    return directories.map((directory) => new Directory(this.#context, directory));
  }

  /** The directory with this nickname; throws NotFoundError naming the project's directories when there is none. */
  async getByName(name: string): Promise<Directory> {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidInputError('A directory name must be a non-empty string.', {
        code: 'bad_request',
        issues: [{ field: 'name', message: 'must be a non-empty string' }],
      });
    }
    const directories = await this.list();
    const directory = directories.find((candidate) => candidate.nickname === name);
    if (directory === undefined) {
      throw new NotFoundError(
        `No directory "${name}" in project "${this.#context.projectStringId}"; its directories are: ${listNames(directories.map((d) => d.nickname))}.`,
        { code: 'not_found' },
      );
    }
    return directory;
  }

  /** The directory with this id; throws NotFoundError when there is none. */
  async getById(id: number): Promise<Directory> {
    checkId(id, 'A directory');
    const directories = await this.list();
    const directory = directories.find((candidate) => candidate.id === id);
    if (directory === undefined) {
      throw new NotFoundError(
        `No directory ${id} in project "${this.#context.projectStringId}"; its directories are: ${listNames(directories.map((d) => `${d.id} (${d.nickname})`))}.`,
        { code: 'not_found' },
      );
    }
    return directory;
  }

  /**
   * Imports a Diffgram JSON file (what annex or Diffgram exported) into the directory named
   * `options.directory`, made when missing, or by default into the project's default directory (as
   * Diffgram's `project.directory` is the default one). The file is streamed from disk, never held
   * in memory. By default it waits and returns the complete `Import` (counts, `problems`); see
   * ImportFileOptions for `onError`, `wait`, `onProgress` and the errors it throws.
   */
  async importFile(filePath: string, options: ProjectImportFileOptions = {}): Promise<Import> {
    const { directory, ...rest } = options;
    const name = directory ?? (await this.default()).nickname;
    const { client, projectStringId } = this.#context;
    return importFile(client, projectStringId, name, filePath, rest);
  }

  /** The project's default directory (the one the panel opens on); throws NotFoundError when it has none. */
  async default(): Promise<Directory> {
    const { default_directory: directory } = await this.#project.details();
    if (directory === null) {
      throw new NotFoundError(
        `Project "${this.#context.projectStringId}" has no default directory.`,
        { code: 'not_found' },
      );
    }
    return new Directory(this.#context, directory);
  }
}

/** `project.export`: the project's exports. */
export class ProjectExports {
  readonly #context: ProjectContext;

  /** Built by Project. */
  constructor(context: ProjectContext) {
    this.#context = context;
  }

  /** The export with this id, with its current status; throws NotFoundError when there is none. */
  async getById(id: number): Promise<Export> {
    checkId(id, 'An export');
    const { client, path } = this.#context;
    const record = await client.sendJson(
      { method: 'GET', path: `${path}/exports/${id}` },
      exportSchema,
    );
    return new Export(client, record);
  }

  /**
   * What export `to` holds that export `from` (the older) does not, and the reverse: files added,
   * removed, changed and with completion changed, instances per label (see `fetchExportDiff`).
   */
  async diff(from: number, to: number): Promise<ExportDiff> {
    const { client, path } = this.#context;
    return fetchExportDiff(client, path, from, to);
  }

  /**
   * How much storage the project's exports take: the bytes and count of those with a file (archived
   * ones have none), and the server's retention settings (`retention_days`, `keep_per_source`; null
   * when off). `retentionPolicyText(storage.retention)` (contract) says the policy in words.
   */
  async storage(): Promise<ExportStorageResponse> {
    const { client, path } = this.#context;
    return client.sendJson(
      { method: 'GET', path: `${path}/exports/storage` },
      exportStorageResponseSchema,
    );
  }

  /** One page of exports, newest first. */
  async listPage(options: ExportPageOptions = {}): Promise<ExportPage> {
    const query = listExportsQuerySchema.safeParse(options);
    if (!query.success) {
      const issues = query.error.issues.map((issue) => ({
        field: issue.path.join('.') || 'options',
        message: issue.message,
      }));
      throw new InvalidInputError(
        `Invalid list options: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}.`,
        {
          code: 'validation_failed',
          issues,
        },
      );
    }
    const { client, path } = this.#context;
    const page = await client.sendJson(
      { method: 'GET', path: `${path}/exports`, query: query.data },
      exportListResponseSchema,
    );
    return {
      exports: page.exports.map((record) => new Export(client, record)),
      nextCursor: page.next_cursor,
      total: page.total,
    };
  }

  /** Every export, newest first, page after page as the loop asks for them (`for await … of`). */
  async *list(options: ExportListOptions = {}): AsyncGenerator<Export, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.listPage({ ...options, cursor });
      yield* page.exports;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Every export, newest first, as one array (`(await project.export.listAll())[0]` is the newest). */
  async listAll(options: ExportListOptions = {}): Promise<Export[]> {
    const all: Export[] = [];
    for await (const item of this.list(options)) all.push(item);
    return all;
  }
}

/** `project.import`: the project's imports of Diffgram JSON files (start one with `project.directory.importFile()`). */
export class ProjectImports {
  readonly #context: ProjectContext;

  /** Built by Project. */
  constructor(context: ProjectContext) {
    this.#context = context;
  }

  /** The import with this id, with its current status and counts; throws NotFoundError when there is none. */
  async getById(id: number): Promise<Import> {
    checkId(id, 'An import');
    const { client, path } = this.#context;
    const { import: record } = await client.sendJson(
      { method: 'GET', path: `${path}/imports/${id}` },
      importResponseSchema,
    );
    return new Import(client, record);
  }

  /** One page of imports, newest first. */
  async listPage(options: ImportPageOptions = {}): Promise<ImportPage> {
    const query = listImportsQuerySchema.safeParse(options);
    if (!query.success) {
      const issues = query.error.issues.map((issue) => ({
        field: issue.path.join('.') || 'options',
        message: issue.message,
      }));
      throw new InvalidInputError(
        `Invalid list options: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}.`,
        { code: 'validation_failed', issues },
      );
    }
    const { client, path } = this.#context;
    const page = await client.sendJson(
      { method: 'GET', path: `${path}/imports`, query: query.data },
      importListResponseSchema,
    );
    return {
      imports: page.imports.map((record) => new Import(client, record)),
      nextCursor: page.next_cursor,
    };
  }

  /** Every import, newest first, page after page as the loop asks for them (`for await … of`). */
  async *list(
    options: Omit<ImportPageOptions, 'cursor'> = {},
  ): AsyncGenerator<Import, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.listPage({ ...options, cursor });
      yield* page.imports;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
}

/**
 * A project of an annex server: the SDK's entry point, shaped like Diffgram's
 * (`project.job.getById(id)`, `project.directory.default()`, `project.export.list()`,
 * `project.directory.importFile(path, { directory: 'Street' })`).
 */
export class Project {
  /** The project's `project_string_id`. */
  readonly projectStringId: string;
  /** The host it talks to, without a trailing slash. */
  readonly host: string;
  /** The client_id of the API key it sends, or undefined when it sends none. */
  readonly clientId: string | undefined;
  /** The project's jobs. */
  readonly job: ProjectJobs;
  /** The project's directories. */
  readonly directory: ProjectDirectories;
  /** The project's exports. */
  readonly export: ProjectExports;
  /** The project's imports (`project.import.getById(id)`); `project.directory.importFile()` starts one. */
  readonly import: ProjectImports;
  readonly #context: ProjectContext;

  /**
   * Connects nothing yet: the first call talks to the server. The API key is `clientId`/`clientSecret`
   * when given, else ANNEX_CLIENT_ID/ANNEX_CLIENT_SECRET; without one every call is refused with an
   * AuthenticationError. Throws InvalidInputError for a bad id or host, or half a key.
   */
  constructor(options: ProjectOptions) {
    const { projectStringId } = options;
    if (typeof projectStringId !== 'string' || projectStringId.trim() === '') {
      throw new InvalidInputError(
        'projectStringId must be the project\'s project_string_id, such as "demo".',
        {
          code: 'bad_request',
          issues: [{ field: 'projectStringId', message: 'must be a non-empty string' }],
        },
      );
    }
    const client = new AnnexHttpClient(
      options.host ?? defaultAnnexHost,
      resolveCredentials(options),
    );
    this.projectStringId = projectStringId;
    this.host = client.host;
    this.clientId = client.clientId;
    this.#context = {
      client,
      projectStringId,
      path: `/api/v1/projects/${encodeURIComponent(projectStringId)}`,
    };
    this.job = new ProjectJobs(this.#context);
    this.directory = new ProjectDirectories(this.#context, this);
    this.export = new ProjectExports(this.#context);
    this.import = new ProjectImports(this.#context);
  }

  /** The project, its directories with their counts, and its default directory; NotFoundError for an unknown project. */
  async details(): Promise<ProjectDetailResponse> {
    const { client, path } = this.#context;
    return client.sendJson({ method: 'GET', path }, projectDetailResponseSchema);
  }
}
