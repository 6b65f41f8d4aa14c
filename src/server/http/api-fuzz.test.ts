import net from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdminAuthorization } from '../test-utils/test-accounts.ts';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import { testDialects } from '../db/test-database.ts';
import { createExportTestEnv, requestExport } from '../exports/export-test-harness.ts';
import type { ExportTestEnv } from '../exports/export-test-harness.ts';
import {
  contentTypeArb,
  idArb,
  junkBodyArb,
  otherMethodArb,
  projectArb,
  queryArb,
  routes,
  authorizationArb,
} from './api-fuzz-arbitraries.ts';

// Every route of the contract, fed random and adversarial values in every path parameter, query
// field, header and body field, on both databases. Whatever comes in, the API answers without a
// 5xx, every non-2xx answer is the one envelope, and the server keeps answering. Seeded and bounded
// (a fixed seed and run count per route) so it is the same few thousand requests on every run.
// What is sent (the generators and the route table) is in api-fuzz-arbitraries.ts.

const seed = 20_261_129;
const runsPerRoute = 250;

/** What is wrong with an answer, or undefined when it is one the API may give. */
function problemWith(response: LightMyRequestResponse): string | undefined {
  if (response.statusCode >= 500) return `a ${response.statusCode}`;
  if (response.statusCode < 300) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return `a ${response.statusCode} whose body is not JSON`;
  }
  return errorEnvelopeSchema.safeParse(parsed).success
    ? undefined
    : `a ${response.statusCode} outside the envelope`;
}

describe.each(testDialects)('API fuzzing on %s', (dialect) => {
  let env: ExportTestEnv;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect, { WAIT_TIMEOUT_SECONDS: '2' });
    await env.startWorker();
    // A few exports, so small fuzzed ids name real ones (and their links, files and archiving).
    for (const directoryId of Object.values(env.demo.directories)
      .map((d) => d.id)
      .slice(0, 3)) {
      await requestExport(env.app, 'demo', {
        source: 'directory',
        directory_id: directoryId,
        ann_is_complete: false,
      });
    }
  });
  afterAll(async () => {
    await env.close();
  });

  async function expectStillAnswering(): Promise<void> {
    const response = await env.app.inject({ method: 'GET', url: '/api/v1/projects' });
    expect(response.statusCode).toBe(200);
  }

  it.each(routes.map((route, index) => ({ ...route, index })))(
    '$name: no 5xx, every error in the envelope',
    async (route) => {
      const bodyArb = fc.oneof(
        { weight: route.body === undefined ? 0 : 6, arbitrary: route.body ?? fc.constant('') },
        { weight: route.body === undefined ? 6 : 0, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: junkBodyArb },
      );
      await fc.assert(
        fc.asyncProperty(
          projectArb,
          idArb,
          queryArb(route.query ?? fc.constant([])),
          fc.boolean(),
          authorizationArb,
          contentTypeArb,
          bodyArb,
          otherMethodArb,
          async (project, id, query, signIt, authorization, contentType, body, otherMethod) => {
            let search = query;
            // The download route: a link signed for the id (when it is one) is the valid query.
            if (route.signed === true && signIt && /^\d{1,9}$/.test(id))
              search = `${env.linkSigner.sign(Number(id)).path.split('?')[1] ?? ''}&${query}`;
            const url = `${route.path(project, id)}${search === '' ? '' : `?${search}`}`;
            const method = otherMethod ?? route.method;
            const headers: Record<string, string> = {};
            if (authorization !== undefined) headers.authorization = authorization;
            if (body !== undefined && contentType !== undefined)
              headers['content-type'] = contentType;
            const response = await env.app.inject({
              method,
              url,
              headers,
              ...(body === undefined ? {} : { payload: body }),
            });
            const problem = problemWith(response);
            if (problem !== undefined) {
              throw new Error(
                `${method} ${url} ${JSON.stringify(headers)} ${String(body).slice(0, 200)} answered ${problem}: ${response.body.slice(0, 300)}`,
              );
            }
          },
        ),
        // The create route has the most fields, so it gets the most runs.
        {
          seed: seed + route.index,
          numRuns: route.body === undefined ? runsPerRoute : runsPerRoute * 3,
        },
      );
      await expectStillAnswering();
    },
  );

  it("answers random request lines and headers on a socket in the envelope (Node's parser too)", async () => {
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = env.app.server.address() as AddressInfo;
    const lineArb = fc.tuple(
      fc.oneof(
        fc.constantFrom('GET', 'POST', 'DELETE', 'BREW', 'get', 'G\u00e9T', ''),
        fc.string({ maxLength: 8 }),
      ),
      fc.oneof(
        projectArb.map((p) => `/api/v1/projects/${p}`),
        fc.string({
          unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)),
          maxLength: 60,
        }),
      ),
      fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', ''),
      fc.array(
        fc.tuple(
          fc.constantFrom(
            'Host',
            'Authorization',
            'Content-Type',
            'Content-Length',
            'Transfer-Encoding',
            'X\u00ff',
          ),
          fc.string({
            unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)),
            maxLength: 40,
          }),
        ),
        { maxLength: 4 },
      ),
    );
    await fc.assert(
      fc.asyncProperty(lineArb, async ([method, target, version, headers]) => {
        const head = [
          `${method} ${target} ${version}`,
          'Host: fuzz',
          ...headers.map(([k, v]) => `${k}: ${v}`),
        ];
        const answer = await rawExchange(
          port,
          Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'),
        );
        // No answer at all is Node closing a connection it cannot read; anything answered is checked.
        if (answer === '') return;
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]);
        const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
        if (!(status < 500))
          throw new Error(`${JSON.stringify(head)} answered ${answer.slice(0, 200)}`);
        if (
          status >= 300 &&
          body !== '' &&
          !errorEnvelopeSchema.safeParse(safeJson(body)).success
        ) {
          throw new Error(
            `${JSON.stringify(head)} answered outside the envelope: ${answer.slice(0, 300)}`,
          );
        }
      }),
      { seed, numRuns: 40 },
    );
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/projects`, {
      headers: { authorization: testAdminAuthorization },
    });
    expect(response.status).toBe(200);
  });
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sends raw bytes, reads the first answer, and closes: a bounded exchange even when Node never answers. */
function rawExchange(port: number, request: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    const finish = (): void => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    // A request the server reads as still arriving (a content-length with no body) waits for more.
    socket.setTimeout(300, finish);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      if (headEnd >= 0 && length !== undefined && text.length >= headEnd + 4 + Number(length))
        finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}
