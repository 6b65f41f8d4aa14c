import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { errorOf } from '../test-utils/api-responses.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';

// The router decodes a path before matching, so `/%61pi/v1/projects` is an API route; the rules
// for the API (credentials first, no caching) must not depend on how the path was spelled.

describe('an API path spelled with percent-escapes', () => {
  let database: TestDatabase;
  let test: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    test = await createTestApp(database);
  });
  afterAll(async () => {
    await test.close();
    await database.drop();
  });

  it('needs credentials and is not cached, like the plain spelling', async () => {
    const anonymous = await test.anonymousApp.inject({ method: 'GET', url: '/%61pi/v1/projects' });
    expect(anonymous.statusCode).toBe(401);
    expect(errorOf(anonymous).code).toBe('unauthenticated');
    expect(anonymous.headers['cache-control']).toBe('no-store');

    const signedIn = await test.app.inject({ method: 'GET', url: '/%61pi/v1/projects' });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.headers['cache-control']).toBe('no-store');
  });
});
