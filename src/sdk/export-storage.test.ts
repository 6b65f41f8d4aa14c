import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportStorageResponse } from '../contract/export-storage.ts';
import { storageSummaryLines } from './cli/export-storage-command.ts';
import type { Project } from './project-client.ts';
import { startAnnexServer } from './test-utils/annex-server.ts';
import type { AnnexTestServer } from './test-utils/annex-server.ts';
import { demoProjectAs } from './test-utils/demo-project.ts';
import { credentialsEnv, runAnnexCli } from './test-utils/run-annex-cli.ts';

// `project.export.storage()` and `annex export storage`, against a real server with retention set.

describe('storage used by a project’s exports', () => {
  let server: AnnexTestServer;
  let project: Project;

  beforeAll(async () => {
    server = await startAnnexServer({
      env: { EXPORT_RETENTION_DAYS: '30', EXPORT_KEEP_PER_SOURCE: '3' },
    });
    project = demoProjectAs(server, server.admin);
  }, 180_000);
  afterAll(async () => {
    await server.stop();
  });

  it('counts the bytes of the exports with a file and says the retention, from a script and the command line', async () => {
    const before = await project.export.storage();
    const directory = await project.directory.default();
    const made = await directory.generateExport({ waitForExportGeneration: false });
    await made.waitUntilDone();
    const after = await project.export.storage();
    expect(after).toEqual({
      bytes: before.bytes + (made.size_bytes ?? Number.NaN),
      export_count: before.export_count + 1,
      retention: { retention_days: 30, keep_per_source: 3 },
    });

    const args = ['export', 'storage', '--host', server.host, '--project', 'demo'];
    const text = await runAnnexCli(args, { env: credentialsEnv(server.admin) });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.toString('utf8')).toBe(`${storageSummaryLines(after).join('\n')}\n`);
    const json = await runAnnexCli([...args, '--json'], { env: credentialsEnv(server.admin) });
    expect(JSON.parse(json.stdout.toString('utf8'))).toEqual(after);
  });
});

describe('storageSummaryLines', () => {
  const storage = (retention: ExportStorageResponse['retention']): ExportStorageResponse => ({
    bytes: 1_288_490_189,
    export_count: 14,
    retention,
  });

  it('says the storage used and the retention in words, or that none is set', () => {
    expect(storageSummaryLines(storage({ retention_days: null, keep_per_source: null }))).toEqual([
      'Storage used: 1.2 GB in 14 exports',
      'Retention: none set; exports are kept until someone archives them.',
    ]);
    expect(storageSummaryLines(storage({ retention_days: 30, keep_per_source: null }))[1]).toBe(
      'Retention: exports older than 30 days are archived automatically and their files deleted; the newest complete export of each source always stays.',
    );
    expect(
      storageSummaryLines({
        ...storage({ retention_days: null, keep_per_source: 2 }),
        bytes: 0,
        export_count: 1,
      })[0],
    ).toBe('Storage used: 0 B in 1 export');
  });
});
