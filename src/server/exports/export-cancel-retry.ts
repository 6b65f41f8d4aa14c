import type { Export } from '../../contract/exports.ts';
import { roleTooLow } from '../auth/project-access.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import type { ExportEvents } from './export-events.ts';
import { ExportRepository } from './export-repository.ts';
import { ExportSourceNotFoundError, resolveExportSelection } from './export-selection.ts';
import { exportSettingsOf, sourceColumnsOf } from './export-settings.ts';
import { ExportState } from './export-state.ts';
import type { ExportProject, ExportRequester } from './export-service.ts';

// Cancel and retry, beside the export service and behind the same doors: a user stops an unfinished
// export (the worker stops between pages and removes its temporary file), and asks again for one
// that failed or was cancelled (a new export with the same settings, linked to the old one). The
// status move is `ExportState.cancel`; a retry queues a new row and leaves the old one as it was.

/** What cancel and retry are built from. */
export interface ExportCancelRetryOptions {
  /** The database exports live in. */
  database: AnnexDatabase;
  /** Tells the worker in this process (and waiting requests) at once. */
  events: ExportEvents;
}

/** Cancels unfinished exports and retries failed or cancelled ones. */
export class ExportCancelRetry {
  private readonly database: AnnexDatabase;
  private readonly repository: ExportRepository;
  private readonly state: ExportState;

  constructor(options: ExportCancelRetryOptions) {
    this.database = options.database;
    this.repository = new ExportRepository(options.database);
    this.state = new ExportState(options.database, options.events);
  }

  /**
   * Cancels a queued or running export: `cancelled`, with who did it in `status_text`. 404 when the
   * project has no such export; 403 for a viewer, or an editor cancelling someone else's (only an
   * admin may, as with archiving); 409 `conflict` with the export when it had already finished.
   */
  async cancel(
    project: ExportProject,
    exportId: number,
    requester: ExportRequester,
  ): Promise<Export> {
    const row = await this.requireRow(project, exportId);
    if (requester.role !== 'admin') {
      if (requester.role === 'viewer' || row.created_by_user_id !== requester.userId)
        throw roleTooLow(
          project.project_string_id,
          requester.role,
          'admin',
          requester.role === 'viewer' ? 'cancelling an export' : 'cancelling someone else’s export',
        );
    }
    const cancelled = await this.state.cancel(project.id, exportId, requester.email);
    if (cancelled !== undefined) return this.repository.toContractOne(cancelled);
    // The guarded update lost: it finished (or was archived) since it was read.
    const now = await this.requireRow(project, exportId);
    const record = await this.repository.toContractOne(now);
    throw new ApiError(
      'conflict',
      `Export ${exportId} already finished (${record.status}): only a queued or running export can be cancelled.`,
      { export: record },
    );
  }

  /**
   * Queues a new export with the settings of a failed or cancelled one (source, filters), asked for by
   * `requester`, its `retry_of` naming the old one. 404 when the project has no such export; 409
   * `conflict` when it is not failed or cancelled, when it was retried already (retry the newer one),
   * or when its source is gone from the project. (The route checked the requester may generate.)
   */
  async retry(
    project: ExportProject,
    exportId: number,
    requester: Pick<ExportRequester, 'userId' | 'email'>,
  ): Promise<Export> {
    const row = await this.requireRow(project, exportId);
    if (row.status !== 'failed' && row.status !== 'cancelled') {
      throw new ApiError(
        'conflict',
        `Export ${exportId} is ${row.status}: only a failed or cancelled export can be retried.`,
        { export: await this.repository.toContractOne(row) },
      );
    }
    const record = await this.repository.toContractOne(row);
    if (record.retried_by !== null) {
      throw new ApiError(
        'conflict',
        `Export ${exportId} was already retried as export ${record.retried_by}; retry that one if it failed too.`,
        { export: record },
      );
    }
    const settings = exportSettingsOf(row);
    try {
      await resolveExportSelection(this.database, settings);
    } catch (error) {
      if (!(error instanceof ExportSourceNotFoundError)) throw error;
      throw new ApiError(
        'conflict',
        `Export ${exportId} cannot be retried: its ${settings.source} ${settings.sourceId} is no longer in project "${project.project_string_id}". Make a new export instead.`,
        { export: record },
      );
    }
    const queued = await this.state.queue({
      project_id: project.id,
      kind: row.kind,
      source: settings.source,
      ...sourceColumnsOf(settings),
      ann_is_complete: row.ann_is_complete,
      include_removed: row.include_removed,
      // The count the first requester was shown may be stale by now, and the retrier saw none.
      expected_file_count: null,
      created_by: requester.email,
      created_by_user_id: requester.userId,
      created_time: new Date().toISOString(),
      retry_of_export_id: row.id,
    });
    return this.repository.toContractOne(queued);
  }

  private async requireRow(project: ExportProject, exportId: number): Promise<ExportRow> {
    const row = await this.repository.get(project.id, exportId);
    if (row === undefined)
      throw notFound(`Export ${exportId} in project "${project.project_string_id}"`, {
        field: 'params.id',
        id: exportId,
      });
    return row;
  }
}

/**
 * The answer to a wait, a file or a link for a cancelled export: a 409 `export_cancelled` saying so
 * and how to get the file after all (retry it). `details` carries the export (or its id and status).
 */
export function exportCancelledConflict(
  exportId: number,
  statusText: string | null,
  details: unknown,
): ApiError {
  const who = statusText === null ? '' : ` (${statusText.replace(/\.$/, '')})`;
  return new ApiError(
    'export_cancelled',
    `Export ${exportId} was cancelled before it finished${who}, so it has no file. Retry it to build it again.`,
    details,
  );
}
