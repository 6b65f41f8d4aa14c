import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
} from './annex-errors.ts';
import { AnnexHttpClient, retryAfterSeconds } from './annex-http-client.ts';
import { basicAuthorization } from './api-credentials.ts';
import type { ResolvedCredentials } from './api-credentials.ts';

// Where the API key goes and how refusals read, against two small stand-in servers: "annex" (the
// host) and "elsewhere" (another origin, as a presigned storage URL would be). The same against the
// real server is in project-client-auth.test.ts.

interface Seen {
  path: string;
  authorization: string | undefined;
}

const key: ResolvedCredentials = {
  clientId: 'annex_key',
  clientSecret: 'never-leaves-the-host',
  source: 'options',
};
const seenByAnnex: Seen[] = [];
const seenElsewhere: Seen[] = [];
let annex: Server;
let elsewhere: Server;
let annexUrl: string;
let elsewhereUrl: string;

function envelope(
  response: ServerResponse,
  status: number,
  error: object,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ error }));
}

function annexAnswer(request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://x').pathname;
  seenByAnnex.push({ path, authorization: request.headers.authorization });
  switch (path) {
    case '/api/v1/redirect':
      response.writeHead(302, { location: `${elsewhereUrl}/landing` });
      response.end();
      return;
    case '/api/v1/unauthenticated':
      envelope(response, 401, {
        code: 'unauthenticated',
        message: 'The API key is not valid: check client_id and client_secret.',
        details: { reason: 'bad_api_key' },
      });
      return;
    case '/api/v1/forbidden':
      envelope(response, 403, {
        code: 'forbidden',
        message: 'Your role in project "demo" is viewer; generating exports needs editor.',
        details: { role: 'viewer', needed: 'editor' },
      });
      return;
    case '/api/v1/limited':
      envelope(
        response,
        429,
        { code: 'rate_limited', message: 'Too many exports for now.' },
        { 'retry-after': '42' },
      );
      return;
    case '/api/v1/limited-by-proxy':
      response.writeHead(429, { 'retry-after': new Date(Date.now() + 90_000).toUTCString() });
      response.end('<html>slow down</html>');
      return;
    case '/api/v1/projects/secret-project':
      envelope(response, 404, {
        code: 'not_found',
        message: 'Project "secret-project" was not found.',
        details: { project: 'secret-project' },
      });
      return;
    default:
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
  }
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

beforeAll(async () => {
  annex = createServer(annexAnswer);
  elsewhere = createServer((request, response) => {
    seenElsewhere.push({ path: request.url ?? '', authorization: request.headers.authorization });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  annexUrl = await listen(annex);
  elsewhereUrl = await listen(elsewhere);
});

afterAll(async () => {
  annex.close();
  elsewhere.close();
  await Promise.all([once(annex, 'close'), once(elsewhere, 'close')]);
});

function lastSeen(seen: Seen[]): Seen {
  const last = seen.at(-1);
  if (last === undefined) throw new Error('nothing arrived');
  return last;
}

describe('where the API key is sent', () => {
  it("goes as Basic auth with every call to the host's API", async () => {
    const client = new AnnexHttpClient(annexUrl, key);

    await client.send({ method: 'GET', path: '/api/v1/projects' });
    await client.fetchUrl('/api/v1/projects/demo');

    expect(lastSeen(seenByAnnex).authorization).toBe(basicAuthorization(key));
    expect(seenByAnnex.at(-2)?.authorization).toBe(basicAuthorization(key));
  });

  it('is not sent with a signed download link, which is its own permission', async () => {
    const client = new AnnexHttpClient(annexUrl, key);

    await client.fetchUrl('/files/exports/7?expires=1&signature=abc');

    expect(lastSeen(seenByAnnex)).toEqual({ path: '/files/exports/7', authorization: undefined });
  });

  it('is never sent to another origin, even to an /api/ path there', async () => {
    const client = new AnnexHttpClient(annexUrl, key);

    await client.fetchUrl(`${elsewhereUrl}/api/v1/exports/7?X-Amz-Signature=abc`);
    // Same address, other name: another origin to a browser, and so here.
    await client.fetchUrl(`${annexUrl.replace('127.0.0.1', 'localhost')}/files/x`);

    expect(lastSeen(seenElsewhere).authorization).toBeUndefined();
    expect(lastSeen(seenByAnnex).authorization).toBeUndefined();
  });

  it('is not carried along when the host redirects to another origin', async () => {
    const client = new AnnexHttpClient(annexUrl, key);

    await client.send({ method: 'GET', path: '/api/v1/redirect' });

    expect(lastSeen(seenByAnnex)).toEqual({
      path: '/api/v1/redirect',
      authorization: basicAuthorization(key),
    });
    expect(lastSeen(seenElsewhere)).toEqual({ path: '/landing', authorization: undefined });
  });

  it('stays under the base path of an annex behind a proxy', async () => {
    const client = new AnnexHttpClient(`${annexUrl}/annex`, key);

    await client.fetchUrl(`${annexUrl}/annex/api/v1/projects`);
    const underBase = lastSeen(seenByAnnex).authorization;
    await client.fetchUrl(`${annexUrl}/api/v1/projects`);

    expect(underBase).toBe(basicAuthorization(key));
    expect(lastSeen(seenByAnnex).authorization).toBeUndefined();
  });

  it('sends nothing when the client has no key, and keeps the secret out of what it shows', async () => {
    const anonymous = new AnnexHttpClient(annexUrl);
    await anonymous.send({ method: 'GET', path: '/api/v1/projects' });
    const client = new AnnexHttpClient(annexUrl, key);
    const { inspect } = await import('node:util');

    expect(lastSeen(seenByAnnex).authorization).toBeUndefined();
    expect(client.clientId).toBe('annex_key');
    expect(JSON.stringify(client)).not.toContain(key.clientSecret);
    expect(inspect(client, { depth: 5, showHidden: true })).not.toContain(key.clientSecret);
  });
});

describe('refusals', () => {
  it('a 401 is an AuthenticationError: the server reason, where the key came from, and what to do', async () => {
    const fromEnvironment = new AnnexHttpClient(annexUrl, { ...key, source: 'environment' });

    const error = await fromEnvironment
      .send({ method: 'GET', path: '/api/v1/unauthenticated' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AuthenticationError);
    const refused = error as AuthenticationError;
    expect(refused.httpStatus).toBe(401);
    expect(refused.code).toBe('unauthenticated');
    expect(refused.reason).toBe('bad_api_key');
    expect(refused.host).toBe(annexUrl);
    expect(refused.serverMessage).toBe(
      'The API key is not valid: check client_id and client_secret.',
    );
    expect(refused.message).toBe(
      'The API key is not valid: check client_id and client_secret. ' +
        'The key sent (client_id annex_key) came from ANNEX_CLIENT_ID/ANNEX_CLIENT_SECRET. ' +
        `Create an API key under "API keys" in the panel at ${annexUrl} and pass clientId/clientSecret ` +
        'to new Project({ … }), or set ANNEX_CLIENT_ID/ANNEX_CLIENT_SECRET.',
    );
    expect(refused.message).not.toContain(key.clientSecret);
  });

  it('a 403 is a PermissionError with the server message', async () => {
    const error = await new AnnexHttpClient(annexUrl, key)
      .send({ method: 'GET', path: '/api/v1/forbidden' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).httpStatus).toBe(403);
    expect((error as PermissionError).code).toBe('forbidden');
    expect((error as Error).message).toBe(
      'Your role in project "demo" is viewer; generating exports needs editor.',
    );
  });

  it('a 429 is a RateLimitedError with retryAfterSeconds from Retry-After, also from a proxy', async () => {
    const client = new AnnexHttpClient(annexUrl, key);

    const limited = await client
      .send({ method: 'POST', path: '/api/v1/limited', body: {} })
      .catch((caught: unknown) => caught);
    const byProxy = await client
      .send({ method: 'GET', path: '/api/v1/limited-by-proxy' })
      .catch((caught: unknown) => caught);

    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterSeconds).toBe(42);
    expect((limited as Error).message).toBe('Too many exports for now. Try again in 42 s.');
    expect(byProxy).toBeInstanceOf(RateLimitedError);
    expect((byProxy as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(88);
    expect((byProxy as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(90);
  });

  it("a project's 404 says it may also mean the account is not a member", async () => {
    const error = await new AnnexHttpClient(annexUrl, key)
      .send({ method: 'GET', path: '/api/v1/projects/secret-project' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe(
      'Project "secret-project" was not found. If it does exist, your account (API key annex_key) ' +
        'is not a member of it: annex does not show a project to someone outside it. Ask a project admin to add you.',
    );
  });
});

describe('retryAfterSeconds', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');

    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds('-5', now)).toBeUndefined();
  });
});
