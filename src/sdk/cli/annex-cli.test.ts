import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exportLinkSchema, exportSchema } from '../../contract/exports.ts';
import type { ExportFile } from '../../contract/export-file.ts';
import { findFreePort, startAnnexServer } from '../test-utils/annex-server.ts';
import type { AnnexTestServer } from '../test-utils/annex-server.ts';
import { demoProjectAs } from '../test-utils/demo-project.ts';
import { downloadAsPanel } from '../test-utils/download-as-panel.ts';
import { queueFailingExport } from '../test-utils/failing-export.ts';
import { credentialsEnv, runAnnexCli } from '../test-utils/run-annex-cli.ts';
import type { AnnexCliRun } from '../test-utils/run-annex-cli.ts';

let server: AnnexTestServer | undefined;
let workDir: string;
let streetJobId: number;

function runningServer(): AnnexTestServer {
  if (server === undefined) throw new Error('the server did not start');
  return server;
}

function host(): string {
  return runningServer().host;
}

/** The instance admin's API key as ANNEX_CLIENT_ID and ANNEX_CLIENT_SECRET. */
function adminEnv(): Record<string, string> {
  return credentialsEnv(runningServer().admin);
}

/**
 * `annex …` against the test server as its instance admin, with --host and --project given on the
 * command line and the API key in the environment.
 */
function annex(args: string[]): Promise<AnnexCliRun> {
  return runAnnexCli([...args, '--host', host(), '--project', 'demo'], {
    cwd: workDir,
    env: adminEnv(),
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function expectOneLineFailure(run: AnnexCliRun, code: number, pattern: RegExp): void {
  expect(run.stderr).toMatch(pattern);
  expect(run.code).toBe(code);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr.startsWith('annex: ')).toBe(true);
  expect(run.stdout.length).toBe(0);
}

beforeAll(async () => {
  server = await startAnnexServer();
  workDir = await mkdtemp(path.join(tmpdir(), 'annex-cli-'));
  const project = demoProjectAs(server, server.admin);
  const job = (await project.job.list()).find(
    (candidate) => candidate.name === 'Street scenes, round 1',
  );
  if (job === undefined) throw new Error('the demo project has no job "Street scenes, round 1"');
  streetJobId = job.id;
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('annex export generate', () => {
  it('waits and writes the file with -o, byte-identical to the panel download', async () => {
    const output = path.join(workDir, 'luckfrill.json');

    const run = await annex(['export', 'generate', '--directory', 'Luckfrill', '-o', output]);

    expect(run.code).toBe(0);
    expect(run.stdout.length).toBe(0);
    // Without a terminal, progress is plain lines, not a redrawn bar.
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toMatch(/annex: export \d+ complete: \d+ files?, \d+ instances?/);
    const written = await readFile(output);
    const data = JSON.parse(written.toString('utf8')) as ExportFile;
    expect(data.export_info.directory?.name).toBe('Luckfrill');
    const panel = await downloadAsPanel(runningServer(), 'demo', data.export_info.id);
    expect(written.equals(panel.bytes)).toBe(true);
    expect(run.stderr).toContain(`sha256 ${panel.sha256}`);
  }, 60_000);

  it('writes the data to stdout without -o', async () => {
    const run = await annex(['export', 'generate', '--job', String(streetJobId)]);

    expect(run.code).toBe(0);
    const data = JSON.parse(run.stdout.toString('utf8')) as ExportFile;
    expect(data.export_info.job?.id).toBe(streetJobId);
    expect(
      run.stdout.equals(
        (await downloadAsPanel(runningServer(), 'demo', data.export_info.id)).bytes,
      ),
    ).toBe(true);
  }, 60_000);

  it('--return-type url prints a link that serves the file; with --json the whole link', async () => {
    const plain = await annex([
      'export',
      'generate',
      '--job',
      String(streetJobId),
      '--return-type',
      'url',
    ]);
    const json = await annex([
      'export',
      'generate',
      '--job',
      String(streetJobId),
      '--return-type',
      'url',
      '--json',
    ]);

    expect(plain.code).toBe(0);
    const url = plain.stdout.toString('utf8').trim();
    expect(url.startsWith(`${host()}/`)).toBe(true);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(((await response.json()) as ExportFile).export_info.job?.id).toBe(streetJobId);
    expect(json.code).toBe(0);
    const link = exportLinkSchema.parse(JSON.parse(json.stdout.toString('utf8')));
    expect(link.export.status).toBe('complete');
    expect((await fetch(link.url)).status).toBe(200);
  }, 60_000);

  it('--no-wait --json prints the queued export; --all and --include-removed reach it', async () => {
    const run = await annex([
      'export',
      'generate',
      '--directory',
      'Luckfrill',
      '--all',
      '--include-removed',
      '--no-wait',
      '--json',
    ]);

    expect(run.code).toBe(0);
    const queued = exportSchema.parse(JSON.parse(run.stdout.toString('utf8')));
    expect(queued.status).toBe('queued');
    expect(queued.ann_is_complete).toBe(false);
    expect(queued.include_removed).toBe(true);
    expect(queued.directory?.name).toBe('Luckfrill');

    const plain = await annex(['export', 'generate', '--directory', 'Luckfrill', '--no-wait']);
    expect(plain.code).toBe(0);
    expect(plain.stdout.toString('utf8')).toMatch(/^\d+\n$/);
    expect(plain.stderr).toContain('annex export status');
  }, 60_000);
});

describe('annex export list, status and download', () => {
  it('status --wait --json reports the complete export; plain status shows the check values', async () => {
    const queued = await annex(['export', 'generate', '--job', String(streetJobId), '--no-wait']);
    const id = queued.stdout.toString('utf8').trim();

    const waited = await annex(['export', 'status', id, '--wait', '--json']);
    const plain = await annex(['export', 'status', id]);

    expect(waited.code).toBe(0);
    const record = exportSchema.parse(JSON.parse(waited.stdout.toString('utf8')));
    expect(record.id).toBe(Number(id));
    expect(record.status).toBe('complete');
    expect(plain.code).toBe(0);
    expect(plain.stdout.toString('utf8')).toContain(`Export ${id}`);
    expect(plain.stdout.toString('utf8')).toMatch(
      new RegExp(`check\\s+${record.file_list_length} files?, ${record.instance_count} instances?`),
    );
  }, 60_000);

  it('list prints every export newest first, as a table or as --json', async () => {
    const json = await annex(['export', 'list', '--json']);
    const table = await annex(['export', 'list']);
    const limited = await annex(['export', 'list', '--json', '--limit', '2', '--source', 'job']);

    expect(json.code).toBe(0);
    const exports = z.array(exportSchema).parse(JSON.parse(json.stdout.toString('utf8')));
    expect(exports.length).toBeGreaterThan(2);
    const ids = exports.map((item) => item.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const lines = table.stdout.toString('utf8').trimEnd().split('\n');
    expect(table.code).toBe(0);
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+SOURCE/);
    expect(lines).toHaveLength(exports.length + 1);
    const few = z.array(exportSchema).parse(JSON.parse(limited.stdout.toString('utf8')));
    expect(few).toHaveLength(2);
    expect(few.every((item) => item.source === 'job')).toBe(true);
  }, 60_000);

  it('download writes a file byte-identical to what the link serves, under its own name by default', async () => {
    const created = await annex([
      'export',
      'generate',
      '--directory',
      'Luckfrill',
      '--all',
      '--no-wait',
    ]);
    const id = created.stdout.toString('utf8').trim();
    await annex(['export', 'status', id, '--wait']);
    const target = path.join(workDir, `download-${id}.json`);

    const toFile = await annex(['export', 'download', id, '-o', target]);
    const toStdout = await annex(['export', 'download', id, '-o', '-']);
    const byName = await annex(['export', 'download', id, '--json']);

    const panel = await downloadAsPanel(runningServer(), 'demo', Number(id));
    expect(toFile.code).toBe(0);
    const written = await readFile(target);
    expect(written.equals(panel.bytes)).toBe(true);
    expect(sha256(written)).toBe(panel.sha256);
    expect(toStdout.code).toBe(0);
    expect(toStdout.stdout.equals(panel.bytes)).toBe(true);
    expect(byName.code).toBe(0);
    const result = z
      .object({ path: z.string(), bytes: z.number(), sha256: z.string(), export: exportSchema })
      .parse(JSON.parse(byName.stdout.toString('utf8')));
    expect(path.basename(result.path)).toBe(result.export.file_name);
    expect(result.sha256).toBe(panel.sha256);
    expect((await readFile(result.path)).equals(panel.bytes)).toBe(true);
    expect((await readdir(workDir)).filter((name) => name.endsWith('.part'))).toEqual([]);
  }, 60_000);

  it('reads --host and --project from ANNEX_HOST and ANNEX_PROJECT', async () => {
    const run = await runAnnexCli(['export', 'list', '--json', '--limit', '1'], {
      cwd: workDir,
      env: { ANNEX_HOST: host(), ANNEX_PROJECT: 'demo', ...adminEnv() },
    });

    expect(run.code).toBe(0);
    expect(z.array(exportSchema).parse(JSON.parse(run.stdout.toString('utf8')))).toHaveLength(1);
  }, 60_000);
});

describe('exit codes', () => {
  it('0 for --help, which documents every exit code', async () => {
    const run = await runAnnexCli(['export', 'generate', '--help']);

    expect(run.code).toBe(0);
    const help = run.stdout.toString('utf8');
    for (const code of [
      '0  done',
      '2  usage error',
      '3  not found',
      '4  export or import failed',
      '5  network',
      '6  export not ready',
    ]) {
      expect(help).toContain(code);
    }
  }, 60_000);

  it('2 for a usage error, with one line saying what is wrong', async () => {
    expectOneLineFailure(
      await annex(['export', 'generate']),
      2,
      /give one source: --job ID or --directory NAME/,
    );
    expectOneLineFailure(
      await annex(['export', 'generate', '--job', '1', '--directory', 'Luckfrill']),
      2,
      /give one source/,
    );
    expectOneLineFailure(
      await annex(['export', 'generate', '--job', 'abc']),
      2,
      /--job <id>.*positive integer/,
    );
    expectOneLineFailure(
      await annex(['export', 'generate', '--job', '1', '--return-type', 'url', '-o', 'x.json']),
      2,
      /-o\/--output .* does not go with/,
    );
    expectOneLineFailure(
      await annex(['export', 'generate', '--job', '1', '--return-type', 'csv']),
      2,
      /--return-type/,
    );
    expectOneLineFailure(
      await runAnnexCli(['export', 'list']),
      2,
      /required option '--project <id>'/,
    );
    expectOneLineFailure(
      await runAnnexCli(['export', 'list', '--project', 'demo', '--host', 'nope']),
      2,
      /host must be a URL/,
    );
  }, 120_000);

  it('3 when the job, directory, export or project does not exist', async () => {
    expectOneLineFailure(
      await annex(['export', 'generate', '--job', '987654']),
      3,
      /No job 987654 in project "demo"/,
    );
    expectOneLineFailure(
      await annex(['export', 'generate', '--directory', 'Nowhere']),
      3,
      /No directory "Nowhere"/,
    );
    expectOneLineFailure(await annex(['export', 'status', '987654']), 3, /987654/);
    expectOneLineFailure(
      await runAnnexCli(['export', 'list', '--host', host(), '--project', 'no-such-project'], {
        env: adminEnv(),
      }),
      3,
      /no-such-project.*not a member of it/,
    );
  }, 120_000);

  it('4 when the export failed, with its reason', async () => {
    const failing = await queueFailingExport(runningServer(), 'demo');

    const waited = await annex(['export', 'status', String(failing.id), '--wait']);
    const download = await annex(['export', 'download', String(failing.id), '-o', '-']);
    const status = await annex(['export', 'status', String(failing.id), '--json']);

    const record = exportSchema.parse(JSON.parse(status.stdout.toString('utf8')));
    expect(record.status).toBe('failed');
    expect(record.status_text).toEqual(expect.any(String));
    const reason = new RegExp(escapeRegExp(record.status_text ?? ''));
    expectOneLineFailure(waited, 4, reason);
    // The download asks for a link, which the server refuses saying the export failed, not "not ready".
    expectOneLineFailure(
      download,
      4,
      new RegExp(`^annex: This export failed: ${escapeRegExp(record.status_text ?? '')}$`, 'm'),
    );
    expect(status.code).toBe(0);
  }, 60_000);

  it('5 when annex cannot be reached, naming the host', async () => {
    const port = await findFreePort();

    const run = await runAnnexCli([
      'export',
      'list',
      '--host',
      `http://127.0.0.1:${port}`,
      '--project',
      'demo',
    ]);

    expectOneLineFailure(
      run,
      5,
      new RegExp(`Could not reach annex at http://127\\.0\\.0\\.1:${port}: is it running\\?`),
    );
  }, 60_000);
});
