import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportChecksSchema } from '../../contract/export-checks.ts';
import type { Export as ExportRecord } from '../../contract/exports.ts';
import {
  buildChecksWithFindings,
  buildCleanChecks,
} from '../../contract/test-utils/export-checks-builders.ts';
import { exportRecordOf } from '../test-utils/record-builders.ts';
import { runAnnexCli } from './annex-cli.ts';
import { exitCodes } from './exit-codes.ts';

// `annex export checks` and the checks line of `annex export status`, run in-process against a
// stand-in for annex that answers GET …/exports/:id with records made here: every state an export
// can be in, without waiting for a worker to pass through it. The real server's answer is read in
// export-handle-checks.test.ts.

const records = new Map<number, ExportRecord>([
  [12, exportRecordOf({ id: 12, checks: buildChecksWithFindings() })],
  [13, exportRecordOf({ id: 13, checks: buildCleanChecks() })],
  [14, exportRecordOf({ id: 14, checks: null })],
  [
    15,
    exportRecordOf({
      id: 15,
      status: 'running',
      percent_complete: 40,
      checks: null,
      changes_since: null,
    }),
  ],
  [
    16,
    exportRecordOf({
      id: 16,
      status: 'failed',
      status_text: 'Nothing to export: no file of job 3 is marked complete.',
      checks: null,
    }),
  ],
  [
    17,
    exportRecordOf({
      id: 17,
      status: 'cancelled',
      status_text: 'Cancelled by ada@example.com.',
      checks: null,
    }),
  ],
]);

let annex: Server;
let host: string;

beforeAll(async () => {
  annex = createServer((request, response) => {
    const id = /^\/api\/v1\/projects\/demo\/exports\/(\d+)$/.exec(request.url ?? '')?.[1];
    const record = id === undefined ? undefined : records.get(Number(id));
    if (request.method !== 'GET' || record === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'not_found', message: 'No such export.' } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(record));
  });
  annex.listen(0, '127.0.0.1');
  await once(annex, 'listening');
  const address = annex.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  host = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  annex.close();
  await once(annex, 'close');
});

/** `annex <args> --host … --project demo` in this process; its exit code and what it wrote. */
async function annexRun(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await runAnnexCli([...args, '--host', host, '--project', 'demo'], {
    stdout,
    stderr,
  });
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

describe('annex export checks', () => {
  it('prints the warnings, each with its places, then the values; exit 0 though it warns', async () => {
    const run = await annexRun(['export', 'checks', '12']);

    expect(run.code).toBe(exitCodes.ok);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Export 12: 5 warnings');
    expect(lines.filter((line) => line.startsWith('! '))).toEqual([
      '! File count differs from the preflight',
      '! Instances outside their image',
      '! Instances past the end of their video',
      '! Complete files with open tasks',
      '! Files with no instance',
    ]);
    expect(run.stdout).toContain(
      [
        '! Instances outside their image',
        '  3 instances have a coordinate outside the image or frame (0 to width, 0 to',
        '  height). A pipeline may crop, clamp or crash on them: open the files listed',
        "  and fix the shapes or the file's width and height.",
        '  - file 501 · instance 9001',
        '  - file 501 · instance 9004',
        '  - file 502 · instance 9020',
      ].join('\n'),
    );
    expect(run.stdout).toContain('  - file 610 · instance 9870 · frame 240');
    expect(run.stdout).toContain(
      [
        'Expected and written',
        '             EXPECTED  SELECTED  WRITTEN',
        '  files            40        38       38',
        '  instances         -       413      413',
      ].join('\n'),
    );
    expect(run.stdout).toContain(
      [
        'Tasks and files (archived tasks left out)',
        '  Tasks complete                      37 of 40',
        '  Files exported                            38',
        '  Complete files with open tasks             1',
        '  Files not complete whose tasks are      none',
      ].join('\n'),
    );
    expect(run.stdout).toContain(
      [
        'Geometry and resolution',
        '  Instances outside their image or frame     3',
        '  Zero-area boxes                         none',
        '  Polygons with fewer than 3 points       none',
        '  Video instances past the last frame        1',
        '  Keypoints outside their image           none',
        '  Files without width or height           none',
      ].join('\n'),
    );
    expect(run.stdout).toContain(
      [
        'Files per type',
        '  image             36',
        '  video              2',
        '  with no instance   2',
      ].join('\n'),
    );
    expect(run.stdout).toContain(
      ['Instances per label', '  car         301', '  pedestrian   98', '  cyclist      14'].join(
        '\n',
      ),
    );
  });

  it('--examples sets how many places each warning lists, and says how many more there are', async () => {
    const run = await annexRun(['export', 'checks', '12', '--examples', '1']);

    expect(run.code).toBe(exitCodes.ok);
    expect(run.stdout).toContain(
      '  - file 501 · instance 9001\n  … and 2 more (--json lists the first 3)\n',
    );
    expect(run.stdout).not.toContain('file 501 · instance 9004');

    const none = await annexRun(['export', 'checks', '12', '--examples', '0']);
    expect(none.stdout).not.toContain('  - file ');
  });

  it('says when every check passed', async () => {
    const run = await annexRun(['export', 'checks', '13']);

    expect(run.code).toBe(exitCodes.ok);
    expect(run.stdout.split('\n')[0]).toBe('Export 13: no warnings, every check passed');
    expect(run.stdout).not.toContain('! ');
    expect(run.stdout).not.toContain('Tasks and files');
  });

  it('--json prints the checks object as the API sends it', async () => {
    const run = await annexRun(['export', 'checks', '12', '--json']);

    expect(run.code).toBe(exitCodes.ok);
    expect(exportChecksSchema.parse(JSON.parse(run.stdout))).toEqual(buildChecksWithFindings());
  });

  it('exits 1 for an export made before check values, saying how to get them', async () => {
    const run = await annexRun(['export', 'checks', '14']);

    expect(run.code).toBe(exitCodes.error);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^annex: Export 14 was made before annex kept check values, so it has none\. Regenerate it/,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 6 while the export runs, saying how to wait for it', async () => {
    const run = await annexRun(['export', 'checks', '15']);

    expect(run.code).toBe(exitCodes.notReady);
    expect(run.stderr).toBe(
      'annex: Export 15 has no check values yet: they are counted while its file is written ' +
        '(export 15 is running, 40%; wait for it with: annex export status 15 --wait)\n',
    );
  });

  it('exits 4 for a failed export and 10 for a cancelled one, with the reason', async () => {
    const failed = await annexRun(['export', 'checks', '16']);
    const cancelled = await annexRun(['export', 'checks', '17']);

    expect(failed.code).toBe(exitCodes.failed);
    expect(failed.stderr).toBe(
      'annex: Export 16 failed (Nothing to export: no file of job 3 is marked complete.), so it has no file and no check values\n',
    );
    expect(cancelled.code).toBe(exitCodes.cancelled);
    expect(cancelled.stderr).toBe(
      'annex: Export 17 was cancelled before it finished (Cancelled by ada@example.com), so it has no file. Retry it to build it again.\n',
    );
  });

  it('exits 3 for an export that does not exist', async () => {
    const run = await annexRun(['export', 'checks', '99']);

    expect(run.code).toBe(exitCodes.notFound);
  });

  it('exits 2 for a bad id or --examples, before asking annex', async () => {
    for (const args of [
      ['export', 'checks', '0'],
      ['export', 'checks', 'twelve'],
      ['export', 'checks', '12', '--examples', '11'],
      ['export', 'checks', '12', '--examples', '-1'],
      ['export', 'checks', '12', '--examples', '2.5'],
    ]) {
      const run = await annexRun(args);
      expect(run.code, args.join(' ')).toBe(exitCodes.usage);
      expect(run.stdout).toBe('');
    }
  });

  it('--help says what the values are and that warnings keep exit 0', async () => {
    const run = await annexRun(['export', 'checks', '--help']);

    expect(run.code).toBe(exitCodes.ok);
    expect(run.stdout).toContain('Warnings do not change the exit code');
    expect(run.stdout).toContain('a failed one exits 4, a cancelled one 10');
    expect(run.stdout).toContain('--examples <n>');
  });
});

describe('annex export status', () => {
  it('counts the warnings and names the command that lists them', async () => {
    const warned = await annexRun(['export', 'status', '12']);
    const clean = await annexRun(['export', 'status', '13']);
    const older = await annexRun(['export', 'status', '14']);

    expect(warned.stdout).toContain(
      '\n  checks     5 warnings: annex export checks 12 --project demo\n',
    );
    expect(clean.stdout).toContain('\n  checks     no warnings\n');
    expect(older.stdout).not.toContain('checks ');
  });
});
