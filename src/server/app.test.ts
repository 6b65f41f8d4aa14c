import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../contract/errors.ts';
import type { Export } from '../contract/exports.ts';
import { createTestDatabase, testDialects } from './db/test-database.ts';
import type { TestDatabase } from './db/test-database.ts';
import { seedDemoProject } from './seed/demo-project.ts';
import type { DemoProjectSummary } from './seed/demo-project.ts';
import { createTestApp } from './test-utils/test-app.ts';
import type { TestApp } from './test-utils/test-app.ts';

describe.each(testDialects)(
  'buildApp with defaults from config, beside the panel, on %s',
  (dialect) => {
    let database: TestDatabase;
    let demo: DemoProjectSummary;
    let built: TestApp;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      demo = await seedDemoProject(database);
      built = await createTestApp(database, { env: { LINK_SECRET: undefined }, withPanel: true });
    });
    afterAll(async () => {
      await built.close();
      await database.drop();
    });

    it('keeps a generated link secret in DATA_DIR, readable by its owner only', () => {
      expect(fs.statSync(path.join(built.dataDir, 'link-secret')).mode & 0o777).toBe(0o600);
    });

    it('serves export routes and download links, not the panel, on their paths', async () => {
      const { app } = built;
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/projects/demo/exports',
        payload: { source: 'directory', directory_id: demo.defaultDirectoryId },
      });
      expect(created.statusCode).toBe(202);
      const download = await app.inject({
        method: 'GET',
        url: `/files/exports/${created.json<Export>().id}?expires=1&signature=x`,
      });
      expect(download.statusCode).toBe(403);
      const unknownApi = await app.inject({ method: 'GET', url: '/api/v1/nothing' });
      expect(unknownApi.statusCode).toBe(404);
      expect(unknownApi.json<ErrorEnvelope>().error.code).toBe('not_found');
      const panel = await app.inject({ method: 'GET', url: '/projects/demo/export' });
      expect(panel.statusCode).toBe(200);
      expect(panel.headers['content-type']).toMatch(/^text\/html/);
    });
  },
);
