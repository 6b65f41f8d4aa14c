import type { Readable } from 'node:stream';
import type { ImportErrorMode, ImportProblem, ImportStage } from '../../contract/imports.ts';
import type { AnnexDatabase } from '../db/database.ts';

/*
 * One import, from the uploaded file to rows: the seam between the import's queue (the service and
 * worker: import-service.ts, import-worker.ts) and its pipeline (reading, validating and writing the
 * packets). The queue owns the row and the upload; the pipeline owns the project's data.
 *
 * The pipeline reads the upload twice: first it validates every packet and writes nothing (so with
 * `on_error=fail` a bad packet fails the import with nothing written), then it writes page by page,
 * one transaction and one change-counter value per page. A run is idempotent: files are matched on
 * the source's file id recorded at the first import (`imported_file`), so running it again after a
 * crash or a lost connection completes it without a duplicate.
 */

/** What to import, from the import's row. */
export interface ImportSpec {
  /** The import's id (for log lines). */
  importId: number;
  /** The project imported into. */
  projectId: number;
  /** The directory imported into, made when missing. */
  directoryName: string;
  /** What a bad packet does. */
  onError: ImportErrorMode;
}

/** The counts an import shows; the names are the contract's. */
export interface ImportCounts {
  packet_count: number | null;
  files_created: number;
  files_updated: number;
  files_skipped: number;
  instances_created: number;
  instances_updated: number;
  instances_removed: number;
  labels_created: number;
  error_count: number;
}

/** Where a running import is. */
export interface ImportProgress {
  /** Validating (reading, writing nothing) or writing. */
  stage: ImportStage;
  /** 0–100 over both stages (validating counts for the first part, writing for the rest). */
  percent: number;
  /** The counts so far. */
  counts: ImportCounts;
  /** The first problems so far (at most 100). */
  errors: ImportProblem[];
}

/** How an import ended. */
export interface ImportOutcome {
  /** Complete (the packets written, bad ones skipped with `skip`) or failed. */
  status: 'complete' | 'failed';
  /** Why it failed, for a person; null when complete. */
  statusText: string | null;
  /** The directory written into; null when it failed before making it. */
  directoryId: number | null;
  /** The final counts. */
  counts: ImportCounts;
  /** The first problems found (at most 100). */
  errors: ImportProblem[];
}

/** How the queue follows and stops a run. */
export interface ImportHooks {
  /** Aborting stops the run between pages; what was committed stays (a re-run completes it). */
  signal?: AbortSignal;
  /** Awaited; called at most every few hundred milliseconds and at each stage's end. */
  onProgress?: (progress: ImportProgress) => Promise<void> | void;
  /** Called once the directory is made or found, before any file is written. */
  onDirectory?: (directoryId: number) => Promise<void> | void;
}

/** Opens the uploaded file from its start; called once per pass. */
export type OpenUpload = () => Readable;

/** Runs one import; see the module comment. A database error is thrown, not turned into an outcome. */
export type RunImport = (
  database: AnnexDatabase,
  spec: ImportSpec,
  openUpload: OpenUpload,
  sizeBytes: number,
  hooks?: ImportHooks,
) => Promise<ImportOutcome>;
