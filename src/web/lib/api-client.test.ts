import { File as NodeFile } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exportSchema } from '../../contract/exports.ts';
import { http, HttpResponse } from 'msw';
import {
  apiPath,
  errorResponse,
  jsonResponse,
  recordRequests,
  server,
} from '../test-utils/api-server.ts';
import { buildExport } from '../test-utils/builders.ts';
import { vi } from 'vitest';
import {
  ApiRequestError,
  apiRequest,
  apiRequestNoContent,
  apiUpload,
  apiUrl,
  isUnauthenticated,
} from './api-client.ts';

async function rejection(promise: Promise<unknown>): Promise<ApiRequestError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ApiRequestError))
    throw new Error(`expected an ApiRequestError, got ${String(error)}`);
  return error;
}

describe('apiUrl', () => {
  it('prefixes /api/v1 and encodes the query, leaving out undefined values', () => {
    expect(
      apiUrl('/projects/a/exports', { cursor: undefined, limit: 25, source: 'job & more' }),
    ).toBe('/api/v1/projects/a/exports?limit=25&source=job+%26+more');
    expect(apiUrl('/projects')).toBe('/api/v1/projects');
  });
});

describe('apiRequest', () => {
  it('parses the answer with the contract schema', async () => {
    const item = buildExport({ id: 4 });
    server.use(http.get(apiPath('/projects/demo/exports/4'), () => jsonResponse(item)));
    const log = recordRequests();
    await expect(apiRequest('/projects/demo/exports/4', exportSchema)).resolves.toEqual(item);
    expect(log.requests[0]?.method).toBe('GET');
  });

  it('sends a body as JSON', async () => {
    let body: unknown;
    server.use(
      http.post(apiPath('/things'), async ({ request }) => {
        body = await request.json();
        return jsonResponse({ ok: true }, 202);
      }),
    );
    await apiRequest('/things', z.object({ ok: z.boolean() }), {
      method: 'POST',
      body: { source: 'directory' },
    });
    expect(body).toEqual({ source: 'directory' });
  });

  it('sends PATCH with its body, and the session cookie with every call', async () => {
    let body: unknown;
    server.use(
      http.patch(apiPath('/things/1'), async ({ request }) => {
        body = await request.json();
        return jsonResponse({ ok: true });
      }),
    );
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    await apiRequest('/things/1', z.object({ ok: z.boolean() }), {
      method: 'PATCH',
      body: { role: 'viewer' },
    });
    expect(body).toEqual({ role: 'viewer' });
    expect(fetchSpy.mock.calls[0]?.[1]).toMatchObject({
      method: 'PATCH',
      credentials: 'same-origin',
    });
  });

  it('turns the error envelope into an error carrying the server’s message, status and code', async () => {
    server.use(
      http.post(apiPath('/projects/demo/exports/4/link'), () =>
        errorResponse(409, 'export_not_ready', 'Export not ready yet'),
      ),
    );
    const error = await rejection(
      apiRequest('/projects/demo/exports/4/link', exportSchema, { method: 'POST' }),
    );
    expect(error.message).toBe('Export not ready yet');
    expect(error.status).toBe(409);
    expect(error.code).toBe('export_not_ready');
  });

  it('explains an error answer that is not the envelope', async () => {
    server.use(
      http.get(
        apiPath('/projects'),
        () =>
          new HttpResponse('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
      ),
    );
    const error = await rejection(apiRequest('/projects', z.object({})));
    expect(error.message).toContain('The server answered GET /projects with HTTP 502 Bad Gateway');
    expect(error.code).toBe('bad_response');
  });

  it('names the fields of an answer that breaks the contract', async () => {
    server.use(
      http.get(apiPath('/projects/demo/exports/4'), () =>
        // Deliberately off-contract: the status the schema does not know is what the test is about.
        jsonResponse({ ...buildExport(), status: 'paused' }),
      ),
    );
    const error = await rejection(apiRequest('/projects/demo/exports/4', exportSchema));
    expect(error.message).toContain('does not match the contract');
    expect(error.message).toContain('status');
  });

  it('says so when the answer is not JSON', async () => {
    server.use(http.get(apiPath('/projects'), () => new HttpResponse('<html></html>')));
    const error = await rejection(apiRequest('/projects', z.object({})));
    expect(error.message).toContain('was not JSON');
  });

  it('says the server could not be reached when fetch fails', async () => {
    server.use(http.get(apiPath('/projects'), () => HttpResponse.error()));
    const error = await rejection(apiRequest('/projects', z.object({})));
    expect(error.status).toBe(0);
    expect(error.message).toContain('Could not reach the annex server');
  });

  it('lets an abort through untouched', async () => {
    const log = recordRequests();
    const controller = new AbortController();
    controller.abort();
    await expect(
      apiRequest('/projects', z.object({}), { signal: controller.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    // The default handler would have answered; an aborted request never reaches the network.
    expect(log.requests).toHaveLength(0);
  });
});

describe('apiRequestNoContent', () => {
  it('resolves on 204 and rejects with the envelope’s message otherwise', async () => {
    server.use(
      http.delete(
        apiPath('/projects/demo/exports/4'),
        () => new HttpResponse(null, { status: 204 }),
      ),
      http.delete(apiPath('/projects/demo/exports/5'), () =>
        errorResponse(404, 'not_found', 'Export 5 does not exist.'),
      ),
    );
    await expect(
      apiRequestNoContent('/projects/demo/exports/4', { method: 'DELETE' }),
    ).resolves.toBeUndefined();
    const error = await rejection(
      apiRequestNoContent('/projects/demo/exports/5', { method: 'DELETE' }),
    );
    expect(error.message).toBe('Export 5 does not exist.');
  });
});

describe('apiUpload', () => {
  // Node's Blob, not jsdom's: msw turns the XMLHttpRequest into a Node Request, which reads only Node's.
  const body = new NodeFile(['{"readme":{}}'], 'a.json') as unknown as Blob;

  it('POSTs the body as is with its type and query, reports progress, and parses the answer', async () => {
    let sent = { text: '', type: '', query: '' };
    server.use(
      http.post(apiPath('/projects/demo/imports'), async ({ request }) => {
        sent = {
          text: await request.text(),
          type: request.headers.get('content-type') ?? '',
          query: new URL(request.url).search,
        };
        return jsonResponse({ ok: true }, 202);
      }),
    );
    const progress: string[] = [];
    await expect(
      apiUpload('/projects/demo/imports', z.object({ ok: z.boolean() }), {
        body,
        contentType: 'application/json',
        query: { directory: 'Night drive', on_error: 'skip', filename: undefined },
        onProgress: ({ loaded, total }) => progress.push(`${String(loaded)}/${String(total)}`),
      }),
    ).resolves.toEqual({ ok: true });
    expect(sent).toEqual({
      text: '{"readme":{}}',
      type: 'application/json',
      query: '?directory=Night+drive&on_error=skip',
    });
    expect(progress[0]).toBe('0/13');
    expect(progress.at(-1)).toBe('13/13');
  });

  it('turns the error envelope into an error with the server’s message and code', async () => {
    server.use(
      http.post(apiPath('/projects/demo/imports'), () =>
        errorResponse(400, 'invalid_import_file', 'This is not a Diffgram JSON file.'),
      ),
    );
    const error = await rejection(
      apiUpload('/projects/demo/imports', z.object({}), { body, contentType: 'application/json' }),
    );
    expect(error.message).toBe('This is not a Diffgram JSON file.');
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_import_file');
  });

  it('is an ended session on 401, as every other call', async () => {
    server.use(
      http.post(apiPath('/projects/demo/imports'), () =>
        errorResponse(401, 'unauthenticated', 'Sign in to continue.'),
      ),
    );
    const error = await rejection(
      apiUpload('/projects/demo/imports', z.object({}), { body, contentType: 'application/json' }),
    );
    expect(isUnauthenticated(error)).toBe(true);
  });

  it('explains an answer that is not the envelope, or one that breaks the contract', async () => {
    server.use(
      http.post(
        apiPath('/projects/demo/imports'),
        () => new HttpResponse('<html>Too large</html>', { status: 413, statusText: 'Too Large' }),
      ),
      http.post(apiPath('/projects/demo/imports/odd'), () => jsonResponse({ ok: 'yes' }, 202)),
    );
    const notEnvelope = await rejection(
      apiUpload('/projects/demo/imports', z.object({}), { body, contentType: 'application/json' }),
    );
    expect(notEnvelope.message).toContain(
      'The server answered POST /projects/demo/imports with HTTP 413',
    );
    const offContract = await rejection(
      apiUpload('/projects/demo/imports/odd', z.object({ ok: z.boolean() }), {
        body,
        contentType: 'application/json',
      }),
    );
    expect(offContract.message).toContain('does not match the contract (ok:');
  });

  it('says the server could not be reached when the connection fails', async () => {
    server.use(http.post(apiPath('/projects/demo/imports'), () => HttpResponse.error()));
    const error = await rejection(
      apiUpload('/projects/demo/imports', z.object({}), { body, contentType: 'application/json' }),
    );
    expect(error.status).toBe(0);
    expect(error.code).toBe('network');
  });

  it('rejects with an AbortError and sends nothing when aborted first', async () => {
    const log = recordRequests();
    const controller = new AbortController();
    controller.abort();
    await expect(
      apiUpload('/projects/demo/imports', z.object({}), {
        body,
        contentType: 'application/json',
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(log.requests).toHaveLength(0);
  });
});

describe('isUnauthenticated', () => {
  it('is true only for a 401 with the unauthenticated code', () => {
    expect(isUnauthenticated(new ApiRequestError('Sign in.', 401, 'unauthenticated'))).toBe(true);
    expect(isUnauthenticated(new ApiRequestError('No.', 403, 'forbidden'))).toBe(false);
    expect(isUnauthenticated(new ApiRequestError('Odd.', 401, 'bad_response'))).toBe(false);
    expect(isUnauthenticated(new Error('Sign in.'))).toBe(false);
  });
});
