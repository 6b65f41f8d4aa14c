import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthenticationError, InvalidInputError, PermissionError } from './annex-errors.ts';
import { Project } from './project-client.ts';
import { addDemoAccount, demoProjectAs, useDemoProject } from './test-utils/demo-project.ts';

// API keys against a real server: who may do what through the SDK, and what a script is told when
// it may not. Where the key is sent (and where not) is in annex-http-client-auth.test.ts.

const demo = useDemoProject();

function blankEnvironment(): void {
  vi.stubEnv('ANNEX_CLIENT_ID', '');
  vi.stubEnv('ANNEX_CLIENT_SECRET', '');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('without valid credentials', () => {
  it('no key at all is an AuthenticationError saying how to get and pass one', async () => {
    blankEnvironment();
    const anonymous = new Project({ projectStringId: 'demo', host: demo.server.host });

    const error = await anonymous.job.list().catch((caught: unknown) => caught);

    expect(anonymous.clientId).toBeUndefined();
    expect(error).toBeInstanceOf(AuthenticationError);
    const refused = error as AuthenticationError;
    expect(refused.httpStatus).toBe(401);
    expect(refused.code).toBe('unauthenticated');
    expect(refused.reason).toBe('no_credentials');
    expect(refused.message).toContain(refused.serverMessage);
    expect(refused.message).toContain('No API key was sent.');
    expect(refused.message).toContain(
      `Create an API key under "API keys" in the panel at ${demo.server.host} and pass clientId/clientSecret`,
    );
    expect(refused.message).toContain('or set ANNEX_CLIENT_ID/ANNEX_CLIENT_SECRET.');
  });

  it('a wrong secret is an AuthenticationError naming the client_id, never the secret', async () => {
    const wrongSecret = 'not-the-secret-0123456789';
    const wrong = new Project({
      projectStringId: 'demo',
      host: demo.server.host,
      clientId: demo.credentials.clientId,
      clientSecret: wrongSecret,
    });

    const error = await wrong.details().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).reason).toBe('bad_api_key');
    expect((error as Error).message).toContain(
      `The key sent (client_id ${demo.credentials.clientId}) came from the clientId/clientSecret options.`,
    );
    expect((error as Error).message).not.toContain(wrongSecret);
  });

  it('a revoked key is an AuthenticationError that says it was revoked', async () => {
    const revoked = await addDemoAccount(demo.server, 'editor', { revoked: true });

    const error = await revoked.project.details().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).reason).toBe('api_key_revoked');
    expect((error as Error).message).toMatch(/revoked/);
  });

  it('half a key is an InvalidInputError naming the missing half, before anything is sent', () => {
    const { host } = demo.server;
    blankEnvironment();

    expect(
      () => new Project({ projectStringId: 'demo', host, clientId: demo.credentials.clientId }),
    ).toThrow(/^clientSecret is missing/);
    vi.stubEnv('ANNEX_CLIENT_SECRET', demo.credentials.clientSecret);
    expect(() => new Project({ projectStringId: 'demo', host })).toThrow(InvalidInputError);
    expect(() => new Project({ projectStringId: 'demo', host })).toThrow(
      /^ANNEX_CLIENT_ID is not set while ANNEX_CLIENT_SECRET is/,
    );
  });
});

describe('a viewer', () => {
  it('reads the project and its exports, but generating is a PermissionError naming the role needed', async () => {
    const viewer = await addDemoAccount(demo.server, 'viewer');
    const job = await viewer.project.job.getById(demo.streetJob.id);
    const exportsBefore = (await viewer.project.export.listPage({ limit: 1 })).total;

    const error = await job
      .generateExport({ waitForExportGeneration: false })
      .catch((caught: unknown) => caught);

    expect(job.name).toBe(demo.streetJob.name);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).httpStatus).toBe(403);
    expect((error as PermissionError).code).toBe('forbidden');
    expect((error as Error).message).toMatch(/viewer/);
    expect((error as Error).message).toMatch(/editor/);
    expect((await viewer.project.export.listPage({ limit: 1 })).total).toBe(exportsBefore);
  });

  it('an editor may generate, and the export is recorded as theirs', async () => {
    const editor = await addDemoAccount(demo.server, 'editor');
    const job = await editor.project.job.getById(demo.streetJob.id);

    const created = await job.generateExport({ waitForExportGeneration: false });

    expect(created.created_by).toBe(editor.credentials.email);
  });
});

describe('credentials from the environment', () => {
  it('ANNEX_CLIENT_ID and ANNEX_CLIENT_SECRET are used when no clientId/clientSecret is given', async () => {
    vi.stubEnv('ANNEX_CLIENT_ID', demo.credentials.clientId);
    vi.stubEnv('ANNEX_CLIENT_SECRET', demo.credentials.clientSecret);
    const project = new Project({ projectStringId: 'demo', host: demo.server.host });

    const details = await project.details();

    expect(project.clientId).toBe(demo.credentials.clientId);
    expect(details.project.project_string_id).toBe('demo');
  });

  it('clientId/clientSecret given in code win over the environment', async () => {
    vi.stubEnv('ANNEX_CLIENT_ID', 'annex_stale_key');
    vi.stubEnv('ANNEX_CLIENT_SECRET', 'stale-secret');
    const project = demoProjectAs(demo.server, demo.credentials);

    expect(project.clientId).toBe(demo.credentials.clientId);
    await expect(project.details()).resolves.toMatchObject({
      project: { project_string_id: 'demo' },
    });
  });
});
