import { describe, expect, it } from 'vitest';
import { isFileIdKey } from '../contract/export-file.ts';
import type { Export } from './export-handle.ts';
import { useDemoProject } from './test-utils/demo-project.ts';
import { credentialsEnv, runAnnexCli } from './test-utils/run-annex-cli.ts';
import { touchFiles } from './test-utils/touch-files.ts';

// A complete export whose source changes goes stale (`changes_since`, computed by the server from the
// files' change stamps: this needs the snapshot work of issue 11), and regenerate() asks for a fresh
// one with the same settings. The change is made as a writer makes it, straight in the database.

const demo = useDemoProject();

describe('a stale export', () => {
  let old: Export;
  let touched: number;

  it('a fresh export is not stale: changesSince counts nothing', async () => {
    const luckfrill = await demo.project.directory.getByName('Luckfrill');
    old = await luckfrill.generateExport({
      waitForExportGeneration: false,
      annIsComplete: false,
      includeRemoved: true,
    });
    await old.waitUntilDone({ pollMs: 100 });

    expect(old.changesSince).toEqual({ files_changed: 0, files_added: 0, files_removed: 0 });
    expect(old.isStale).toBe(false);
  }, 60_000);

  it('goes stale once a file of its source changes: isStale, and the count in changesSince', async () => {
    const data = await old.accessData();
    touched = Number(Object.keys(data).find(isFileIdKey));
    await touchFiles(demo.server.databaseUrl, 'demo', [touched]);

    await old.refresh();

    expect(old.changesSince).toEqual({ files_changed: 1, files_added: 0, files_removed: 0 });
    expect(old.isStale).toBe(true);
  }, 60_000);

  it('annex export status says so and how to regenerate; the list marks it', async () => {
    const env = {
      ANNEX_HOST: demo.server.host,
      ANNEX_PROJECT: 'demo',
      ...credentialsEnv(demo.credentials),
    };

    const status = await runAnnexCli(['export', 'status', String(old.id)], { env });
    const list = await runAnnexCli(['export', 'list'], { env });

    expect(status.code).toBe(0);
    const text = status.stdout.toString('utf8');
    expect(text).toContain(
      '  Stale: 1 file changed since this export (changed 1, added 0, removed 0)',
    );
    expect(text).toContain(
      '  Regenerate it with: annex export generate --project demo --directory "Luckfrill" --all --include-removed',
    );
    const row = list.stdout
      .toString('utf8')
      .split('\n')
      .find((line) => line.startsWith(`${old.id} `));
    expect(row).toContain('complete, stale (1 changed)');
  }, 60_000);

  it('regenerate() asks for a new export with the same settings, which is not stale', async () => {
    const fresh = await old.regenerate();

    expect(fresh.id).not.toBe(old.id);
    expect(fresh.source).toBe('directory');
    expect(fresh.directory).toEqual(old.directory);
    expect(fresh.ann_is_complete).toBe(false);
    expect(fresh.include_removed).toBe(true);
    await fresh.waitUntilDone({ pollMs: 100 });
    expect(fresh.isStale).toBe(false);
    expect(fresh.file_list_length).toBe(old.file_list_length);
    // The old one stays as it was: still stale.
    expect((await demo.project.export.getById(old.id)).isStale).toBe(true);
  }, 60_000);

  it('regenerates a job export as a job export', async () => {
    const jobExport = await demo.streetJob.generateExport({ waitForExportGeneration: false });

    const again = await jobExport.regenerate();

    expect(again.source).toBe('job');
    expect(again.job?.id).toBe(demo.streetJob.id);
    expect(again.ann_is_complete).toBe(true);
    expect(again.include_removed).toBe(false);
  }, 60_000);
});
