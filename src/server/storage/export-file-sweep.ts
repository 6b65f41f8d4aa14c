import { isFinalStatus } from '../../contract/exports.ts';
import type { ExportStatus } from '../../contract/exports.ts';
import type { ExportFileStore } from './export-file-store.ts';

/*
 * The file sweep: deletes files in storage that no export owns, which the normal paths leave behind
 * only when a worker is killed (or cannot write to the database) at the wrong moment, e.g. between
 * renaming a file into place and marking its export complete. It runs at a worker's start and then
 * every few minutes, and only touches files older than a grace period, so a file being renamed into
 * place or written right now is never judged on a row that has not caught up yet.
 *
 * A finished file is kept while its export is queued or running (a worker may be about to mark it
 * complete; if it never does, the export is recovered, rebuilt under a new key and the old file
 * swept once the export is final). It is deleted when its export is missing, archived, or final
 * without pointing to it. A temporary file is deleted unless its export is running under the worker
 * its name carries; an object store's unfinished upload, whose listing names no worker, is kept while
 * its export runs under anyone.
 */

/** What the sweep reads of an export (see `ExportState.fileOwners`). */
export interface SweptFileOwner {
  /** Its status now. */
  status: ExportStatus;
  /** 1 once archived. */
  archived: number;
  /** The file its row points to, if any. */
  storage_key: string | null;
  /** The worker holding it, when running. */
  claimed_by: string | null;
}

/** How a sweep runs. */
export interface SweepOptions {
  /** Files written less than this long ago are left alone, in milliseconds. */
  graceMs: number;
  /** The exports of `ids` that exist, by id. */
  ownersOf(ids: number[]): Promise<Map<number, SweptFileOwner>>;
  /** The time the grace is measured from; now by default. */
  now?: Date;
}

/** What a sweep deleted. */
export interface SweepResult {
  /** Keys of finished files deleted. */
  finals: string[];
  /** Names of temporary files deleted. */
  temps: string[];
}

/** Deletes the finished and temporary files older than the grace period that no export owns. */
export async function sweepExportFiles(
  storage: ExportFileStore,
  options: SweepOptions,
): Promise<SweepResult> {
  const before = (options.now ?? new Date()).getTime() - options.graceMs;
  const finals = (await storage.listFinals()).filter(
    (file) => file.modifiedTime.getTime() <= before,
  );
  const temps = (await storage.listTempFiles()).filter(
    (file) => file.modifiedTime.getTime() <= before,
  );
  const owners = await options.ownersOf([
    ...finals.map((file) => file.exportId),
    ...temps.map((file) => file.exportId),
  ]);

  const result: SweepResult = { finals: [], temps: [] };
  for (const file of finals) {
    const owner = owners.get(file.exportId);
    const unowned =
      owner === undefined ||
      owner.archived === 1 ||
      (isFinalStatus(owner.status) && owner.storage_key !== file.key);
    if (!unowned) continue;
    await storage.remove(file.key);
    result.finals.push(file.key);
  }
  for (const file of temps) {
    const owner = owners.get(file.exportId);
    if (owner?.status === 'running' && (file.owner === null || owner.claimed_by === file.owner))
      continue;
    await storage.removeTempNamed(file.name);
    result.temps.push(file.name);
  }
  return result;
}
