import type { ExportChecks } from '../../contract/export-checks.ts';
// eslint-disable-next-line import-x/no-restricted-paths -- test set-up of a spawned server's database
import { openDatabase } from '../../server/db/database.ts';

// The SDK's and CLI's tests of check values set an export's stored `checks` straight in the
// spawned server's database, so what they read does not depend on what the worker counts.

/** Stores `checks` as export `exportId`'s check values, as the worker stores them (JSON text); null for none. */
export async function setStoredChecks(
  databaseUrl: string,
  exportId: number,
  checks: ExportChecks | null,
): Promise<void> {
  const database = await openDatabase(databaseUrl);
  try {
    const result = await database.db
      .updateTable('export')
      .set({ checks: checks === null ? null : JSON.stringify(checks) })
      .where('id', '=', exportId)
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) throw new Error(`the test server has no export ${exportId}`);
  } finally {
    await database.close();
  }
}
