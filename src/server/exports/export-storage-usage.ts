import type { ExportStorageResponse } from '../../contract/export-storage.ts';
import type { DatabaseReader } from '../db/database.ts';
import { retentionContractOf } from './export-retention.ts';
import type { RetentionPolicy } from './export-retention.ts';

// How much storage a project's exports take: the files of its listed exports (archived ones have
// none: archiving deletes the file), summed from the sizes recorded when each file was written, so
// the answer costs one indexed query and never a walk of the storage. Beside it, the retention that
// keeps it in check.

/** Reads a project's export storage use and says which retention applies. */
export class ExportStorageUsage {
  constructor(
    private readonly database: DatabaseReader,
    private readonly policy: RetentionPolicy,
  ) {}

  /** Bytes and count of the project's listed exports that have a file, and the retention settings. */
  async of(projectId: number): Promise<ExportStorageResponse> {
    const totals = await this.database.db
      .selectFrom('export')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('size_bytes'), eb.lit(0)).as('bytes'),
        eb.fn.countAll<number>().as('export_count'),
      ])
      .where('project_id', '=', projectId)
      .where('archived', '=', 0)
      .where('storage_key', 'is not', null)
      .executeTakeFirstOrThrow();
    return {
      // PostgreSQL's sum and count come back as numbers too (database.ts parses int8 and numeric).
      bytes: totals.bytes,
      export_count: totals.export_count,
      retention: retentionContractOf(this.policy),
    };
  }
}
