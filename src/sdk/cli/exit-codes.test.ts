import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
} from '../annex-errors.ts';
import { exitCodeFor, exitCodes } from './exit-codes.ts';

// The exit codes of refusals a test server cannot easily be made to give (a 429), next to those it can.

describe('exitCodeFor', () => {
  it('gives 401, 403 and 429 their own codes: 7, 8 and 9', () => {
    const init = {
      httpStatus: 401,
      serverMessage: 'Sign in first.',
      host: 'http://127.0.0.1:8080',
    };

    expect(exitCodeFor(new AuthenticationError('Sign in first.', init))).toBe(7);
    expect(exitCodeFor(new PermissionError('viewer', { code: 'forbidden' }))).toBe(8);
    expect(exitCodeFor(new RateLimitedError('slow down', { retryAfterSeconds: 5 }))).toBe(9);
    expect(exitCodeFor(new NotFoundError('gone', { code: 'not_found' }))).toBe(3);
    expect([exitCodes.unauthenticated, exitCodes.forbidden, exitCodes.rateLimited]).toEqual([
      7, 8, 9,
    ]);
  });
});
