import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ApiKeyCredentials } from '../api-credentials.ts';
import { repoRoot } from './annex-server.ts';

/** What one `annex` run gave. */
export interface AnnexCliRun {
  /** The exit code. */
  code: number | null;
  /** stdout, as bytes (it may carry an export file). */
  stdout: Buffer;
  /** stderr, as text. */
  stderr: string;
}

const annexBin = path.join(repoRoot, 'bin/annex.js');

/**
 * Runs `node bin/annex.js <args>` as a person would, in `cwd`, with ANNEX_HOST, ANNEX_PROJECT,
 * ANNEX_CLIENT_ID and ANNEX_CLIENT_SECRET taken out of the inherited environment so only `env` sets them.
 */
export async function runAnnexCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<AnnexCliRun> {
  const {
    ANNEX_HOST: _host,
    ANNEX_PROJECT: _project,
    ANNEX_CLIENT_ID: _clientId,
    ANNEX_CLIENT_SECRET: _clientSecret,
    ...inherited
  } = process.env;
  const child = spawn(process.execPath, [annexBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...inherited, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return { code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') };
}

/** The environment that hands `annex` an API key: ANNEX_CLIENT_ID and ANNEX_CLIENT_SECRET. */
export function credentialsEnv(credentials: ApiKeyCredentials): Record<string, string> {
  return {
    ANNEX_CLIENT_ID: credentials.clientId,
    ANNEX_CLIENT_SECRET: credentials.clientSecret,
  };
}
