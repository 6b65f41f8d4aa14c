import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { createTestDatabase, TEST_POSTGRES_URL, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';

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

  it('GET /readyz answers 200 while the database answers', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', database: 'up' });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('GET /livez answers 200', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/livez' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'live' });
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
    const body = response.json<{ error: { code: string; message: string } }>();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toMatch(/^The database is not reachable/);
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
