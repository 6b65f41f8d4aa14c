import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { pendingMigrations } from '../db/migrator.ts';
import { createTestDatabase, TEST_POSTGRES_URL, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { LocalExportStorage } from '../storage/local-export-storage.ts';
import { createTestApp, createTestDataDir } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import { installErrorHandler } from './error-handler.ts';
import { healthRoutes } from './health.routes.ts';
import type { ReadinessDetails } from './health.routes.ts';

interface NotReady {
  error: { code: string; message: string; details: ReadinessDetails };
}

/** Export storage on a DATA_DIR whose `exports` is a plain file: every check of it fails. */
function brokenStorage(): { storage: LocalExportStorage; dataDir: string } {
  const dataDir = createTestDataDir();
  fs.writeFileSync(path.join(dataDir, 'exports'), 'not a folder');
  return { storage: LocalExportStorage.forDataDir(dataDir), dataDir };
}

describe.each(testDialects)('health probes on %s', (dialect) => {
  let database: TestDatabase;
  let test: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    test = await createTestApp(database);
  });
  afterAll(async () => {
    await test.close();
    await database.drop();
  });

  it('GET /readyz answers 200 listing each part up', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      database: 'up',
      storage: 'up',
      migrations: 'up',
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('GET /healthz and its older name GET /livez answer 200', async () => {
    for (const url of ['/healthz', '/livez']) {
      const response = await test.anonymousApp.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.json(), url).toEqual({ status: 'live' });
      expect(response.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('GET /readyz answers 503 naming the pending migration when the schema is behind this build', async () => {
    expect(await pendingMigrations(database)).toEqual([]);
    // As if this build brought a migration the database has not seen: forget the newest one ran.
    const { rows } = await sql<{
      name: string;
      timestamp: string;
    }>`select name, timestamp from kysely_migration order by name desc`.execute(database.db);
    const newest = rows[0];
    if (newest === undefined) throw new Error('no migration recorded');
    await sql`delete from kysely_migration where name = ${newest.name}`.execute(database.db);
    try {
      const response = await test.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      const { error } = response.json<NotReady>();
      expect(error.code).toBe('unavailable');
      expect(error.message).toContain(`migration(s) ${newest.name} pending`);
      expect(error.details).toEqual({
        database: 'up',
        storage: 'up',
        migrations: 'pending',
        pending_migrations: [newest.name],
      });
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${newest.name}, ${newest.timestamp})`.execute(
        database.db,
      );
    }
    expect((await test.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('GET /readyz answers 503 naming storage (and only storage) when the export storage is not reachable', async () => {
    const { storage, dataDir } = brokenStorage();
    const broken = await createTestApp(database, { dataDir, deps: { storage } });
    try {
      const response = await broken.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      const { error } = response.json<NotReady>();
      expect(error.code).toBe('unavailable');
      expect(error.message).toMatch(/^The export storage is not reachable/);
      expect(error.message).not.toContain('database');
      expect(error.details).toEqual({
        database: 'up',
        storage: 'down',
        migrations: 'up',
        pending_migrations: [],
      });
      // Never the cause's own words (paths, endpoints) to an anonymous caller.
      expect(response.body).not.toContain(dataDir);
    } finally {
      await broken.close();
    }
  });
});

describe.each(testDialects)('health probes on %s with the database closed', (dialect) => {
  let database: TestDatabase;
  let test: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    test = await createTestApp(database);
    await database.close();
  });
  afterAll(async () => {
    await test.close();
    await database.drop();
  });

  it('GET /readyz answers 503 naming the database; migrations are unknown, storage still up', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    const { error } = response.json<NotReady>();
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/^The database is not reachable/);
    expect(error.message).not.toContain('export storage');
    expect(error.details).toEqual({
      database: 'down',
      storage: 'up',
      migrations: 'unknown',
      pending_migrations: [],
    });
  });

  it('GET /healthz still answers 200: the process is fine, only not ready', async () => {
    expect((await test.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('with the database unreachable (PostgreSQL on a port nobody listens on)', () => {
  let database: TestDatabase;
  let test: TestApp;
  beforeAll(async () => {
    // Port 1 refuses at once: the same answer a stopped or restarting server gives.
    const url = TEST_POSTGRES_URL.replace(':5432', ':1');
    const unreachable = await openDatabase(url, { poolSize: 2 });
    database = { ...unreachable, url, drop: () => unreachable.close() };
    test = await createTestApp(database, { withTestAdmin: false });
  });
  afterAll(async () => {
    await test.close();
    await database.drop();
  });

  it('GET /readyz answers 503 `unavailable` in the envelope', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    const body = response.json<NotReady>();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toMatch(/^The database is not reachable/);
    expect(body.error.details.database).toBe('down');
  });

  it('GET /livez still answers 200: the process is fine, only not ready', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/livez' });
    expect(response.statusCode).toBe(200);
  });

  it('an API call that needs the database answers 503 `unavailable`, not 500', async () => {
    for (const url of [
      '/api/v1/projects',
      '/api/v1/projects/demo',
      '/api/v1/projects/demo/exports',
    ]) {
      const response = await test.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(503);
      expect(response.json<{ error: { code: string } }>().error.code, url).toBe('unavailable');
    }
  });
});

describe('readiness with parts that hang', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await database.drop();
  });

  it('counts a storage check that does not answer within the timeout as down, and answers in time', async () => {
    const app = Fastify().withTypeProvider();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandler(app, { notFound: true });
    await app.register(healthRoutes, {
      database,
      checkStorage: () => new Promise<void>(() => undefined),
      readinessTimeoutMs: 150,
    });
    try {
      const started = Date.now();
      const response = await app.inject({ method: 'GET', url: '/readyz' });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(response.statusCode).toBe(503);
      expect(response.json<NotReady>().error.details).toMatchObject({
        database: 'up',
        storage: 'down',
      });
    } finally {
      await app.close();
    }
  });
});
