import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportListResponse } from '../../contract/exports.ts';
import { auditEventsOf } from '../audit/audit-test-reads.ts';
import { testDialects } from '../db/test-database.ts';
import { addRetentionExport, listedExportIds } from './export-retention-fixtures.ts';
import { createExportTestEnv } from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// The worker runs the retention sweep as it starts (and every EXPORT_RETENTION_SWEEP_MINUTES): a
// worker on a server with EXPORT_RETENTION_DAYS archives old exports without anyone asking.

describe.each(testDialects)('a worker with retention on %s', (dialect) => {
  let env: ExportTestEnv;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect, { EXPORT_RETENTION_DAYS: '30' });
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });

  it('archives old exports when it starts, keeping the newest complete one of the source', async () => {
    const spec = {
      projectId: env.demo.projectId,
      source: { directory: env.demo.defaultDirectoryId },
    };
    // All far older than 30 days whatever today is.
    const failed = await addRetentionExport(env.database, env.storage, {
      ...spec,
      status: 'failed',
      daysAgo: 400,
    });
    const older = await addRetentionExport(env.database, env.storage, {
      ...spec,
      status: 'complete',
      daysAgo: 300,
    });
    const newest = await addRetentionExport(env.database, env.storage, {
      ...spec,
      status: 'complete',
      daysAgo: 200,
    });

    await env.startWorker();
    const deadline = Date.now() + 10_000;
    while ((await listedExportIds(env.database)).length > 1 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));

    expect(await listedExportIds(env.database)).toEqual([newest.id]);
    expect(fs.existsSync(older.filePath ?? '')).toBe(false);
    expect(fs.existsSync(newest.filePath ?? '')).toBe(true);
    const listed = await env.app.inject({ method: 'GET', url: '/api/v1/projects/demo/exports' });
    expect(listed.json<ExportListResponse>().exports.map((item) => item.id)).toEqual([newest.id]);
    const audit = await auditEventsOf(env.database.db, 'export_archived');
    expect(audit.map((event) => [event.target, event.via, event.details.reason])).toEqual([
      [`export ${older.id}`, 'retention', 'age'],
      [`export ${failed.id}`, 'retention', 'age'],
    ]);
  });
});
