import { describe, expect, it } from 'vitest';
import { parseErrorEnvelope } from './errors.ts';

describe('parseErrorEnvelope', () => {
  it('reads the error of an envelope', () => {
    expect(
      parseErrorEnvelope('{"error":{"code":"not_found","message":"Export 3 was not found."}}'),
    ).toEqual({ code: 'not_found', message: 'Export 3 was not found.' });
  });

  it('gives undefined for a body that is not the envelope', () => {
    expect(parseErrorEnvelope('')).toBeUndefined();
    expect(parseErrorEnvelope('<html>Bad Gateway</html>')).toBeUndefined();
    expect(parseErrorEnvelope('{"error":"Bad Request","code":"FST_ERR_BAD_URL"}')).toBeUndefined();
    expect(parseErrorEnvelope('{"error":{"code":"teapot","message":"no"}}')).toBeUndefined();
  });
});
