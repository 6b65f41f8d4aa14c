import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../test-utils/annex-server.ts';
import { runAnnexCli } from './annex-cli.ts';

// `annex import`'s command line, run in this process: what it refuses before talking to annex. The
// host is a port nothing listens on, so a run that got as far as sending would exit 5, not 2.

interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function annex(args: string[]): Promise<CapturedRun> {
  const stdout = capture();
  const stderr = capture();
  const code = await runAnnexCli(args, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let workDir: string;
let file: string;
let host: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'annex-import-args-'));
  file = path.join(workDir, 'small.json');
  await writeFile(file, '{}');
  host = `http://127.0.0.1:${await findFreePort()}`;
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function expectUsage(run: CapturedRun, pattern: RegExp): void {
  expect(run.stderr).toMatch(pattern);
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr.startsWith('annex: ')).toBe(true);
  expect(run.stdout).toBe('');
}

describe('annex import: the command line', () => {
  it('needs the file, the project and the directory', async () => {
    expectUsage(
      await annex(['import', '--host', host, '--project', 'demo', '--directory', 'Street']),
      /missing required argument 'file'/,
    );
    expectUsage(
      await annex(['import', file, '--host', host, '--project', 'demo']),
      /required option '--directory <name>' not specified/,
    );
    expectUsage(
      await annex(['import', file, '--host', host, '--directory', 'Street']),
      /required option '--project <id>' not specified/,
    );
  });

  it('takes --on-error fail or skip only, and a positive --timeout', async () => {
    const base = ['import', file, '--host', host, '--project', 'demo', '--directory', 'Street'];

    expectUsage(await annex([...base, '--on-error', 'ignore']), /--on-error.*fail, skip/);
    expectUsage(await annex([...base, '--timeout', '0']), /positive number of seconds/);
  });

  it('refuses a path with no file before sending anything, naming it', async () => {
    const missing = path.join(workDir, 'missing.json');

    const run = await annex([
      'import',
      missing,
      '--host',
      host,
      '--project',
      'demo',
      '--directory',
      'Street',
    ]);

    expectUsage(
      run,
      new RegExp(
        `Cannot import ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: there is no such file`,
      ),
    );
  });

  it('gets as far as sending with good arguments: annex is unreachable here, exit 5', async () => {
    const run = await annex([
      'import',
      file,
      '--host',
      host,
      '--project',
      'demo',
      '--directory',
      'Street',
      '--on-error',
      'skip',
    ]);

    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`Could not send the file to annex at ${host}`);
  });

  it('--help shows the usage, an example and the exit codes', async () => {
    const run = await annex(['import', '--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: annex import [options] <file>');
    expect(run.stdout).toContain('--on-error <mode>');
    expect(run.stdout).toContain('annex import luckfrill.json --project demo --directory');
    expect(run.stdout).toContain('4  export or import failed');
  });

  it('the program help lists the import command', async () => {
    const run = await annex(['--help']);

    expect(run.stdout).toMatch(/import \[options\] <file>\s+import a Diffgram JSON file/);
  });
});
