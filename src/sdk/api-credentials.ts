import { InvalidInputError } from './annex-errors.ts';

// Which API key a client sends, and from where it came. A script passes `clientId`/`clientSecret`;
// when it passes neither, the key comes from ANNEX_CLIENT_ID/ANNEX_CLIENT_SECRET, so a script kept
// in a repository need not hold a secret. The two halves never mix sources: a clientId given in
// code with a secret from the environment would be a key nobody made, and its 401 would mislead.

/** The environment variable read for the API key's client_id when `clientId` is not given. */
export const clientIdVariable = 'ANNEX_CLIENT_ID';
/** The environment variable read for the API key's client_secret when `clientSecret` is not given. */
export const clientSecretVariable = 'ANNEX_CLIENT_SECRET';

/** An annex API key, as the panel shows it once on creation. */
export interface ApiKeyCredentials {
  /** The key's `client_id` (not secret: the panel lists it). */
  clientId: string;
  /** The key's `client_secret`, shown once when the key was made. */
  clientSecret: string;
}

/** Where the key a client sends came from: the options in code, or the environment. */
export type CredentialSource = 'options' | 'environment';

/** The key a client sends, and its source (for the advice of a 401). */
export interface ResolvedCredentials extends ApiKeyCredentials {
  /** Where the key came from. */
  source: CredentialSource;
}

/** The credential options a Project (or the CLI) was given. */
export interface CredentialOptions {
  /** The API key's client_id; with `clientSecret`, or neither. */
  clientId?: string | undefined;
  /** The API key's client_secret; with `clientId`, or neither. */
  clientSecret?: string | undefined;
}

function missingHalf(message: string, field: string): InvalidInputError {
  return new InvalidInputError(message, {
    code: 'bad_request',
    issues: [{ field, message: 'is missing' }],
  });
}

function checkHalf(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidInputError(`${field} must be a non-empty string.`, {
      code: 'bad_request',
      issues: [{ field, message: 'must be a non-empty string' }],
    });
  }
  return value;
}

function checkClientId(clientId: string, field: string): string {
  // Basic auth splits `id:secret` at the first colon; an id holding one would send another key.
  if (clientId.includes(':')) {
    throw new InvalidInputError(
      `${field} cannot contain ":"; is it the client_id of an annex key?`,
      {
        code: 'bad_request',
        issues: [{ field, message: 'cannot contain ":"' }],
      },
    );
  }
  return clientId;
}

function fromOptions(options: CredentialOptions): ResolvedCredentials {
  if (options.clientSecret === undefined) {
    throw missingHalf(
      'clientSecret is missing: pass both clientId and clientSecret, or neither to read ' +
        `${clientIdVariable} and ${clientSecretVariable}.`,
      'clientSecret',
    );
  }
  if (options.clientId === undefined) {
    throw missingHalf(
      'clientId is missing: pass both clientId and clientSecret, or neither to read ' +
        `${clientIdVariable} and ${clientSecretVariable}.`,
      'clientId',
    );
  }
  return {
    clientId: checkClientId(checkHalf(options.clientId, 'clientId'), 'clientId'),
    clientSecret: checkHalf(options.clientSecret, 'clientSecret'),
    source: 'options',
  };
}

function fromEnvironment(env: NodeJS.ProcessEnv): ResolvedCredentials | undefined {
  // An empty variable (`ANNEX_CLIENT_ID=`) counts as unset, as shells make it easy to blank one.
  const clientId = env[clientIdVariable] ?? '';
  const clientSecret = env[clientSecretVariable] ?? '';
  if (clientId === '' && clientSecret === '') return undefined;
  if (clientSecret === '') {
    throw missingHalf(
      `${clientSecretVariable} is not set while ${clientIdVariable} is: set both, or pass clientId and clientSecret.`,
      clientSecretVariable,
    );
  }
  if (clientId === '') {
    throw missingHalf(
      `${clientIdVariable} is not set while ${clientSecretVariable} is: set both, or pass clientId and clientSecret.`,
      clientIdVariable,
    );
  }
  return {
    clientId: checkClientId(clientId, clientIdVariable),
    clientSecret,
    source: 'environment',
  };
}

/**
 * The key to send: `clientId`/`clientSecret` when either is given (both then), else
 * ANNEX_CLIENT_ID/ANNEX_CLIENT_SECRET when either is set (both then), else none (the server will
 * answer 401). Throws InvalidInputError naming the missing half.
 */
export function resolveCredentials(
  options: CredentialOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedCredentials | undefined {
  if (options.clientId !== undefined || options.clientSecret !== undefined) {
    return fromOptions(options);
  }
  return fromEnvironment(env);
}

/** `Basic base64(client_id:client_secret)`: what annex, and Diffgram's Python SDK, use. */
export function basicAuthorization(credentials: ApiKeyCredentials): string {
  return `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`, 'utf8').toString('base64')}`;
}
