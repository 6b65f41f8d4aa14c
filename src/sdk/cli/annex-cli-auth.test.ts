import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exportSchema } from '../../contract/exports.ts';
import { startAnnexServer } from '../test-utils/annex-server.ts';
import type { AnnexTestServer } from '../test-utils/annex-server.ts';
import { addProjectAccount } from '../test-utils/test-credentials.ts';
import type { TestCredentials } from '../test-utils/test-credentials.ts';
import { credentialsEnv, runAnnexCli } from '../test-utils/run-annex-cli.ts';
import type { AnnexCliRun } from '../test-utils/run-annex-cli.ts';

// The CLI's API key: flags or variables, what it says when the key is missing or refused, and the
// exit codes a script branches on. The commands themselves are in annex-cli.test.ts.

let server: AnnexTestServer | undefined;
let viewer: TestCredentials;

function runningServer(): AnnexTestServer {
  if (server === undefined) throw new Error('the server did not start');
  return server;
}

/** `annex …` against the test server with --host and --project, and only `env` for credentials. */
function annex(args: string[], env: Record<string, string> = {}): Promise<AnnexCliRun> {
  return runAnnexCli([...args, '--host', runningServer().host, '--project', 'demo'], { env });
}

function expectOneLineFailure(run: AnnexCliRun, code: number): string {
  expect(run.code).toBe(code);
  expect(run.stdout.length).toBe(0);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr.startsWith('annex: ')).toBe(true);
  return run.stderr;
}

beforeAll(async () => {
  server = await startAnnexServer();
  viewer = await addProjectAccount(server.databaseUrl, 'viewer');
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe('where the CLI takes its API key from', () => {
  it('--client-id and --client-secret, before or after the command', async () => {
    const { clientId, clientSecret } = runningServer().admin;

    const after = await annex([
      'export',
      'list',
      '--json',
      '--client-id',
      clientId,
      '--client-secret',
      clientSecret,
    ]);
    const before = await annex([
      '--client-id',
      clientId,
      '--client-secret',
      clientSecret,
      'export',
      'list',
      '--json',
    ]);

    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(z.array(exportSchema).parse(JSON.parse(after.stdout.toString('utf8')))).toEqual([]);
    expect(before.code).toBe(0);
  }, 60_000);

  it('ANNEX_CLIENT_ID and ANNEX_CLIENT_SECRET, and the flags win over them', async () => {
    const fromVariables = await annex(['export', 'list'], credentialsEnv(runningServer().admin));
    const { clientId, clientSecret } = runningServer().admin;
    const flagsOverStale = await annex(
      ['export', 'list', '--client-id', clientId, '--client-secret', clientSecret],
      { ANNEX_CLIENT_ID: 'annex_stale', ANNEX_CLIENT_SECRET: 'stale-secret' },
    );

    expect(fromVariables.code).toBe(0);
    expect(fromVariables.stderr).toContain('no exports yet');
    expect(flagsOverStale.code).toBe(0);
  }, 60_000);

  it('half a key is a usage error (2) naming the missing half, before anything is sent', async () => {
    const flag = await annex(['export', 'list', '--client-id', viewer.clientId], {
      ANNEX_CLIENT_SECRET: viewer.clientSecret,
    });
    const variable = await annex(['export', 'list'], { ANNEX_CLIENT_ID: viewer.clientId });

    expect(expectOneLineFailure(flag, 2)).toMatch(
      /--client-secret is missing: give both --client-id and --client-secret/,
    );
    expect(expectOneLineFailure(variable, 2)).toMatch(
      /ANNEX_CLIENT_SECRET is not set while ANNEX_CLIENT_ID is/,
    );
  }, 60_000);
});

describe('refusals', () => {
  it('no key: exit 7, saying how to create one and which flags and variables take it', async () => {
    const run = await annex(['export', 'list']);

    const line = expectOneLineFailure(run, 7);
    expect(line).toContain('Sign in first');
    expect(line).toContain(
      `No API key was given: create an API key under "API keys" in the panel at ${runningServer().host}, ` +
        'then pass --client-id and --client-secret or set ANNEX_CLIENT_ID and ANNEX_CLIENT_SECRET (see annex --help).',
    );
  }, 60_000);

  it('a wrong secret: exit 7, naming the client_id and where it came from, never the secret', async () => {
    const wrongSecret = 'wrong-secret-do-not-print-0123';

    const viaFlags = await annex([
      'export',
      'list',
      '--client-id',
      viewer.clientId,
      '--client-secret',
      wrongSecret,
    ]);
    const viaVariables = await annex(['export', 'generate', '--job', '1'], {
      ANNEX_CLIENT_ID: viewer.clientId,
      ANNEX_CLIENT_SECRET: wrongSecret,
    });

    expect(expectOneLineFailure(viaFlags, 7)).toContain(
      `The key sent (client_id ${viewer.clientId}, from --client-id/--client-secret) was refused`,
    );
    expect(expectOneLineFailure(viaVariables, 7)).toContain(
      `(client_id ${viewer.clientId}, from ANNEX_CLIENT_ID/ANNEX_CLIENT_SECRET) was refused`,
    );
    for (const run of [viaFlags, viaVariables]) expect(run.stderr).not.toContain(wrongSecret);
  }, 60_000);

  it("a viewer generating: exit 8 with the server's reason naming the role needed", async () => {
    const list = await annex(['export', 'list', '--json'], credentialsEnv(viewer));
    const generate = await annex(
      ['export', 'generate', '--directory', 'Luckfrill'],
      credentialsEnv(viewer),
    );

    expect(list.code).toBe(0);
    const line = expectOneLineFailure(generate, 8);
    expect(line).toMatch(/viewer/);
    expect(line).toMatch(/needs editor/);
  }, 60_000);
});

describe('--help', () => {
  it('shows the key options, their variables, where keys come from and the exit codes; no secret', async () => {
    const secret = 'help-must-not-show-this-secret';
    const env = { ANNEX_CLIENT_ID: 'annex_help', ANNEX_CLIENT_SECRET: secret };

    const program = await runAnnexCli(['--help'], { env });
    const generate = await runAnnexCli(['export', 'generate', '--help'], { env });

    for (const run of [program, generate]) {
      // Commander wraps the option descriptions to the width of a terminal.
      const help = run.stdout.toString('utf8').replace(/\s+/g, ' ');
      expect(run.code).toBe(0);
      expect(help).toMatch(/--client-id <client_id> [^-]*\(env: ANNEX_CLIENT_ID\)/);
      expect(help).toMatch(/--client-secret <client_secret> [^-]*\(env: ANNEX_CLIENT_SECRET\)/);
      expect(help).toContain('Create one under "API keys" in the panel');
      expect(help).toContain('7 not signed in');
      expect(help).toContain('8 refused');
      expect(help).toContain('9 rate limited');
      expect(help).not.toContain(secret);
    }
  }, 60_000);
});
