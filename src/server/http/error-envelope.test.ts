import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdminAuthorization } from '../test-utils/test-accounts.ts';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import { testDialects } from '../db/test-database.ts';
import { createExportTestEnv } from '../exports/export-test-harness.ts';
import type { ExportTestEnv } from '../exports/export-test-harness.ts';

// Every refusal, from Fastify's router and body parser and from Node's HTTP parser too, answers with
// the one envelope and the status that names the problem. The parser's refusals never reach
// `inject`, so those go through a raw socket to a listening server.

const api = '/api/v1/projects';

/** Sends raw bytes to the server and reads everything it answers until it closes the connection. */
function rawRequest(port: number, request: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') });
    });
  });
}

function expectEnvelope(body: string): { code: string; message: string } {
  return errorEnvelopeSchema.parse(JSON.parse(body)).error;
}

describe.each(testDialects)("Fastify's and Node's own refusals on %s", (dialect) => {
  let env: ExportTestEnv;
  let port: number;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect);
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    port = (env.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await env.close();
  });

  it.each([
    ['bad percent-encoding', 400, `${api}/%ff`],
    ['a percent-escape cut short', 400, `${api}/demo%2/jobs`],
    ['a path parameter far over any limit', 414, `${api}/${'a'.repeat(5000)}`],
  ])('answers %s with %i in the envelope', async (_case, status, url) => {
    const response = await env.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(expectEnvelope(response.body).code).toBe('bad_request');
  });

  it('answers a body of another content type with 415 in the envelope', async () => {
    const response = await env.app.inject({
      method: 'POST',
      url: `${api}/demo/exports`,
      headers: { 'content-type': 'application/xml' },
      payload: '<source>directory</source>',
    });
    expect(response.statusCode).toBe(415);
    expect(expectEnvelope(response.body).message).toMatch(/application\/json/);
  });

  it('answers a body too large with 413 in the envelope', async () => {
    const response = await env.app.inject({
      method: 'POST',
      url: `${api}/demo/exports`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ source: 'directory', padding: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(expectEnvelope(response.body).code).toBe('bad_request');
    expect(expectEnvelope(response.body).message).toBe(
      'The body is larger than POST /api/v1/projects/:project/exports accepts (1 MiB). Requests here are small JSON objects: check what is being sent.',
    );
  });

  // The write API reads 64 MiB on two routes: their refusal states their limit, not the app's 1 MiB.
  // The length is declared and the body small: Fastify refuses by content-length before reading.
  it.each([
    ['POST', `${api}/demo/files`, 'POST /api/v1/projects/:project/files'],
    ['PUT', `${api}/demo/files/1/instances`, 'PUT /api/v1/projects/:project/files/:id/instances'],
  ] as const)(
    'states the 64 MiB limit of %s %s when it refuses a body',
    async (method, url, route) => {
      const response = await env.app.inject({
        method,
        url,
        headers: {
          'content-type': 'application/json',
          'content-length': String(64 * 1024 * 1024 + 1),
        },
        payload: '{}',
      });
      expect(response.statusCode).toBe(413);
      expect(expectEnvelope(response.body)).toEqual({
        code: 'bad_request',
        message: `The body is larger than ${route} accepts (64 MiB). Send less in one request (fewer instances per call, a shorter text).`,
      });
    },
  );

  it('takes a declared length within the 64 MiB of the instance route past the body parser', async () => {
    // Just over 1 MiB: what the app's limit refuses, the route's own reads (then its checks answer).
    const payload = JSON.stringify({ instance_list: [], pad: 'x'.repeat(1024 * 1024) });
    const response = await env.app.inject({
      method: 'PUT',
      url: `${api}/demo/files/1/instances`,
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(expectEnvelope(response.body).code).toBe('validation_failed');
  });

  it.each([
    [
      'oversized headers',
      431,
      `GET ${api} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ],
    ['an unknown method', 400, `BREW ${api} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a raw non-ASCII byte in the URL', 400, `GET ${api}/d\u00ffmo HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a request line that is not HTTP', 400, 'hello\r\n\r\n'],
  ])("answers %s (Node's parser) with %i in the envelope", async (_case, status, request) => {
    const response = await rawRequest(port, Buffer.from(request, 'latin1'));
    expect(response.status).toBe(status);
    expect(expectEnvelope(response.body).code).toBe('bad_request');
  });

  it('keeps answering after refusals at every layer', async () => {
    await rawRequest(port, Buffer.from('BREW / HTTP/1.1\r\n\r\n', 'latin1'));
    const response = await fetch(`http://127.0.0.1:${port}${api}`, {
      headers: { authorization: testAdminAuthorization },
    });
    expect(response.status).toBe(200);
  });
});
