import type { z } from 'zod';
import { isFinalStatus } from '../../contract/exports.ts';
import type {
  createExportRequestSchema,
  listExportsQuerySchema,
  preflightQuerySchema,
  Export,
  ExportLink,
  ExportListResponse,
  PreflightResponse,
} from '../../contract/exports.ts';
import type { ProjectSummary } from '../../contract/projects.ts';
import type { ProjectRole } from '../../contract/roles.ts';
import { roleTooLow } from '../auth/project-access.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import type { LinkSigner } from './download-links.ts';
import { archiveExport } from './export-archive.ts';
import { exportCancelledConflict } from './export-cancel-retry.ts';
import type { ExportEvents } from './export-events.ts';
import { ExportRepository } from './export-repository.ts';
import {
  ExportSourceNotFoundError,
  previewSelection,
  resolveExportSelection,
} from './export-selection.ts';
import { exportSettingsFrom, sourceColumnsOf } from './export-settings.ts';
import type { ExportSettings } from './export-settings.ts';
import { ExportState } from './export-state.ts';
import { missingExportFileMessage } from './export-stored-file.ts';

// The rules of exports, behind every front door: the REST routes today, a Diffgram-compatible API
// and the CLI's server calls later. Methods take plain values (a project, an email, a base URL, an
// AbortSignal), never a request, and throw `ApiError`s whose codes are the contract's, so each door
// answers the same envelope. Status moves go through `ExportState`; reads through the repository.

/** A validated create request (the contract's defaults applied). */
export type CreateExportInput = z.output<typeof createExportRequestSchema>;
/** A validated preflight query. */
export type PreflightInput = z.output<typeof preflightQuerySchema>;
/** A validated list query. */
export type ListExportsInput = z.output<typeof listExportsQuerySchema>;

/** The project an export belongs to, as the service needs it. */
export type ExportProject = Pick<ProjectSummary, 'id' | 'project_string_id'>;

/** Who asks for or archives an export, and what they may do in its project. */
export interface ExportRequester {
  userId: number;
  email: string;
  role: ProjectRole;
}

/** Where waiting for an export ended: still not final (time ran out, or the caller stopped), or complete. */
export type WaitResult =
  { outcome: 'pending'; export: Export } | { outcome: 'complete'; export: Export; row: ExportRow };

/** How long a wait may last. */
export interface WaitOptions {
  /** Instead of WAIT_TIMEOUT_SECONDS; Infinity waits until the export is final (or shutdown). */
  timeoutMs?: number;
}

/** What the export service is built from. */
export interface ExportServiceOptions {
  /** The database exports live in. */
  database: AnnexDatabase;
  /** Where finished files are kept (archiving deletes them). */
  storage: ExportFileStore;
  /** Wakes a worker in this process and the requests waiting for an export. */
  events: ExportEvents;
  /** Signs download links. */
  linkSigner: LinkSigner;
  /**
   * What a link is (DOWNLOAD_MODE): annex's signed URL (default), or the object store's presigned
   * URL, valid as long (LINK_TTL_MINUTES).
   */
  downloadMode?: 'annex' | 'presigned';
  /** Longest a `waitUntilSettled` waits (WAIT_TIMEOUT_SECONDS). */
  waitTimeoutMs: number;
}

// A waiting caller re-reads its export this often, for a worker in another process that cannot
// signal it; a worker in this process wakes it at once through ExportEvents.
const waitRecheckMs = 500;

/** Creates, waits for, previews, links, lists and archives a project's exports. */
export class ExportService {
  private readonly database: AnnexDatabase;
  private readonly storage: ExportFileStore;
  private readonly events: ExportEvents;
  private readonly linkSigner: LinkSigner;
  private readonly downloadMode: 'annex' | 'presigned';
  private readonly waitTimeoutMs: number;
  private readonly repository: ExportRepository;
  private readonly state: ExportState;
  // On shutdown every wait ends at once (the export as it stands) instead of holding the server open.
  private readonly closing = new AbortController();

  constructor(options: ExportServiceOptions) {
    this.database = options.database;
    this.storage = options.storage;
    this.events = options.events;
    this.linkSigner = options.linkSigner;
    this.downloadMode = options.downloadMode ?? 'annex';
    this.waitTimeoutMs = options.waitTimeoutMs;
    this.repository = new ExportRepository(options.database);
    this.state = new ExportState(options.database, options.events);
  }

  /**
   * Queues an export of the project for `requester` and wakes a worker. The source must be in the
   * project: otherwise a 400 naming `body.<source>_id`. (The route checked the requester may generate.)
   */
  async create(
    project: ExportProject,
    input: CreateExportInput,
    requester: Pick<ExportRequester, 'userId' | 'email'>,
  ): Promise<Export> {
    const settings = exportSettingsFrom(project.id, input);
    await this.checkSource(project, settings, 'body');
    const row = await this.state.queue({
      project_id: project.id,
      kind: 'Annotations',
      source: settings.source,
      ...sourceColumnsOf(settings),
      ann_is_complete: settings.annIsComplete ? 1 : 0,
      include_removed: settings.includeRemoved ? 1 : 0,
      expected_file_count: input.expected_file_count ?? null,
      created_by: requester.email,
      created_by_user_id: requester.userId,
      created_time: new Date().toISOString(),
    });
    return this.repository.toContractOne(row);
  }

  /**
   * Waits until the export is final, at most the configured time (or `options.timeoutMs`, which may
   * be Infinity), and less when `signal` aborts (the caller went away) or the service closes. Complete: its row, to send the file from. Failed: a 422
   * `export_failed` whose message is the export's `status_text`. Cancelled: a 409 `export_cancelled`
   * saying so. Otherwise `pending`, as it stands.
   */
  async waitUntilSettled(
    exportId: number,
    signal?: AbortSignal,
    options: WaitOptions = {},
  ): Promise<WaitResult> {
    const stop =
      signal === undefined ? this.closing.signal : AbortSignal.any([signal, this.closing.signal]);
    const deadline = Date.now() + (options.timeoutMs ?? this.waitTimeoutMs);
    let row = await this.repository.getById(exportId);
    for (;;) {
      if (row === undefined) throw notFound(`Export ${exportId}`, { id: exportId });
      const remaining = deadline - Date.now();
      if (isFinalStatus(row.status) || remaining <= 0 || stop.aborted) break;
      await this.events.nextSettled(exportId, Math.min(remaining, waitRecheckMs), stop);
      row = await this.repository.getById(exportId);
    }
    const record = await this.repository.toContractOne(row);
    if (row.status === 'failed') {
      throw new ApiError('export_failed', row.status_text ?? 'Export failed.', { export: record });
    }
    if (row.status === 'cancelled')
      throw exportCancelledConflict(row.id, row.status_text, { export: record });
    if (row.status !== 'complete') return { outcome: 'pending', export: record };
    return { outcome: 'complete', export: record, row };
  }

  /** Ends every wait at once (the server is shutting down); waits begun afterwards end at once too. */
  stopWaiting(): void {
    this.closing.abort();
  }

  /** The counts an export with these settings would have now; a 400 naming `query.<source>_id` for a source not in the project. */
  async preview(project: ExportProject, input: PreflightInput): Promise<PreflightResponse> {
    const settings = exportSettingsFrom(project.id, input);
    await this.checkSource(project, settings, 'query');
    return previewSelection(this.database, settings);
  }

  /** One export of the project that is not archived; a 404 naming it otherwise. */
  async get(project: ExportProject, exportId: number): Promise<Export> {
    return this.repository.toContractOne(await this.requireRow(project, exportId));
  }

  /** A page of the project's exports, newest first, with the next cursor and the total. */
  async list(project: ExportProject, input: ListExportsInput): Promise<ExportListResponse> {
    const { cursor, limit, source } = input;
    const page = await this.repository.list(project.id, {
      limit,
      ...(cursor === undefined ? {} : { cursor: Number(cursor) }),
      ...(source === undefined ? {} : { source }),
    });
    return {
      exports: await this.repository.toContract(page.rows),
      next_cursor: page.nextCursor === null ? null : String(page.nextCursor),
      total: page.total,
    };
  }

  /** Every export of the project that is not archived, newest first, in one list. */
  async listAll(project: ExportProject): Promise<Export[]> {
    return this.repository.toContract(await this.repository.listAll(project.id));
  }

  /**
   * A fresh signed link to a complete export's file on `baseUrl` (the origin the caller reached annex
   * on); 409 `export_failed` saying why when it failed (it never will be ready), 409
   * `export_not_ready` with the export while it is queued or running, 404 when there is none.
   */
  async link(project: ExportProject, exportId: number, baseUrl: string): Promise<ExportLink> {
    return await this.linkTo((await this.requireComplete(project, exportId)).export, baseUrl);
  }

  /**
   * A complete export of the project and its row (to send its file from); the same refusals as
   * `link`: 409 `export_failed` saying why, 409 `export_cancelled`, 409 `export_not_ready` ("Export
   * not ready yet"), 404.
   */
  async requireComplete(
    project: ExportProject,
    exportId: number,
  ): Promise<{ export: Export; row: ExportRow }> {
    const row = await this.requireRow(project, exportId);
    const record = await this.repository.toContractOne(row);
    if (record.status === 'failed')
      throw exportFailedConflict(record.status_text, { export: record });
    if (record.status === 'cancelled')
      throw exportCancelledConflict(record.id, record.status_text, { export: record });
    if (record.status !== 'complete')
      throw new ApiError('export_not_ready', 'Export not ready yet', { export: record });
    return { export: record, row };
  }

  /**
   * A link to an export already known to be complete (a wait that just ended): annex's signed URL
   * on `baseUrl`, or in presigned mode the object store's own URL for the file.
   */
  async linkTo(record: Export, baseUrl: string): Promise<ExportLink> {
    if (this.downloadMode === 'presigned') return this.presignedLinkTo(record);
    const signed = this.linkSigner.sign(record.id);
    return {
      url: `${baseUrl}${signed.path}`,
      expires_at: signed.expiresAt.toISOString(),
      export: record,
    };
  }

  private async presignedLinkTo(record: Export): Promise<ExportLink> {
    const row = await this.repository.getById(record.id);
    if (row?.storage_key == null || row.file_name === null)
      throw new ApiError('not_found', missingExportFileMessage(record.id));
    const expiresInSeconds = this.linkSigner.ttlMinutes * 60;
    // Taken before signing, so the time the caller is told is never later than the URL's own.
    const expiresAt = new Date(Date.now() + expiresInSeconds * 1000);
    const url = await this.storage.presignedUrl(row.storage_key, row.file_name, expiresInSeconds);
    if (url === null)
      throw new Error(
        `DOWNLOAD_MODE=presigned, but the export storage ${this.storage.location} cannot presign URLs`,
      );
    return { url, expires_at: expiresAt.toISOString(), export: record };
  }

  /**
   * Archives an export: gone from the list, its file deleted, its waiters told; an unfinished one
   * fails and is never built. A 404 when the project has no such export (or it is archived already);
   * a 403 when an editor archives someone else's (only a project admin may).
   */
  async archive(
    project: ExportProject,
    exportId: number,
    requester: Pick<ExportRequester, 'userId' | 'role'>,
  ): Promise<void> {
    if (requester.role !== 'admin') {
      const row = await this.requireRow(project, exportId);
      if (requester.role === 'viewer' || row.created_by_user_id !== requester.userId)
        throw roleTooLow(
          project.project_string_id,
          requester.role,
          'admin',
          requester.role === 'viewer' ? 'archiving an export' : 'archiving someone else’s export',
        );
    }
    const archived = await archiveExport(
      { state: this.state, storage: this.storage },
      project.id,
      exportId,
    );
    if (archived === undefined) throw this.exportNotFound(project, exportId);
  }

  private async requireRow(project: ExportProject, exportId: number): Promise<ExportRow> {
    const row = await this.repository.get(project.id, exportId);
    if (row === undefined) throw this.exportNotFound(project, exportId);
    return row;
  }

  private exportNotFound(project: ExportProject, exportId: number): ApiError {
    return notFound(`Export ${exportId} in project "${project.project_string_id}"`, {
      field: 'params.id',
      id: exportId,
    });
  }

  /** Checks that the source exists in the project; a 400 naming the id field where it came from when not. */
  private async checkSource(
    project: ExportProject,
    settings: ExportSettings,
    place: 'body' | 'query',
  ): Promise<void> {
    try {
      await resolveExportSelection(this.database, settings);
    } catch (error) {
      if (!(error instanceof ExportSourceNotFoundError)) throw error;
      const field = `${place}.${settings.source}_id`;
      const message = `${settings.source} ${settings.sourceId} is not in project "${project.project_string_id}"`;
      throw new ApiError('validation_failed', `Invalid request: ${field}: ${message}`, {
        issues: [{ field, message }],
      });
    }
  }
}

/**
 * The answer to a file or link asked for a failed export: a 409 (the request conflicts with the
 * export's state, as "not ready" does) whose message says why it failed, since it never will be ready.
 */
export function exportFailedConflict(statusText: string | null, details: unknown): ApiError {
  return new ApiError(
    'export_failed',
    `This export failed: ${statusText ?? 'no reason was recorded'}`,
    details,
    409,
  );
}
