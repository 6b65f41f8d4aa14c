import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFileIdKey } from '../contract/export-file.ts';
import { ExportNotReadyError, ExportTimeoutError } from './annex-errors.ts';
import type { Export } from './export-handle.ts';
import type { Project } from './project-client.ts';
import type { Job } from './source-handles.ts';
import { startAnnexServer, startAnnexWorker } from './test-utils/annex-server.ts';
import type { AnnexTestServer, AnnexTestWorker } from './test-utils/annex-server.ts';
import { demoProjectAs } from './test-utils/demo-project.ts';
import { downloadAsPanel } from './test-utils/download-as-panel.ts';
import { credentialsEnv, runAnnexCli } from './test-utils/run-annex-cli.ts';

// An API without a worker leaves every export queued, so "not ready" is certain rather than a race
// with a fast worker; a worker process is started on the same database when the test says so.
// WAIT_TIMEOUT_SECONDS=1 makes a waiting POST give up at once and answer 202.
let server: AnnexTestServer | undefined;
let worker: AnnexTestWorker | undefined;
let project: Project;
let job: Job;
let queued: Export;

function runningServer(): AnnexTestServer {
  if (server === undefined) throw new Error('the server did not start');
  return server;
}

function host(): string {
  return runningServer().host;
}

async function count(entries: AsyncIterable<unknown>): Promise<number> {
  let seen = 0;
  for await (const _entry of entries) seen += 1;
  return seen;
}

beforeAll(async () => {
  server = await startAnnexServer({ services: 'api', env: { WAIT_TIMEOUT_SECONDS: '1' } });
  project = demoProjectAs(server, server.admin);
  const [first] = await project.job.list();
  if (first === undefined) throw new Error('the demo project has no job');
  job = first;
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await server?.stop();
});

describe('an export that is not ready yet', () => {
  it('accessData throws ExportNotReadyError "Export not ready yet" with the export\'s status', async () => {
    queued = await job.generateExport({ waitForExportGeneration: false });

    const error = await queued.accessData().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ExportNotReadyError);
    const notReady = error as ExportNotReadyError;
    expect(notReady.message).toBe('Export not ready yet');
    expect(notReady.status).toBe('queued');
    expect(notReady.export.id).toBe(queued.id);
    expect(notReady.code).toBe('export_not_ready');
    expect(notReady.httpStatus).toBe(409);
    await expect(queued.accessData({ returnType: 'url' })).rejects.toThrow('Export not ready yet');
  });

  it('streaming and downloading it throw ExportNotReadyError too', async () => {
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });

    await expect(count(queued.streamFilePackets())).rejects.toThrow(ExportNotReadyError);
    await expect(queued.download(sink)).rejects.toThrow(ExportNotReadyError);
  });

  it('waitUntilDone gives up after timeoutMs with ExportTimeoutError carrying the export', async () => {
    const error = await queued
      .waitUntilDone({ timeoutMs: 200, pollMs: 50 })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ExportTimeoutError);
    expect((error as ExportTimeoutError).export.status).toBe('queued');
    expect((error as Error).message).toContain(`Export ${queued.id} is still queued`);
  });

  it('the CLI exits 6 with one line when the export is not ready', async () => {
    const env = {
      ANNEX_HOST: host(),
      ANNEX_PROJECT: 'demo',
      ...credentialsEnv(runningServer().admin),
    };

    const download = await runAnnexCli(['export', 'download', String(queued.id), '-o', '-'], {
      env,
    });
    const status = await runAnnexCli(
      ['export', 'status', String(queued.id), '--wait', '--timeout', '0.3'],
      { env },
    );

    expect(download.code).toBe(6);
    expect(download.stdout.length).toBe(0);
    expect(download.stderr.trim().split('\n')).toHaveLength(1);
    expect(download.stderr).toContain('Export not ready yet');
    expect(download.stderr).toContain(`annex export status ${queued.id} --wait`);
    expect(status.code).toBe(6);
    expect(status.stderr).toContain(`Export ${queued.id} is still queued`);
  }, 60_000);
});

describe('when the server stops waiting before the export is done', () => {
  it('generateExport keeps polling by itself and returns the data once a worker builds it', async () => {
    let workerStarting: Promise<AnnexTestWorker> | undefined;
    const polled: string[] = [];

    // onProgress runs only while the SDK polls, that is after the server answered 202: only then
    // does a worker start, so the data can only arrive through the SDK's own polling.
    const data = await job.generateExport({
      pollMs: 100,
      onProgress: (current) => {
        polled.push(current.status);
        workerStarting ??= startAnnexWorker(runningServer());
      },
    });
    worker = await workerStarting;

    expect(polled[0]).toBe('queued');
    expect(polled.at(-1)).toBe('complete');
    expect(data.export_info.source).toBe('job');
    expect(data.export_info.job?.id).toBe(job.id);
    expect(Object.keys(data).filter(isFileIdKey)).toHaveLength(data.export_info.file_list_length);
    expect((await downloadAsPanel(runningServer(), 'demo', data.export_info.id)).json).toEqual(
      data,
    );
  }, 180_000);

  it('the export queued earlier completes too: waitUntilDone, then accessData returns the data', async () => {
    await queued.waitUntilDone({ pollMs: 100 });
    const data = await queued.accessData();

    expect(queued.status).toBe('complete');
    expect(data.export_info.id).toBe(queued.id);
    expect((await downloadAsPanel(runningServer(), 'demo', queued.id)).json).toEqual(data);
  }, 60_000);
});
