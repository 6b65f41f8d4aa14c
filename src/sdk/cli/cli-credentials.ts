import { Option } from 'commander';
import type { Command } from 'commander';
import type { AuthenticationError } from '../annex-errors.ts';
import { clientIdVariable, clientSecretVariable } from '../api-credentials.ts';
import type { ApiKeyCredentials } from '../api-credentials.ts';
import { UsageError } from './exit-codes.ts';

// The CLI's API key: `--client-id`/`--client-secret` on any command, else ANNEX_CLIENT_ID and
// ANNEX_CLIENT_SECRET. The secret is never printed: not in help, errors or `--json` output.

/** The help text on where the API key comes from (the program's and every command's). */
export const credentialsHelp = `
API key:
  Every command needs an API key of an account that is a member of the project. Create one under
  "API keys" in the panel (the secret is shown once), then either set
    export ${clientIdVariable}=<client_id> ${clientSecretVariable}=<client_secret>
  or pass --client-id <client_id> --client-secret <client_secret> (then both flags: the variables
  are read only when neither flag is given). The variables keep the secret out of the process list
  and the shell history.`;

/** Adds the global `--client-id` and `--client-secret` options to the program. */
export function withCredentialOptions(program: Command): Command {
  return program
    .addOption(
      new Option('--client-id <client_id>', "your API key's client_id").env(clientIdVariable),
    )
    .addOption(
      new Option(
        '--client-secret <client_secret>',
        "your API key's client_secret (the variable keeps it out of ps)",
      ).env(clientSecretVariable),
    );
}

interface CredentialFlags {
  clientId?: string;
  clientSecret?: string;
}

/** The CLI's API key and where it came from. */
export interface CliCredentials extends ApiKeyCredentials {
  /** `flags` (--client-id/--client-secret) or `environment` (ANNEX_CLIENT_ID/ANNEX_CLIENT_SECRET). */
  source: 'flags' | 'environment';
}

// Commander takes a variable that is set but empty as given; an empty value is no value.
function given(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The API key the program was given, or undefined when none. As in the SDK the two halves come from
 * one place: the flags when either flag is given (both then), else the variables (both, or neither).
 * A UsageError names the missing half.
 */
export function credentialsOf(program: Command): CliCredentials | undefined {
  const flags = program.opts<CredentialFlags>();
  const fromFlag = (key: keyof CredentialFlags) =>
    program.getOptionValueSource(key) === 'cli' ? given(flags[key]) : undefined;
  const fromVariable = (key: keyof CredentialFlags) =>
    program.getOptionValueSource(key) === 'env' ? given(flags[key]) : undefined;
  const flagId = fromFlag('clientId');
  const flagSecret = fromFlag('clientSecret');
  if (flagId !== undefined || flagSecret !== undefined) {
    if (flagId === undefined || flagSecret === undefined) {
      const missing = flagId === undefined ? '--client-id' : '--client-secret';
      throw new UsageError(
        `${missing} is missing: give both --client-id and --client-secret ` +
          `(${clientIdVariable}/${clientSecretVariable} are read only when neither flag is given).`,
      );
    }
    return { clientId: flagId, clientSecret: flagSecret, source: 'flags' };
  }
  const variableId = fromVariable('clientId');
  const variableSecret = fromVariable('clientSecret');
  if (variableId === undefined && variableSecret === undefined) return undefined;
  if (variableId === undefined || variableSecret === undefined) {
    const [missing, set] =
      variableId === undefined
        ? [clientIdVariable, clientSecretVariable]
        : [clientSecretVariable, clientIdVariable];
    throw new UsageError(
      `${missing} is not set while ${set} is: set both, or pass --client-id and --client-secret.`,
    );
  }
  return { clientId: variableId, clientSecret: variableSecret, source: 'environment' };
}

/** The one line the CLI prints for a 401: the server's reason, then what to do, in the CLI's words. */
export function authenticationFailureLine(
  error: AuthenticationError,
  credentials: CliCredentials | undefined,
  host: string,
): string {
  const create = `create an API key under "API keys" in the panel at ${host}`;
  if (credentials === undefined) {
    return (
      `${error.serverMessage} No API key was given: ${create}, then pass --client-id and --client-secret ` +
      `or set ${clientIdVariable} and ${clientSecretVariable} (see annex --help).`
    );
  }
  const from =
    credentials.source === 'environment'
      ? `${clientIdVariable}/${clientSecretVariable}`
      : '--client-id/--client-secret';
  return `${error.serverMessage} The key sent (client_id ${credentials.clientId}, from ${from}) was refused: check it, or ${create} and use that one.`;
}
