import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResponseSchema } from '../../contract/imports.ts';
import type { Import } from '../../contract/imports.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { seedDemoProject } from '../seed/demo-project.ts';
import { LocalImportUploads } from '../storage/import-uploads.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import { ImportEvents } from './import-events.ts';
import { createEmptyProject, exportDirectory, packetList } from './import-test-helpers.ts';
import { RecordingLogger } from './import-test-runners.ts';
import { ImportWorker } from './import-worker.ts';

// The whole way, with the real parts: the demo project's export uploaded through the route (the
// real upload check), run by a worker with its default runner (the pipeline), read back through
// GET; then the same file again, which updates those files in place.

describe.each(testDialects)('an import from upload to rows on %s', (dialect) => {
  let database: TestDatabase;
  let built: TestApp;
  let worker: ImportWorker;
  let filePath: string;
  let packetCount: number;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const demo = await seedDemoProject(database);
    await createEmptyProject(database, 'target');
    built = await createTestApp(database);
    const exported = await exportDirectory(
      database,
      demo.projectId,
      demo.defaultDirectoryId,
      built.dataDir,
    );
    filePath = exported.outPath;
    packetCount = packetList(exported.file).length;
    const events = new ImportEvents();
    // The app's events are private to it: the worker finds uploads by polling, as a worker process does.
    worker = new ImportWorker({
      database,
      config: { ...built.config, WORKER_POLL_MS: 50 },
      workerId: 'end-to-end',
      uploads: LocalImportUploads.forDataDir(built.dataDir),
      events,
      logger: new RecordingLogger(),
    });
    worker.start();
  }, 120_000);
  afterAll(async () => {
    await worker.stop();
    await built.close();
    await database.drop();
  });

  async function importOnce(): Promise<Import> {
    const response = await built.app.inject({
      method: 'POST',
      url: '/api/v1/projects/target/imports?directory=From%20demo&filename=demo.json',
      headers: { 'content-type': 'application/json' },
      payload: fs.createReadStream(filePath),
    });
    expect(response.statusCode).toBe(202);
    const { id } = importResponseSchema.parse(response.json()).import;
    for (;;) {
      const read = await built.app.inject({ url: `/api/v1/projects/target/imports/${id}` });
      const record = importResponseSchema.parse(read.json()).import;
      if (record.status === 'complete' || record.status === 'failed') return record;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('imports the demo export into a new directory, then updates it in place from the same file', async () => {
    const first = await importOnce();
    expect(first).toMatchObject({
      status: 'complete',
      status_text: null,
      percent_complete: 100,
      directory: { name: 'From demo' },
      packet_count: packetCount,
      files_created: packetCount,
      files_updated: 0,
      error_count: 0,
      original_filename: 'demo.json',
      size_bytes: fs.statSync(filePath).size,
    });
    expect(first.instances_created).toBeGreaterThan(0);

    const again = await importOnce();
    expect(again).toMatchObject({
      status: 'complete',
      directory: first.directory,
      files_created: 0,
      // The same file: every file is matched and none changed.
      files_updated: 0,
    });
    // Both uploads are removed once their imports are final (just after the final write).
    const uploads = LocalImportUploads.forDataDir(built.dataDir);
    while ((await uploads.list()).length > 0)
      await new Promise((resolve) => setTimeout(resolve, 10));
  });
});
