import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportStorageResponse } from '../../contract/export-storage.ts';
import { testDialects } from '../db/test-database.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import { addRetentionExport } from './export-retention-fixtures.ts';
import type { RetentionTestExport } from './export-retention-fixtures.ts';
import { addOtherProject, createExportTestEnv } from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// GET /projects/:project/exports/storage: the bytes of the project's exports that have a file (its
// listed, complete ones), how many, and the retention settings (null when off). Who may call it is
// the role matrix's (role-matrix.test.ts).

describe.each(testDialects)('GET …/exports/storage on %s', (dialect) => {
  let env: ExportTestEnv;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect, {
      EXPORT_RETENTION_DAYS: '30',
      EXPORT_KEEP_PER_SOURCE: '5',
    });
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });

  async function storageOf(project: string): Promise<ExportStorageResponse> {
    const response = await env.app.inject({
      method: 'GET',
      url: `/api/v1/projects/${project}/exports/storage`,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<ExportStorageResponse>();
  }

  it('sums the files of the listed exports, leaves out archived ones, other projects and exports without files', async () => {
    expect(await storageOf('demo')).toEqual({
      bytes: 0,
      export_count: 0,
      retention: { retention_days: 30, keep_per_source: 5 },
    });
    const demo = (
      spec: Pick<RetentionTestExport, 'status' | 'sizeBytes'>,
    ): RetentionTestExport => ({
      projectId: env.demo.projectId,
      source: { directory: env.demo.defaultDirectoryId },
      daysAgo: 1,
      ...spec,
    });
    await addRetentionExport(
      env.database,
      env.storage,
      demo({ status: 'complete', sizeBytes: 1000 }),
    );
    // Files larger than 2 GiB add up without overflowing (sizes are recorded, not read from disk).
    const big = await addRetentionExport(
      env.database,
      env.storage,
      demo({ status: 'complete', sizeBytes: 10 }),
    );
    await env.database.db
      .updateTable('export')
      .set({ size_bytes: 3 * 1024 ** 3 })
      .where('id', '=', big.id)
      .execute();
    const archived = await addRetentionExport(
      env.database,
      env.storage,
      demo({ status: 'complete', sizeBytes: 700 }),
    );
    await addRetentionExport(env.database, env.storage, demo({ status: 'failed' }));
    await addRetentionExport(env.database, env.storage, demo({ status: 'queued' }));
    const other = await addOtherProject(env.database);
    const otherProject = await env.database.db
      .selectFrom('directory')
      .select('project_id')
      .where('id', '=', other.directoryId)
      .executeTakeFirstOrThrow();
    await addRetentionExport(env.database, env.storage, {
      projectId: otherProject.project_id,
      source: { directory: other.directoryId },
      status: 'complete',
      daysAgo: 1,
      sizeBytes: 5000,
    });
    const archive = await env.app.inject({
      method: 'DELETE',
      url: `/api/v1/projects/demo/exports/${archived.id}`,
    });
    expect(archive.statusCode).toBe(204);

    expect(await storageOf('demo')).toEqual({
      bytes: 1000 + 3 * 1024 ** 3,
      export_count: 2,
      retention: { retention_days: 30, keep_per_source: 5 },
    });
    expect((await storageOf('other')).bytes).toBe(5000);
  });

  it('says retention is off (null) on a server without it', async () => {
    const plain = await createTestApp(env.database, { env: {} });
    try {
      const response = await plain.app.inject({
        method: 'GET',
        url: '/api/v1/projects/demo/exports/storage',
      });
      expect(response.json<ExportStorageResponse>().retention).toEqual({
        retention_days: null,
        keep_per_source: null,
      });
    } finally {
      await plain.close();
    }
  });
});
