import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { isFinalStatus } from '../../contract/exports.ts';
import type { ExportStatus } from '../../contract/exports.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import type { LocalExportStorage } from '../storage/local-export-storage.ts';
import { addExportRow } from '../test-utils/test-records.ts';

// Export rows as retention and storage-usage tests need them: of a given source and settings, asked
// for a given number of days before a fixed "now", and, when complete, with a real file in storage.

/** The time retention tests sweep at. */
export const retentionNow = new Date('2025-06-01T12:00:00.000Z');

/** What an export reads: one directory, job or task. */
export type RetentionTestSource = { directory: number } | { job: number } | { task: number };

/** An export to add. */
export interface RetentionTestExport {
  projectId: number;
  source: RetentionTestSource;
  status: ExportStatus;
  /** Asked for this many days before `retentionNow` (fractions allowed). */
  daysAgo: number;
  /** Completed files only (default) or all files. */
  annIsComplete?: boolean;
  includeRemoved?: boolean;
  /** A complete export's file size (default 100 bytes). */
  sizeBytes?: number;
}

/** An added export: its row, and for a complete one the path of its file. */
export interface AddedExport {
  id: number;
  row: ExportRow;
  /** The stored file's path; null unless complete. */
  filePath: string | null;
}

/** Adds an export row (and a complete one's file); rows added later get higher ids, i.e. are newer. */
export async function addRetentionExport(
  database: AnnexDatabase,
  storage: LocalExportStorage,
  spec: RetentionTestExport,
): Promise<AddedExport> {
  const source = 'directory' in spec.source ? 'directory' : 'job' in spec.source ? 'job' : 'task';
  const created = new Date(retentionNow.getTime() - spec.daysAgo * 24 * 60 * 60 * 1000);
  const row = await addExportRow(database, {
    project_id: spec.projectId,
    status: spec.status,
    source,
    directory_id: 'directory' in spec.source ? spec.source.directory : null,
    job_id: 'job' in spec.source ? spec.source.job : null,
    task_id: 'task' in spec.source ? spec.source.task : null,
    ann_is_complete: spec.annIsComplete === false ? 0 : 1,
    include_removed: spec.includeRemoved === true ? 1 : 0,
    created_time: created.toISOString(),
    finished_time: isFinalStatus(spec.status) ? created.toISOString() : null,
    status_text: spec.status === 'failed' ? 'Export failed: test.' : null,
  });
  if (spec.status !== 'complete') return { id: row.id, row, filePath: null };
  const sizeBytes = spec.sizeBytes ?? 100;
  const key = `${row.id}-${randomBytes(8).toString('hex')}.json`;
  await storage.ensureFolders();
  const filePath = storage.pathOf(key);
  fs.writeFileSync(filePath, Buffer.alloc(sizeBytes, 0x20));
  const completed = await database.db
    .updateTable('export')
    .set({
      storage_key: key,
      size_bytes: sizeBytes,
      file_name: `${row.id}.json`,
      percent_complete: 100,
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { id: row.id, row: completed, filePath };
}

/** The ids of the exports that are listed (not archived), ascending. */
export async function listedExportIds(database: AnnexDatabase): Promise<number[]> {
  const rows = await database.db
    .selectFrom('export')
    .select('id')
    .where('archived', '=', 0)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}
