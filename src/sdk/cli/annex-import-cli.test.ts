import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSchema } from '../../contract/imports.ts';
import { startAnnexServer } from '../test-utils/annex-server.ts';
import type { AnnexTestServer } from '../test-utils/annex-server.ts';
import { demoProjectAs } from '../test-utils/demo-project.ts';
import { writeImportFixtures } from '../test-utils/import-fixtures.ts';
import type { ImportFixtures } from '../test-utils/import-fixtures.ts';
import { credentialsEnv, runAnnexCli } from '../test-utils/run-annex-cli.ts';
import type { AnnexCliRun } from '../test-utils/run-annex-cli.ts';

// `annex import FILE` as a person runs it, against a real server with the demo (these need the
// import route and its worker).

let server: AnnexTestServer | undefined;
let workDir: string;
let fixtures: ImportFixtures;

function runningServer(): AnnexTestServer {
  if (server === undefined) throw new Error('the server did not start');
  return server;
}

function annex(args: string[]): Promise<AnnexCliRun> {
  return runAnnexCli([...args, '--host', runningServer().host, '--project', 'demo'], {
    cwd: workDir,
    env: credentialsEnv(runningServer().admin),
  });
}

beforeAll(async () => {
  server = await startAnnexServer();
  workDir = await mkdtemp(path.join(tmpdir(), 'annex-import-cli-'));
  fixtures = await writeImportFixtures(demoProjectAs(server, server.admin), workDir);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('annex import', () => {
  it('uploads, waits and prints the summary; progress goes to stderr as plain lines', async () => {
    const run = await annex(['import', fixtures.good, '--directory', 'Luckfrill copy']);

    expect(run.code).toBe(0);
    const summary = run.stdout.toString('utf8');
    expect(summary).toMatch(
      /^Import \d+ into directory "Luckfrill copy" \(luckfrill\.json, .+\): complete\n/,
    );
    expect(summary).toContain(
      `  files      ${fixtures.packetKeys.length} created, 0 updated, 0 skipped of ${fixtures.packetKeys.length} packets`,
    );
    expect(summary).toMatch(/ {2}instances {2}\d+ created, 0 updated, 0 removed/);
    expect(summary).toMatch(/ {2}labels {5}\d+ created/);
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toContain('annex: uploading luckfrill.json');
  }, 120_000);

  it('--json prints the import record; again into the same directory it updates in place', async () => {
    const run = await annex(['import', fixtures.good, '--directory', 'Luckfrill copy', '--json']);

    expect(run.code).toBe(0);
    const record = importSchema.parse(JSON.parse(run.stdout.toString('utf8')));
    expect(record.status).toBe('complete');
    expect(record.files_created).toBe(0);
    // The same file: every file is matched and none changed, so none is counted as updated.
    expect(record.files_updated).toBe(0);
  }, 120_000);

  it('--no-wait prints the id at once', async () => {
    const run = await annex(['import', fixtures.good, '--directory', 'Later', '--no-wait']);

    expect(run.code).toBe(0);
    expect(run.stdout.toString('utf8')).toMatch(/^\d+\n$/);
    expect(run.stderr).toMatch(
      /annex: import \d+ of luckfrill\.json into "Later" is (queued|running|complete)/,
    );
  }, 60_000);

  it('a bad packet fails it with exit 4: the summary and the problem on stderr, then one line why', async () => {
    const run = await annex(['import', fixtures.broken, '--directory', 'Broken']);

    expect(run.code).toBe(4);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr).toMatch(/Import \d+ into directory "Broken" .*: failed/);
    expect(run.stderr).toContain(`    packet ${fixtures.brokenKey} › ${fixtures.brokenPath}: `);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toMatch(/^annex: Import \d+ failed: /);
  }, 120_000);

  it('--on-error skip leaves the bad packet out, exit 0, and lists it', async () => {
    const run = await annex([
      'import',
      fixtures.broken,
      '--directory',
      'Broken, skipped',
      '--on-error',
      'skip',
    ]);

    expect(run.code).toBe(0);
    const summary = run.stdout.toString('utf8');
    expect(summary).toContain(`${fixtures.packetKeys.length - 1} created, 0 updated, 1 skipped`);
    expect(summary).toContain('(on-error skip: the bad packets were left out)');
    expect(summary).toContain(`    packet ${fixtures.brokenKey} › `);
  }, 120_000);

  it('a file that is not Diffgram JSON exits 4 with the server saying why, in one line', async () => {
    const run = await annex(['import', fixtures.notDiffgram, '--directory', 'Nope']);

    expect(run.code).toBe(4);
    expect(run.stdout.length).toBe(0);
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('annex: ') && !line.startsWith('annex: uploading')),
    ).toHaveLength(1);
  }, 60_000);
});
