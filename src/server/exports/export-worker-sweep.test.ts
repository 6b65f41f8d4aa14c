import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../db/test-database.ts';
import { addExportRow } from '../test-utils/test-records.ts';
import {
  createExportTestEnv,
  defaultDirectoryExport,
  exportRowOf,
  finalOf,
  RecordingLogger,
  requestExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// The sweep of files no export owns (a kill between renaming a file into place and marking its export
// complete): a starting worker removes them, and keeps the files of complete exports and fresh ones.

describe.each(testDialects)('export worker file sweep on %s', (dialect) => {
  let env: ExportTestEnv;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect);
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });

  it('sweeps at start the files no export owns, and keeps a complete export’s file and fresh files', async () => {
    const builder = await env.startWorker();
    const complete = await finalOf(
      env,
      (await requestExport(env.app, 'demo', defaultDirectoryExport(env))).id,
    );
    await builder.stop();
    expect(complete.status).toBe('complete');
    const completeKey = (await exportRowOf(env, complete.id)).storage_key;

    const failedRow = await addExportRow(env.database, {
      project_id: env.demo.projectId,
      directory_id: env.demo.defaultDirectoryId,
      status: 'failed',
    });
    const long = new Date(Date.now() - 3_600_000);
    const strayFinal = path.join(env.storage.root, `${failedRow.id}-0123456789abcdef.json`);
    const strayOfCompleteExport = path.join(
      env.storage.root,
      `${complete.id}-00000000deadbeef.json`,
    );
    const strayTemp = await env.storage.newTempPath(failedRow.id, 'gone-worker-1');
    const freshTemp = await env.storage.newTempPath(failedRow.id, 'gone-worker-2');
    for (const file of [strayFinal, strayOfCompleteExport, strayTemp, freshTemp]) {
      fs.writeFileSync(file, '{"partial":');
    }
    for (const file of [strayFinal, strayOfCompleteExport, strayTemp])
      fs.utimesSync(file, long, long);

    const logger = new RecordingLogger();
    const sweeper = await env.startWorker({ logger, sweepGraceMs: 60_000 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(fs.existsSync(strayFinal)).toBe(false);
      expect(fs.existsSync(strayOfCompleteExport)).toBe(false);
      expect(fs.existsSync(strayTemp)).toBe(false);
      expect(fs.existsSync(freshTemp)).toBe(true);
      if (completeKey === null) throw new Error('the complete export has no file');
      expect(fs.existsSync(env.storage.pathOf(completeKey))).toBe(true);
      expect(logger.lines).toContain(
        `warn: annex worker ${sweeper.workerId}: removed 2 export file(s) and 1 temporary file(s) no export owns`,
      );
    } finally {
      await sweeper.stop();
      fs.rmSync(freshTemp, { force: true });
    }
  });
});
