import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { seedDemoProject } from '../seed/demo-project.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import { corsOriginsList } from './cors.ts';

const preflight = (origin: string) => ({
  method: 'OPTIONS' as const,
  url: '/api/v1/projects/demo/exports',
  headers: {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type',
  },
});

describe('corsOriginsList', () => {
  it('reads comma-separated origins, a trailing slash allowed', () => {
    expect(corsOriginsList('https://a.example, https://b.example:8443/')).toEqual([
      'https://a.example',
      'https://b.example:8443',
    ]);
    expect(corsOriginsList(undefined)).toEqual([]);
  });

  it('names an entry that is not an origin', () => {
    expect(() => corsOriginsList('a.example')).toThrow(/"a.example" is not an origin/);
    expect(() => corsOriginsList('https://a.example/app')).toThrow(/"https:\/\/a.example\/app"/);
  });
});

describe('CORS (SQLite)', () => {
  let database: TestDatabase;
  let closed: TestApp;
  let open: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    await seedDemoProject(database);
    closed = await createTestApp(database);
    open = await createTestApp(database, {
      env: { CORS_ORIGINS: 'https://a.example,https://b.example' },
    });
  });
  afterAll(async () => {
    await closed.close();
    await open.close();
    await database.drop();
  });

  it('by default: no Access-Control-Allow-Origin anywhere, and a preflight fails', async () => {
    const read = await closed.app.inject({
      url: '/api/v1/projects',
      headers: { origin: 'https://a.example' },
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    const response = await closed.anonymousApp.inject(preflight('https://a.example'));
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('with CORS_ORIGINS: exactly those origins, with credentials, GET/POST/PATCH/DELETE', async () => {
    for (const origin of ['https://a.example', 'https://b.example']) {
      const response = await open.anonymousApp.inject(preflight(origin));
      expect(response.statusCode, origin).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers['access-control-allow-methods']).toBe('GET, POST, PATCH, DELETE');
      const read = await open.app.inject({ url: '/api/v1/projects', headers: { origin } });
      expect(read.headers['access-control-allow-origin']).toBe(origin);
    }
    const other = await open.anonymousApp.inject(preflight('https://c.example'));
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const otherRead = await open.app.inject({
      url: '/api/v1/projects',
      headers: { origin: 'https://c.example' },
    });
    expect(otherRead.headers['access-control-allow-origin']).toBeUndefined();
  });
});
