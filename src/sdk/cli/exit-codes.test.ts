import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ImportFailedError,
  ImportTimeoutError,
  InvalidImportFileError,
  InvalidInputError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
} from '../annex-errors.ts';
import { importRecordOf } from '../test-utils/record-builders.ts';
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

  it("gives a failed import and a file refused as not Diffgram JSON the failed export's 4, and its timeout 6", () => {
    const failed = importRecordOf({
      status: 'failed',
      status_text: '1 packet has problems; nothing was written.',
      error_count: 1,
      errors: [{ packet: '812', path: 'instance_list[3] › x_max', message: 'expected a number' }],
    });
    const notDiffgram = new InvalidImportFileError('This is not a Diffgram JSON file.', {
      code: 'invalid_import_file',
      httpStatus: 400,
    });

    expect(exitCodeFor(new ImportFailedError(failed))).toBe(exitCodes.failed);
    expect(exitCodeFor(notDiffgram)).toBe(4);
    // Any other invalid request stays a usage error.
    expect(exitCodeFor(new InvalidInputError('bad', { code: 'bad_request' }))).toBe(2);
    expect(exitCodeFor(new ImportTimeoutError('still running', failed))).toBe(6);
  });
});
