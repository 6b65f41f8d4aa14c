import { isConnectionError, withRetry } from '../db/connection-errors.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import type { ExportBuildMetrics } from '../metrics/annex-metrics.ts';
import type { ExportFileStore, ExportUpload } from '../storage/export-file-store.ts';
import { startExportChecks } from './export-checks-run.ts';
import { reasonOf, statusTextOf } from './export-failure.ts';
import { exportFileName } from './export-file-name.ts';
import { EmptyExportError, writeExportFile } from './export-file-writer.ts';
import type { FinalWrites, WorkerLogger } from './export-final-writes.ts';
import type { ExportRepository } from './export-repository.ts';
import type { ExportState } from './export-state.ts';
import { exportSettingsOf } from './export-settings.ts';

/*
 * The building of ONE claimed export, apart from the worker that schedules it: name the file, run
 * the writer into a storage upload (a temporary file, or a multipart upload to an object store) with
 * progress hooks, put the file in place, and record the end
 * (complete, fail, or back to the queue) through the retried final writes. Every way out leaves the
 * row final, re-queued, or someone else's. The worker owns the abort controller and tells the build
 * why it aborted (`AbortReason`); the build tells the worker, through `onLost`, when a progress
 * write finds the export no longer held.
 */

/**
 * Why a running write was aborted: the worker stops; a write found the export no longer held; or a
 * user cancelled it in this process (the worker heard it at once, before any write could find out).
 */
export type AbortReason = 'stopping' | 'lost' | 'cancelled';

/** What building an export needs; the worker's settings and shared services. */
export interface ExportBuilderOptions {
  /** The database the writer reads the export's files from. */
  database: AnnexDatabase;
  /** Where the file is written and put in place. */
  storage: ExportFileStore;
  /** Reads the export as the contract shows it (for the source's name in the file name). */
  repository: ExportRepository;
  /** The state module the progress moves run in. */
  exports: ExportState;
  /** The final moves, with their retries. */
  finalWrites: FinalWrites;
  /** The worker's name in `claimed_by`. */
  workerId: string;
  /** Where failures and discarded files are logged. */
  logger: WorkerLogger;
  /** Least time between two progress writes of one export. */
  progressIntervalMs: number;
  /** Files the writer reads per page; its default when undefined. */
  pageSize: number | undefined;
  /** Told of each export completed (duration and size), when the process keeps metrics. */
  metrics?: ExportBuildMetrics | undefined;
}

/** Builds one claimed export into its file; see the module comment. */
export class ExportBuilder {
  constructor(private readonly options: ExportBuilderOptions) {}

  /**
   * Builds one claimed export; every way out leaves the row final, re-queued, or someone else's.
   * `signal` is aborted with an `AbortReason`; `onLost` is called when a progress write finds the
   * export no longer held, and is expected to abort `signal` with `'lost'`.
   */
  async build(row: ExportRow, signal: AbortSignal, onLost: () => void): Promise<void> {
    const { storage, exports, finalWrites, workerId, logger } = this.options;
    const id = row.id;
    // Set once the writer opens it (never for an empty selection); unset once committed or discarded.
    let upload: ExportUpload | undefined;
    let lastPercent = 0;
    const abortIfLost = (stillMine: boolean) => {
      if (!stillMine) onLost();
    };

    try {
      const exportRecord = await this.options.repository.toContractOne(row);
      const sourceName =
        row.source === 'task'
          ? (row.task_id ?? 'task')
          : (exportRecord[row.source]?.name ?? row.source);
      const fileName = exportFileName({
        exportId: id,
        source: row.source,
        sourceName,
        createdTime: row.created_time,
      });

      // The writer awaits these hooks, so progress rows are written in order and a lost claim stops
      // the write at its next page.
      const pageSize = this.options.pageSize;
      const checks = startExportChecks(row.expected_file_count);
      const result = await writeExportFile(
        this.options.database,
        {
          ...exportSettingsOf(row),
          exportId: id,
          createdTime: row.created_time,
          createdBy: row.created_by,
        },
        async (writeSignal) => (upload = await storage.openUpload(id, workerId, writeSignal)),
        {
          signal,
          ...checks.hooks,
          progressIntervalMs: this.options.progressIntervalMs,
          ...(pageSize === undefined ? {} : { pageSize }),
          // The hooks write through the state module on the main database, never through the
          // writer's read-only snapshot.
          onStart: async (fileCount, snapshotSeq) => {
            // Guarded writes of the same values: safe to run again after a dropped connection.
            abortIfLost(
              await withRetry(() => exports.recordStart(id, workerId, fileCount, snapshotSeq), {
                signal,
              }),
            );
          },
          onProgress: async (filesWritten, fileCount) => {
            // 100 is kept for the moment the file is in place and the row complete.
            const percent = Math.min(99, Math.floor((filesWritten / fileCount) * 100));
            if (percent <= lastPercent) return;
            lastPercent = percent;
            abortIfLost(
              await withRetry(() => exports.recordProgress(id, workerId, percent), {
                signal,
              }),
            );
          },
        },
      );
      signal.throwIfAborted();
      // Once, before the final write that may be retried.
      const checkValues = checks.result();

      if (upload === undefined) throw new Error('The writer finished without opening its upload');
      const key = await upload.commit();
      upload = undefined;
      const completed = await finalWrites.record(id, 'complete', () =>
        exports.complete(id, workerId, {
          fileCount: result.fileCount,
          instanceCount: result.instanceCount,
          sizeBytes: result.sizeBytes,
          sha256: result.sha256,
          contentSha256: result.contentSha256,
          fileName,
          storageKey: key,
          snapshotSeq: result.snapshotSeq,
          checks: checkValues,
        }),
      );
      if (completed === true)
        this.options.metrics?.exportBuilt({
          startedTime: row.started_time,
          sizeBytes: result.sizeBytes,
        });
      // A retried final write finds the row no longer held when its first try committed but its
      // answer was lost: the row is complete with this very file, which must then stay.
      const after = completed === false ? await this.options.repository.getById(id) : undefined;
      const ownedAfterAll =
        after?.status === 'complete' && after.archived === 0 && after.storage_key === key;
      if (completed === false && !ownedAfterAll) {
        // Archived or taken over while it was written: the file belongs to no export.
        await storage.remove(key);
        logger.warn(
          `annex worker ${workerId}: export ${id} was archived, cancelled or re-queued while it ran; its file was discarded`,
        );
      }
      // Undefined: never recorded; the export is recovered and rebuilt, and the sweep removes this file.
    } catch (error) {
      // Gone before the failure is recorded, so a full disk gets its space back and nothing
      // half-written stays while the record is retried.
      if (upload !== undefined) await this.discardUpload(id, upload);
      upload = undefined;
      const reason: unknown = signal.aborted ? signal.reason : undefined;
      if (reason === ('stopping' satisfies AbortReason)) {
        await finalWrites.requeue(id, 'stopping');
      } else if (reason === ('lost' satisfies AbortReason)) {
        logger.warn(
          `annex worker ${workerId}: export ${id} was archived, cancelled or re-queued while it ran; stopped writing it`,
        );
      } else if (reason === ('cancelled' satisfies AbortReason)) {
        logger.info(
          `annex worker ${workerId}: export ${id} was cancelled; stopped writing it and removed its temporary file`,
        );
      } else if (isConnectionError(error)) {
        // A lost database is nobody's fault: hand the export back (retried until the database
        // answers, as every final write is) and build it afresh, rather than fail it.
        logger.warn(
          `annex worker ${workerId}: export ${id} lost its database connection (${reasonOf(error)}); handing it back to the queue once the database answers`,
        );
        await finalWrites.requeue(id, 'database connection lost');
      } else {
        if (!(error instanceof EmptyExportError)) {
          logger.error(`annex worker ${workerId}: export ${id} failed`, error);
        }
        const failed = await finalWrites.record(id, 'fail', () =>
          exports.fail(id, workerId, statusTextOf(error)),
        );
        if (failed === false) {
          logger.warn(
            `annex worker ${workerId}: export ${id} was archived, cancelled or recovered before its failure was recorded`,
          );
        }
      }
    } finally {
      if (upload !== undefined) await this.discardUpload(id, upload);
    }
  }

  private async discardUpload(id: number, upload: ExportUpload): Promise<void> {
    await upload.discard().catch((error: unknown) => {
      this.options.logger.error(
        `annex worker ${this.options.workerId}: could not remove the unfinished file of export ${id}`,
        error,
      );
    });
  }
}
