import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestAccount } from '../test-utils/test-accounts.ts';

// Requests to the Diffgram API as the Diffgram SDK sends them (../shared/docs/diffgram-api.md):
// Basic auth up front, JSON bodies, the `directory_id` header from the SDK's fourth call on. Tests
// send them through `inject` against the app they built.

/** One request as the SDK sends it. */
export interface SdkRequest {
  method: 'GET' | 'POST';
  /** The path after the host, starting `/api/` (or `//api/` for a host given with a trailing slash). */
  path: string;
  /** A POST's JSON body. */
  body?: unknown;
  /** Sends the `directory_id` header, as the SDK does once its project is set up. */
  directoryIdHeader?: number;
}

/**
 * Sends `request` with the credentials of `account`. Undefined sends none: pass the test env's
 * `anonymousApp` then, since `app` adds the test admin's key to a request that has none.
 */
export async function sdkCall(
  app: FastifyInstance,
  account: Pick<TestAccount, 'headers'> | undefined,
  request: SdkRequest,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (account !== undefined) headers.authorization = account.headers.authorization;
  if (request.directoryIdHeader !== undefined)
    headers.directory_id = String(request.directoryIdHeader);
  if (request.method === 'GET') return app.inject({ method: 'GET', url: request.path, headers });
  return app.inject({
    method: 'POST',
    url: request.path,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify(request.body ?? null),
  });
}

/** Expects a plain-text refusal with this status, and returns its text. */
export function expectTextRefusal(response: LightMyRequestResponse, status: number): string {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^text\/plain/);
  return response.body;
}
