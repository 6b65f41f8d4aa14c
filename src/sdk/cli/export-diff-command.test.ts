import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDiffSchema } from '../../contract/export-diff.ts';
import type { ExportDiff } from '../../contract/export-diff.ts';
import { InvalidInputError } from '../annex-errors.ts';
import { startAnnexServer } from '../test-utils/annex-server.ts';
import type { AnnexTestServer } from '../test-utils/annex-server.ts';
import { demoProjectAs } from '../test-utils/demo-project.ts';
import { credentialsEnv, runAnnexCli } from '../test-utils/run-annex-cli.ts';
import type { AnnexCliRun } from '../test-utils/run-annex-cli.ts';
import { diffSummaryLines } from './export-diff-command.ts';

// `annex export diff` and `project.export.diff()` against a real server: two exports of the same
// directory (identical), refusals, and the text summary of a diff with changes.

let server: AnnexTestServer | undefined;
let workDir = '';
const exportIds: number[] = [];

function running(): AnnexTestServer {
  if (server === undefined) throw new Error('the server did not start');
  return server;
}

function annex(args: string[]): Promise<AnnexCliRun> {
  return runAnnexCli([...args, '--host', running().host, '--project', 'demo'], {
    cwd: workDir,
    env: credentialsEnv(running().admin),
  });
}

beforeAll(async () => {
  server = await startAnnexServer();
  workDir = await mkdtemp(path.join(tmpdir(), 'annex-diff-cli-'));
  for (let made = 0; made < 2; made += 1) {
    const run = await annex([
      'export',
      'generate',
      '--directory',
      'Luckfrill',
      '-o',
      `${made}.json`,
    ]);
    const id = /export (\d+) complete/.exec(run.stderr)?.[1];
    if (run.code !== 0 || id === undefined) throw new Error(`generate failed: ${run.stderr}`);
    exportIds.push(Number(id));
  }
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

describe('annex export diff', () => {
  it('prints two exports of unchanged data as identical', async () => {
    const [from = 0, to = 0] = exportIds;
    const run = await annex(['export', 'diff', String(from), String(to)]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const text = run.stdout.toString('utf8');
    expect(text).toContain(`Export ${from} → export ${to}: identical`);
    expect(text).toMatch(/added\s+0\n/);
  }, 60_000);

  it('--json prints the contract answer', async () => {
    const [from = 0, to = 0] = exportIds;
    const run = await annex(['export', 'diff', String(from), String(to), '--json']);
    expect(run.code).toBe(0);
    const diff = exportDiffSchema.parse(JSON.parse(run.stdout.toString('utf8')));
    expect(diff).toMatchObject({ from: { id: from }, to: { id: to }, identical: true });
  }, 60_000);

  it('fails with one line and exit code of a missing export', async () => {
    const run = await annex(['export', 'diff', String(exportIds[0]), '999999']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^annex: Export 999999 in project "demo" was not found\.\n$/);
  }, 60_000);

  it('refuses an id that is not a positive integer, as a usage error', async () => {
    const run = await annex(['export', 'diff', '12', 'latest']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('must be a positive integer');
  }, 60_000);
});

describe('project.export.diff', () => {
  it('answers the parsed diff, and refuses the same id twice before asking', async () => {
    const project = demoProjectAs(running(), running().admin);
    const [from = 0, to = 0] = exportIds;
    const diff = await project.export.diff(from, to);
    expect(diff.files.unchanged_count).toBe(diff.to.file_list_length);
    await expect(project.export.diff(from, from)).rejects.toThrow(InvalidInputError);
    await expect(project.export.diff(from, from)).rejects.toThrow(
      `Both sides are export ${from}; choose two different exports to compare.`,
    );
    await expect(project.export.diff(0, from)).rejects.toThrow('must be a positive integer id');
  }, 60_000);
});

describe('diffSummaryLines', () => {
  it('lists the first ids, the per-label table, and says when a list was cut', () => {
    const list = (count: number, ids: number[]) => ({ count, file_ids: ids });
    const diff: ExportDiff = {
      from: {
        id: 12,
        file_list_length: 3000,
        instance_count: 10,
        created_time: '2024-01-01T00:00:00.000Z',
      },
      to: {
        id: 15,
        file_list_length: 4000,
        instance_count: 12,
        created_time: '2024-02-01T00:00:00.000Z',
      },
      identical: false,
      files: {
        added: list(
          1500,
          Array.from({ length: 1000 }, (_, index) => index + 1),
        ),
        removed: list(0, []),
        changed: list(2, [7, 9]),
        completion_changed: list(1, [9]),
        unchanged_count: 2498,
      },
      instances: {
        added: 3,
        removed: 0,
        changed: 1,
        per_label: [{ label: 'pedestrian', added: 3, removed: 0, changed: 1 }],
      },
    };
    const text = diffSummaryLines(diff).join('\n');
    expect(text).toContain('Export 12 → export 15: changed');
    expect(text).toMatch(/added\s+1500 {2}1, 2, 3, .*, 20, …/);
    expect(text).toMatch(/changed\s+2 {2}7, 9\n/);
    expect(text).toMatch(/pedestrian\s+3\s+0\s+1/);
    expect(text).toContain('Lists keep the first 1000 file ids; the counts are whole.');
  });
});
