import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnnexError, ExportCancelledError } from './annex-errors.ts';
import { exitCodes } from './cli/exit-codes.ts';
import type { Export } from './export-handle.ts';
import type { Project } from './project-client.ts';
import { startAnnexServer } from './test-utils/annex-server.ts';
import type { AnnexTestServer } from './test-utils/annex-server.ts';
import { demoProjectAs } from './test-utils/demo-project.ts';
import { credentialsEnv, runAnnexCli } from './test-utils/run-annex-cli.ts';

// Cancel and retry from a script and the command line, against a server with no worker: every
// export stays queued until the test cancels it.

let server: AnnexTestServer;
let project: Project;

beforeAll(async () => {
  server = await startAnnexServer({ services: 'api' });
  project = demoProjectAs(server, server.admin);
}, 180_000);
afterAll(async () => {
  await server.stop();
});

async function queued(): Promise<Export> {
  const directory = await project.directory.default();
  return directory.generateExport({ waitForExportGeneration: false });
}

/** `annex …` against the test server as its instance admin, stdout as text. */
async function annex(args: string[]) {
  const run = await runAnnexCli([...args, '--host', server.host, '--project', 'demo'], {
    env: credentialsEnv(server.admin),
  });
  return { ...run, stdout: run.stdout.toString('utf8') };
}

describe('export.cancel() and export.retry()', () => {
  it('cancels a queued export; waiting for it or its file then throws ExportCancelledError', async () => {
    const item = await queued();
    expect(await item.cancel()).toBe(item);
    expect(item.status).toBe('cancelled');
    expect(item.isFinal).toBe(true);
    expect(item.status_text).toMatch(/^Cancelled by /);

    const waited = await item.waitUntilDone().catch((error: unknown) => error);
    expect(waited).toBeInstanceOf(ExportCancelledError);
    expect((waited as ExportCancelledError).message).toMatch(
      new RegExp(
        `^Export ${item.id} was cancelled before it finished \\(Cancelled by .+\\), so it has no file\\. Retry it`,
      ),
    );
    expect((waited as ExportCancelledError).export.id).toBe(item.id);

    const link = await item.getLink().catch((error: unknown) => error);
    expect(link).toBeInstanceOf(ExportCancelledError);
    expect(link).toMatchObject({ code: 'export_cancelled', httpStatus: 409 });

    const again = await item.cancel().catch((error: unknown) => error);
    expect(again).toBeInstanceOf(AnnexError);
    expect(again).toMatchObject({
      code: 'conflict',
      httpStatus: 409,
      message: `Export ${item.id} already finished (cancelled): only a queued or running export can be cancelled.`,
    });
  });

  it('refreshes a stale handle when the server says its export was cancelled', async () => {
    const item = await queued();
    // Cancelled through another handle: this one still says queued until the server says otherwise.
    await (await project.export.getById(item.id)).cancel();
    expect(item.status).toBe('queued');
    const link = await item.getLink().catch((error: unknown) => error);
    expect(link).toBeInstanceOf(ExportCancelledError);
    expect(item.status).toBe('cancelled');
    expect(item.status_text).toMatch(/^Cancelled by /);

    const stale = await queued();
    await (await project.export.getById(stale.id)).cancel();
    const data = await stale.accessData().catch((error: unknown) => error);
    expect(data).toBeInstanceOf(ExportCancelledError);
    expect(stale.status).toBe('cancelled');
  });

  it('retries a cancelled export as a new queued one, linked both ways; a queued one cannot be retried', async () => {
    const item = await queued();
    await item.cancel();
    const retry = await item.retry();
    expect(retry).toMatchObject({ status: 'queued', retry_of: item.id, source: item.source });
    expect(retry.id).not.toBe(item.id);
    expect((await item.refresh()).retried_by).toBe(retry.id);

    const refused = await retry.retry().catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'conflict',
      httpStatus: 409,
      message: `Export ${retry.id} is queued: only a failed or cancelled export can be retried.`,
    });
    await retry.cancel();
  });
});

describe('annex export cancel and retry', () => {
  it('cancels, says so, and a wait on the cancelled export exits 10', async () => {
    const item = await queued();
    const cancelled = await annex(['export', 'cancel', String(item.id)]);
    expect(cancelled.code).toBe(exitCodes.ok);
    expect(cancelled.stderr).toMatch(
      new RegExp(`^annex: export ${item.id} cancelled \\(Cancelled by .+\\)\\n$`),
    );

    const status = await annex(['export', 'status', String(item.id)]);
    expect(status.stdout).toContain('  status     cancelled');
    expect(status.stdout).toMatch(/ {2}reason {5}Cancelled by /);

    const waited = await annex(['export', 'status', String(item.id), '--wait']);
    expect(waited.code).toBe(exitCodes.cancelled);
    expect(waited.stderr).toMatch(
      new RegExp(`^annex: Export ${item.id} was cancelled before it finished`),
    );

    const again = await annex(['export', 'cancel', String(item.id)]);
    expect(again.code).toBe(exitCodes.error);
    expect(again.stderr).toBe(
      `annex: Export ${item.id} already finished (cancelled): only a queued or running export can be cancelled.\n`,
    );
  });

  it('retries: prints the new id, and status shows both links', async () => {
    const item = await queued();
    await item.cancel();
    const retried = await annex(['export', 'retry', String(item.id)]);
    expect(retried.code).toBe(exitCodes.ok);
    const newId = Number(retried.stdout.trim());
    expect(newId).toBeGreaterThan(item.id);
    expect(retried.stderr).toContain(
      `annex: export ${newId} (retry of ${item.id}) is queued; follow it with: annex export status ${newId} --wait`,
    );
    expect((await annex(['export', 'status', String(item.id)])).stdout).toContain(
      `  retried as export ${newId}`,
    );
    expect((await annex(['export', 'status', String(newId)])).stdout).toContain(
      `  retry of   export ${item.id}`,
    );

    const refused = await annex(['export', 'retry', String(newId), '--json']);
    expect(refused.code).toBe(exitCodes.error);
    expect(refused.stderr).toContain('only a failed or cancelled export can be retried');
    const json = await annex(['export', 'cancel', String(newId), '--json']);
    expect(json.code).toBe(exitCodes.ok);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: newId, status: 'cancelled' });
    // No worker runs here: a wait gives up at --timeout, exit 6, and the retry stays queued.
    const retryJson = await annex([
      'export',
      'retry',
      String(newId),
      '--json',
      '--wait',
      '--timeout',
      '0.5',
    ]);
    expect(retryJson.code).toBe(exitCodes.notReady);
  });

  it('exits 10 for the checks of a cancelled export, and for a diff with one', async () => {
    const item = await queued();
    await item.cancel();
    const cancelledWords = new RegExp(
      `^annex: Export ${item.id} was cancelled before it finished \\(Cancelled by .+\\), so it has no file\\. Retry it to build it again\\.\\n$`,
    );
    const checks = await annex(['export', 'checks', String(item.id)]);
    expect(checks.code).toBe(exitCodes.cancelled);
    expect(checks.stderr).toMatch(cancelledWords);

    // The server's 409 export_cancelled for either side; the other side is never read.
    const other = await queued();
    const diff = await annex(['export', 'diff', String(item.id), String(other.id)]);
    expect(diff.code).toBe(exitCodes.cancelled);
    expect(diff.stderr).toMatch(cancelledWords);
    const reversed = await annex(['export', 'diff', String(other.id), String(item.id)]);
    expect(reversed.code).toBe(exitCodes.notReady);
    await other.cancel();
    const both = await annex(['export', 'diff', String(other.id), String(item.id)]);
    expect(both.code).toBe(exitCodes.cancelled);
  });

  it('refuses a bad id as a usage error', async () => {
    const run = await annex(['export', 'cancel', 'twelve']);
    expect(run.code).toBe(exitCodes.usage);
  });
});
