import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './annex-errors.ts';
import { basicAuthorization, resolveCredentials } from './api-credentials.ts';

// Where the API key comes from: the options, else the environment, never half from each.

const env = { ANNEX_CLIENT_ID: 'env_id', ANNEX_CLIENT_SECRET: 'env-secret' };

function refusal(resolve: () => unknown): InvalidInputError {
  try {
    resolve();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

describe('resolveCredentials', () => {
  it('takes clientId and clientSecret from the options, over the environment', () => {
    expect(resolveCredentials({ clientId: 'opt_id', clientSecret: 'opt-secret' }, env)).toEqual({
      clientId: 'opt_id',
      clientSecret: 'opt-secret',
      source: 'options',
    });
  });

  it('reads ANNEX_CLIENT_ID and ANNEX_CLIENT_SECRET when the options give neither', () => {
    expect(resolveCredentials({}, env)).toEqual({
      clientId: 'env_id',
      clientSecret: 'env-secret',
      source: 'environment',
    });
  });

  it('gives none when neither is anywhere, or the variables are empty', () => {
    expect(resolveCredentials({}, {})).toBeUndefined();
    expect(
      resolveCredentials({}, { ANNEX_CLIENT_ID: '', ANNEX_CLIENT_SECRET: '' }),
    ).toBeUndefined();
  });

  it('refuses half a key in the options, naming the missing half, and never fills it from the environment', () => {
    const noSecret = refusal(() => resolveCredentials({ clientId: 'opt_id' }, env));
    const noId = refusal(() => resolveCredentials({ clientSecret: 'opt-secret' }, env));

    expect(noSecret.message).toMatch(/^clientSecret is missing/);
    expect(noSecret.issues).toEqual([{ field: 'clientSecret', message: 'is missing' }]);
    expect(noId.message).toMatch(/^clientId is missing/);
    expect(noId.issues.map((issue) => issue.field)).toEqual(['clientId']);
  });

  it('refuses half a key in the environment, naming the variable that is not set', () => {
    const noSecret = refusal(() => resolveCredentials({}, { ANNEX_CLIENT_ID: 'env_id' }));
    const noId = refusal(() => resolveCredentials({}, { ANNEX_CLIENT_SECRET: 'env-secret' }));

    expect(noSecret.message).toMatch(/^ANNEX_CLIENT_SECRET is not set while ANNEX_CLIENT_ID is/);
    expect(noId.message).toMatch(/^ANNEX_CLIENT_ID is not set while ANNEX_CLIENT_SECRET is/);
  });

  it('refuses an empty half and a client_id with a colon, without echoing the secret', () => {
    expect(refusal(() => resolveCredentials({ clientId: '', clientSecret: 's' }, {})).message).toBe(
      'clientId must be a non-empty string.',
    );
    const colon = refusal(() =>
      resolveCredentials({ clientId: 'a:b', clientSecret: 'do-not-echo' }, {}),
    );
    expect(colon.message).toMatch(/cannot contain ":"/);
    expect(colon.message).not.toContain('do-not-echo');
  });
});

describe('basicAuthorization', () => {
  it("is Basic base64(client_id:client_secret), as Diffgram's Python SDK sends it", () => {
    // requests' HTTPBasicAuth('id', 'sec:ret') sends exactly this header.
    expect(basicAuthorization({ clientId: 'id', clientSecret: 'sec:ret' })).toBe(
      `Basic ${Buffer.from('id:sec:ret').toString('base64')}`,
    );
    expect(basicAuthorization({ clientId: 'id', clientSecret: 'sec:ret' })).toBe(
      'Basic aWQ6c2VjOnJldA==',
    );
  });
});
