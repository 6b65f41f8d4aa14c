import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type {
  createImportQuerySchema,
  Import,
  ImportListResponse,
  listImportsQuerySchema,
} from '../../contract/imports.ts';
import type { ProjectSummary } from '../../contract/projects.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ImportJobRow } from '../db/schema.ts';
import { notFound } from '../http/api-error.ts';
import type { ImportUploadStorage } from '../storage/import-uploads.ts';
import type { ImportEvents } from './import-events.ts';
import { ImportRepository } from './import-repository.ts';
import { ImportState } from './import-state.ts';
import { receiveUpload, uploadTooLarge } from './import-upload.ts';
import type { UploadCheckFactory } from './import-upload.ts';

// The rules of imports behind every front door (the REST routes today). Methods take plain values
// (a project, a requester, the body's stream), never a request, and throw `ApiError`s whose codes
// are the contract's. Status moves go through `ImportState`; reads through the repository.

/** A validated create query (the contract's defaults applied). */
export type CreateImportInput = z.output<typeof createImportQuerySchema>;
/** A validated list query. */
export type ListImportsInput = z.output<typeof listImportsQuerySchema>;

/** The project an import belongs to, as the service needs it. */
export type ImportProject = Pick<ProjectSummary, 'id' | 'project_string_id'>;

/** Who uploads an import. */
export interface ImportRequester {
  userId: number;
  email: string;
}

/** The body of an upload: its stream and the length the request declared, when it did. */
export interface UploadBody {
  /** The file's bytes as they arrive. */
  stream: Readable;
  /** The `content-length` header, when sent (a chunked upload has none). */
  declaredBytes: number | undefined;
}

/** What the import service is built from. */
export interface ImportServiceOptions {
  /** The database imports live in. */
  database: AnnexDatabase;
  /** Where uploads are kept until their import is final. */
  uploads: ImportUploadStorage;
  /** Wakes a worker in this process. */
  events: ImportEvents;
  /** IMPORT_MAX_BYTES. */
  maxBytes: number;
  /** The check every upload is fed through; none: the pipeline's validation alone judges the file. */
  createCheck?: UploadCheckFactory | undefined;
}

/** Receives, queues, lists and reads a project's imports. */
export class ImportService {
  private readonly uploads: ImportUploadStorage;
  private readonly maxBytes: number;
  private readonly createCheck: UploadCheckFactory | undefined;
  private readonly repository: ImportRepository;
  private readonly state: ImportState;

  constructor(options: ImportServiceOptions) {
    this.uploads = options.uploads;
    this.maxBytes = options.maxBytes;
    this.createCheck = options.createCheck;
    this.repository = new ImportRepository(options.database);
    this.state = new ImportState(options.database, options.events);
  }

  /**
   * Stores the uploaded file and queues its import for `requester` (the route checked they may),
   * waking a worker. Refused before reading when the declared length is over the limit (413); while
   * reading, when the check refuses the file (400 `invalid_import_file`) or it passes the limit (413).
   * A refused or interrupted upload leaves no file and no row.
   */
  async create(
    project: ImportProject,
    input: CreateImportInput,
    requester: ImportRequester,
    body: UploadBody,
  ): Promise<Import> {
    if (body.declaredBytes !== undefined && body.declaredBytes > this.maxBytes)
      throw uploadTooLarge(this.maxBytes);
    const stored = await receiveUpload(body.stream, {
      storage: this.uploads,
      maxBytes: this.maxBytes,
      check: this.createCheck?.(),
    });
    let row: ImportJobRow;
    try {
      row = await this.state.queue({
        project_id: project.id,
        directory_name: input.directory,
        on_error: input.on_error,
        upload_key: stored.key,
        original_filename: input.filename ?? null,
        size_bytes: stored.sizeBytes,
        created_by: requester.email,
        created_by_user_id: requester.userId,
        created_time: new Date().toISOString(),
      });
    } catch (error) {
      // No row names the file: it would only wait for the sweep.
      await this.uploads.remove(stored.key);
      throw error;
    }
    return this.repository.toContractOne(row);
  }

  /** One import of the project; a 404 naming it otherwise. */
  async get(project: ImportProject, importId: number): Promise<Import> {
    const row = await this.repository.get(project.id, importId);
    if (row === undefined)
      throw notFound(`Import ${importId} in project "${project.project_string_id}"`, {
        field: 'params.id',
        id: importId,
      });
    return this.repository.toContractOne(row);
  }

  /** A page of the project's imports, newest first, with the next cursor. */
  async list(project: ImportProject, input: ListImportsInput): Promise<ImportListResponse> {
    const page = await this.repository.list(project.id, {
      limit: input.limit,
      ...(input.cursor === undefined ? {} : { cursor: Number(input.cursor) }),
    });
    return {
      imports: await this.repository.toContract(page.rows),
      next_cursor: page.nextCursor === null ? null : String(page.nextCursor),
    };
  }
}
