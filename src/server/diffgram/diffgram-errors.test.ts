import { describe, expect, it } from 'vitest';
import { diffgramAnswerOf } from './diffgram-errors.ts';

// The statuses the Diffgram SDK shows a message for: 400 (the body), 403 ("Invalid Permission" and
// the body), 429; a 401, 404, 409 or 422 would reach its user as a bare HTTPError without a word.

describe('diffgramAnswerOf', () => {
  it('answers "who are you" and "may you" as 403, keeping the message', () => {
    expect(
      diffgramAnswerOf({
        statusCode: 401,
        code: 'unauthenticated',
        message: 'The API key is not valid.',
        details: { reason: 'bad_api_key' },
      }),
    ).toEqual({ statusCode: 403, text: 'The API key is not valid.' });
    expect(
      diffgramAnswerOf({ statusCode: 403, code: 'forbidden', message: 'Needs editor.' }),
    ).toEqual({ statusCode: 403, text: 'Needs editor.' });
  });

  it('tells a script that sent no key to give Project(...) one', () => {
    const answer = diffgramAnswerOf({
      statusCode: 401,
      code: 'unauthenticated',
      message: 'Sign in first.',
      details: { reason: 'no_credentials' },
    });
    expect(answer.statusCode).toBe(403);
    expect(answer.text).toMatch(/^No API key was sent: give Project\(\.\.\.\) the client_id/);
  });

  it('answers every other refusal as a 400 with its message: never 404, 409, 413, 415 or 422', () => {
    const refusals = [
      { statusCode: 404, code: 'not_found' as const },
      { statusCode: 409, code: 'export_not_ready' as const },
      { statusCode: 409, code: 'export_failed' as const },
      { statusCode: 422, code: 'export_failed' as const },
      { statusCode: 413, code: 'bad_request' as const },
      { statusCode: 415, code: 'bad_request' as const },
      { statusCode: 400, code: 'validation_failed' as const },
    ];
    for (const refusal of refusals) {
      expect(diffgramAnswerOf({ ...refusal, message: 'Why.' })).toEqual({
        statusCode: 400,
        text: 'Why.',
      });
    }
  });

  it('keeps a 429 (the SDK says "Rate Limited") and server-side failures', () => {
    for (const statusCode of [429, 500, 503]) {
      expect(diffgramAnswerOf({ statusCode, code: 'internal', message: 'Later.' }).statusCode).toBe(
        statusCode,
      );
    }
  });
});
