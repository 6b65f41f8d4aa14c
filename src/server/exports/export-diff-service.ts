import type { Export } from '../../contract/exports.ts';
import type { ExportDiff } from '../../contract/export-diff.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import { ApiError, invalidField, notFound } from '../http/api-error.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import { exportCancelledConflict } from './export-cancel-retry.ts';
import { diffExportFiles, ExportDiffError } from './export-file-diff.ts';
import { ExportRepository } from './export-repository.ts';
import type { ExportProject } from './export-service.ts';
import { requireStoredFile } from './export-stored-file.ts';

// The rule of "what changed between export 12 and export 15": two different, complete exports of
// one project, both files still stored; then the streaming diff of the two files. Two exports whose
// content hashes are equal hold the same data, so their answer needs no file read at all.

/** What the diff service is built from. */
export interface ExportDiffServiceOptions {
  database: AnnexDatabase;
  storage: ExportFileStore;
}

/** Compares two complete exports of a project. */
export class ExportDiffService {
  private readonly storage: ExportFileStore;
  private readonly repository: ExportRepository;

  constructor(options: ExportDiffServiceOptions) {
    this.storage = options.storage;
    this.repository = new ExportRepository(options.database);
  }

  /**
   * What export `toId` holds that export `fromId` does not, and the reverse. 400 when both ids are
   * the same; 404 naming the id when either is not an export of the project, or its file is missing
   * from storage (`not_found`, as the download answers); 409 when either is not complete
   * (`export_not_ready`, `export_failed`, `export_cancelled`) or its file cannot be read
   * (`conflict`). Stops reading when `signal` aborts (the caller went away).
   */
  async diff(
    project: ExportProject,
    fromId: number,
    toId: number,
    signal?: AbortSignal,
  ): Promise<ExportDiff> {
    if (fromId === toId) {
      throw invalidField(
        'params.other',
        `both sides are export ${fromId}; choose two different exports to compare`,
      );
    }
    const from = await this.requireComparable(project, fromId, 'params.id');
    const to = await this.requireComparable(project, toId, 'params.other');
    const side = (record: Export) => ({
      id: record.id,
      file_list_length: record.file_list_length ?? 0,
      instance_count: record.instance_count ?? 0,
      created_time: record.created_time,
    });
    const fromHash = from.record.content_sha256;
    if (fromHash !== null && fromHash === to.record.content_sha256) {
      return sameContent(side(from.record), side(to.record));
    }
    try {
      const findings = await diffExportFiles(
        { exportId: fromId, open: () => this.storage.openRead(from.storageKey) },
        { exportId: toId, open: () => this.storage.openRead(to.storageKey) },
        signal,
      );
      return {
        ...findings,
        from: { ...side(from.record), ...findings.from },
        to: { ...side(to.record), ...findings.to },
      };
    } catch (error) {
      if (error instanceof ExportDiffError) throw new ApiError('conflict', error.message);
      throw error;
    }
  }

  /** A complete export of the project with its stored file, or the refusal that says why not. */
  private async requireComparable(
    project: ExportProject,
    exportId: number,
    field: string,
  ): Promise<{ record: Export; storageKey: string }> {
    const row: ExportRow | undefined = await this.repository.get(project.id, exportId);
    if (row === undefined) {
      throw notFound(`Export ${exportId} in project "${project.project_string_id}"`, {
        field,
        id: exportId,
      });
    }
    const record = await this.repository.toContractOne(row);
    if (record.status === 'failed') {
      throw new ApiError(
        'export_failed',
        `Export ${exportId} failed (${record.status_text ?? 'no reason was recorded'}): only complete exports can be compared.`,
        { export: record },
        409,
      );
    }
    // The same answer as the file, the link and the sample give a cancelled export.
    if (record.status === 'cancelled')
      throw exportCancelledConflict(record.id, record.status_text, { export: record });
    if (record.status !== 'complete') {
      throw new ApiError(
        'export_not_ready',
        `Export ${exportId} is ${record.status}, not complete: only complete exports can be compared; try again when it is.`,
        { export: record },
      );
    }
    const { key } = await requireStoredFile(this.storage, row);
    return { record, storageKey: key };
  }
}

/** The answer for two exports whose content hashes are equal: every file the same. */
function sameContent(from: ExportDiff['from'], to: ExportDiff['to']): ExportDiff {
  const none = { count: 0, file_ids: [] };
  return {
    from,
    to,
    identical: true,
    files: {
      added: none,
      removed: none,
      changed: none,
      completion_changed: none,
      unchanged_count: to.file_list_length,
    },
    instances: { added: 0, removed: 0, changed: 0, per_label: [] },
  };
}
