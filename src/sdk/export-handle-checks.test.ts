import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckWarning, ExportChecks } from 'annex';
import {
  buildChecksWithFindings,
  buildCleanChecks,
} from '../contract/test-utils/export-checks-builders.ts';
import { AnnexHttpClient } from './annex-http-client.ts';
import { Export } from './export-handle.ts';
import { findFreePort, startAnnexServer } from './test-utils/annex-server.ts';
import type { AnnexTestServer } from './test-utils/annex-server.ts';
import { demoProjectAs } from './test-utils/demo-project.ts';
import { exportRecordOf } from './test-utils/record-builders.ts';
import { credentialsEnv, runAnnexCli } from './test-utils/run-annex-cli.ts';
import { setStoredChecks } from './test-utils/stored-checks.ts';

// `export.checks` and `export.checkWarnings()`: first what the handle makes of a record, then the
// same read from a real server, whose stored check values the test sets (what the worker counts
// is tested with the worker), and `annex export checks` printing them.

// The client points where nothing listens; the handle's checks never call it.
const client = new AnnexHttpClient(`http://127.0.0.1:${await findFreePort()}`);

describe('the Export handle without a server', () => {
  it("checks is the record's object; checkWarnings() words what it found, most serious first", () => {
    const checks: ExportChecks = buildChecksWithFindings();
    const item = new Export(client, exportRecordOf({ checks }));

    const warnings: CheckWarning[] | null = item.checkWarnings();

    expect(item.checks).toEqual(checks);
    expect(warnings?.map((warning) => warning.key)).toEqual([
      'expected_vs_written',
      'geometry.outside_bounds',
      'geometry.frames_beyond_video',
      'tasks.complete_files_with_open_tasks',
      'files_without_instances',
    ]);
    expect(warnings?.[1]?.finding?.examples[0]).toEqual({
      file_id: 501,
      instance_id: 9001,
      frame_number: null,
    });
    expect(JSON.parse(JSON.stringify(item))).toMatchObject({ checks });
  });

  it('checkWarnings() is [] when every check passed, null when there are no check values', () => {
    const clean = new Export(client, exportRecordOf({ checks: buildCleanChecks() }));
    const older = new Export(client, exportRecordOf({ checks: null }));
    const running = new Export(
      client,
      exportRecordOf({ status: 'running', percent_complete: 30, checks: null }),
    );

    expect(clean.checkWarnings()).toEqual([]);
    expect(older.checks).toBeNull();
    expect(older.checkWarnings()).toBeNull();
    expect(running.checkWarnings()).toBeNull();
  });
});

describe('check values from a real server', () => {
  let server: AnnexTestServer | undefined;
  let exportId: number;

  function running(): AnnexTestServer {
    if (server === undefined) throw new Error('the server did not start');
    return server;
  }

  beforeAll(async () => {
    server = await startAnnexServer();
    const luckfrill = await demoProjectAs(server, server.admin).directory.getByName('Luckfrill');
    const done = await (
      await luckfrill.generateExport({ waitForExportGeneration: false })
    ).waitUntilDone({ pollMs: 100 });
    exportId = done.id;
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('export.checks and checkWarnings() read what the server stores; refresh() reads them again', async () => {
    const project = demoProjectAs(running(), running().admin);
    await setStoredChecks(running().databaseUrl, exportId, buildChecksWithFindings());

    const item = await project.export.getById(exportId);

    expect(item.checks).toEqual(buildChecksWithFindings());
    expect(item.checkWarnings()).toHaveLength(5);

    await setStoredChecks(running().databaseUrl, exportId, buildCleanChecks());
    await item.refresh();

    expect(item.checks).toEqual(buildCleanChecks());
    expect(item.checkWarnings()).toEqual([]);
  });

  it('annex export checks prints them, and --json gives the same object', async () => {
    await setStoredChecks(running().databaseUrl, exportId, buildChecksWithFindings());
    const args = [
      'export',
      'checks',
      String(exportId),
      '--host',
      running().host,
      '--project',
      'demo',
    ];
    const env = credentialsEnv(running().admin);

    const text = await runAnnexCli(args, { env });
    const json = await runAnnexCli([...args, '--json'], { env });

    expect(text.code).toBe(0);
    expect(text.stdout.toString('utf8')).toMatch(
      new RegExp(`^Export ${exportId}: 5 warnings\\n\\n! File count differs from the preflight\\n`),
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout.toString('utf8'))).toEqual(buildChecksWithFindings());
  });

  it('annex export checks exits 1 for an export without check values', async () => {
    await setStoredChecks(running().databaseUrl, exportId, null);

    const run = await runAnnexCli(
      ['export', 'checks', String(exportId), '--host', running().host, '--project', 'demo'],
      { env: credentialsEnv(running().admin) },
    );

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Export ${exportId} was made before annex kept check values`);
  });
});
