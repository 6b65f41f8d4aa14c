import { exportStatuses } from '../../contract/exports.ts';
import type { ExportStatus } from '../../contract/exports.ts';
import type { AnnexDatabase } from '../db/database.ts';

/*
 * What the metrics read from the database at each scrape. Every process (API or worker, any host)
 * reads the same rows, so every process reports the same queue, and a dashboard may take any one.
 */

/** The database's side of one scrape. */
export interface DatabaseReadings {
  /** Exports not archived, by status; every status present, 0 when none. */
  exportsByStatus: Record<ExportStatus, number>;
  /** Imports waiting for a worker. */
  queuedImports: number;
  /**
   * Each worker holding a running export, and when it last wrote a heartbeat on one (its claim time
   * before the first heartbeat), as the ISO time the worker wrote.
   */
  workerHeartbeats: { workerId: string; lastBeat: string }[];
}

/** Reads the counts the metrics report; a few grouped counts, cheap at scrape intervals. */
export async function readDatabaseReadings(database: AnnexDatabase): Promise<DatabaseReadings> {
  const { db } = database;
  const [statusRows, importRows, beatRows] = await Promise.all([
    db
      .selectFrom('export')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .where('archived', '=', 0)
      .groupBy('status')
      .execute(),
    db
      .selectFrom('import_job')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('status', '=', 'queued')
      .execute(),
    db
      .selectFrom('export')
      .select((eb) => [
        'claimed_by',
        // ISO-8601 UTC text: the greatest string is the latest time.
        eb.fn.max(eb.fn.coalesce('heartbeat_time', 'started_time')).as('last_beat'),
      ])
      .where('status', '=', 'running')
      .where('claimed_by', 'is not', null)
      .groupBy('claimed_by')
      .execute(),
  ]);
  const exportsByStatus = Object.fromEntries(exportStatuses.map((status) => [status, 0])) as Record<
    ExportStatus,
    number
  >;
  for (const row of statusRows) exportsByStatus[row.status] = row.count;
  return {
    exportsByStatus,
    queuedImports: importRows[0]?.count ?? 0,
    workerHeartbeats: beatRows.flatMap((row) =>
      row.claimed_by === null || row.last_beat === null
        ? []
        : [{ workerId: row.claimed_by, lastBeat: row.last_beat }],
    ),
  };
}
