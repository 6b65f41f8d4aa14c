import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Export } from '../../contract/exports.ts';
import { auditEventsOf } from '../audit/audit-test-reads.ts';
import { testDialects } from '../db/test-database.ts';
import { seedBulkProject } from '../seed/bulk-project.ts';
import type { BulkProjectSummary } from '../seed/bulk-project.ts';
import { errorOf } from '../test-utils/api-responses.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import type { TestAccount } from '../test-utils/test-accounts.ts';
import { addExportRow } from '../test-utils/test-records.ts';
import {
  createExportTestEnv,
  defaultDirectoryExport,
  exportRowOf,
  filesOf,
  RecordingLogger,
  requestExport,
  untilRow,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';
import { ExportState } from './export-state.ts';

// Cancel and retry through the API: a queued export is cancelled before any worker takes it, a
// running one stops between pages with its temporary file removed and never completes afterwards;
// a finished one is a 409; a failed or cancelled one is retried as a new, linked export.

const api = '/api/v1/projects';

describe.each(testDialects)('export cancel and retry on %s', (dialect) => {
  let env: ExportTestEnv;
  let bulk: BulkProjectSummary;
  let editor: TestAccount;
  let viewer: TestAccount;

  beforeAll(async () => {
    env = await createExportTestEnv(dialect, { WAIT_TIMEOUT_SECONDS: '30' });
    bulk = await seedBulkProject(env.database, { files: 1500, projectStringId: 'bulk', seed: 7 });
    editor = await addTestAccount(env.database.db, {
      email: 'eddie@example.com',
      projects: { [env.demo.projectId]: 'editor' },
    });
    viewer = await addTestAccount(env.database.db, {
      email: 'vera@example.com',
      projects: { [env.demo.projectId]: 'viewer' },
    });
  }, 120_000);
  afterAll(async () => {
    await env.close();
  });

  function post(url: string, account?: TestAccount) {
    return env.app.inject({
      method: 'POST',
      url,
      ...(account === undefined ? {} : { headers: account.headers }),
    });
  }

  async function failedExport(): Promise<number> {
    const row = await addExportRow(env.database, {
      project_id: env.demo.projectId,
      status: 'failed',
      status_text: 'The disk was full.',
      directory_id: env.demo.defaultDirectoryId,
      ann_is_complete: 0,
      include_removed: 1,
      expected_file_count: 7,
      finished_time: new Date().toISOString(),
    });
    return row.id;
  }

  it('cancels a queued export: 200 and the export, cancelled, audited; no file or link; a second cancel is a 409', async () => {
    const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
    const response = await post(`${api}/demo/exports/${created.id}/cancel`);
    expect(response.statusCode).toBe(200);
    const cancelled = response.json<Export>();
    expect(cancelled).toMatchObject({ id: created.id, status: 'cancelled' });
    expect(cancelled.status_text).toMatch(/^Cancelled by .+@.+\.$/);
    expect(cancelled.finished_time).not.toBeNull();
    expect(
      await auditEventsOf(env.database.db, 'export_cancelled', `export ${created.id}`),
    ).toHaveLength(1);

    const link = await post(`${api}/demo/exports/${created.id}/link`);
    expect(link.statusCode).toBe(409);
    expect(errorOf(link).code).toBe('export_cancelled');
    expect(errorOf(link).message).toMatch(
      new RegExp(
        `^Export ${created.id} was cancelled before it finished \\(Cancelled by .+\\), so it has no file\\. Retry it`,
      ),
    );

    const again = await post(`${api}/demo/exports/${created.id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(errorOf(again)).toMatchObject({
      code: 'conflict',
      message: `Export ${created.id} already finished (cancelled): only a queued or running export can be cancelled.`,
      details: { export: { id: created.id, status: 'cancelled' } },
    });

    // A worker started afterwards never builds it.
    const worker = await env.startWorker();
    try {
      const other = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
      await untilRow(env, other.id, (row) => row.status === 'complete');
      expect(await exportRowOf(env, created.id)).toMatchObject({
        status: 'cancelled',
        claimed_by: null,
        storage_key: null,
      });
    } finally {
      await worker.stop();
    }
  });

  it('stops a running export between pages, removes its temporary file, and it stays cancelled', async () => {
    // Held after its first progress write until the cancel is sent, so a fast machine cannot finish
    // the export first.
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { recordProgress } = ExportState.prototype as {
      recordProgress: (
        this: ExportState,
        ...args: Parameters<ExportState['recordProgress']>
      ) => Promise<boolean>;
    };
    const spy = vi
      .spyOn(ExportState.prototype, 'recordProgress')
      .mockImplementation(async function (this: ExportState, ...args) {
        const written = await recordProgress.apply(this, args);
        await gate;
        return written;
      });
    const logger = new RecordingLogger();
    const worker = await env.startWorker({ pageSize: 10, logger });
    try {
      const created = await requestExport(env.app, 'bulk', {
        source: 'directory',
        directory_id: bulk.defaultDirectoryId,
        ann_is_complete: false,
      });
      const running = await untilRow(
        env,
        created.id,
        (row) => row.status === 'running' && row.percent_complete > 0,
      );
      expect(running.percent_complete).toBeLessThan(99);
      expect((await env.storage.listTemps()).length).toBe(1);

      const response = await post(`${api}/bulk/exports/${created.id}/cancel`);
      expect(response.statusCode).toBe(200);
      release();
      await untilRow(env, created.id, () => worker.activeCount === 0);

      const row = await exportRowOf(env, created.id);
      expect(row).toMatchObject({ status: 'cancelled', storage_key: null, sha256: null });
      expect(row.percent_complete).toBeLessThan(100);
      expect(await env.storage.listTemps()).toEqual([]);
      expect(
        fs.readdirSync(env.storage.root).filter((name) => name.startsWith(`${created.id}-`)),
      ).toEqual([]);
      expect(logger.lines).toContain(
        `info: annex worker ${worker.workerId}: export ${created.id} was cancelled; stopped writing it and removed its temporary file`,
      );
      // Idle again, the worker takes nothing: the cancelled export is not back in the queue.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(worker.activeCount).toBe(0);
      expect((await exportRowOf(env, created.id)).status).toBe('cancelled');
    } finally {
      release();
      spy.mockRestore();
      await worker.stop();
    }
  });

  it('discards the file of a worker that finishes just after the cancel, and the export stays cancelled', async () => {
    // The cancel lands between the file's rename into place and the worker's `complete`.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its own `this` below
    const complete = ExportState.prototype.complete;
    const spy = vi.spyOn(ExportState.prototype, 'complete').mockImplementation(async function (
      this: ExportState,
      id,
      workerId,
      file,
    ) {
      await this.cancel(env.demo.projectId, id, 'late@example.com');
      return complete.call(this, id, workerId, file);
    });
    const logger = new RecordingLogger();
    const worker = await env.startWorker({ logger });
    try {
      const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
      await untilRow(env, created.id, (row) => row.status === 'cancelled');
      await untilRow(env, created.id, () => worker.activeCount === 0);
      expect(spy).toHaveBeenCalled();
      expect(await exportRowOf(env, created.id)).toMatchObject({
        status: 'cancelled',
        status_text: 'Cancelled by late@example.com.',
        storage_key: null,
      });
      expect(filesOf(env, created.id)).toEqual([]);
      expect(logger.lines).toContain(
        `warn: annex worker ${worker.workerId}: export ${created.id} was archived, cancelled or re-queued while it ran; its file was discarded`,
      );
    } finally {
      spy.mockRestore();
      await worker.stop();
    }
  });

  it('answers a request waiting for an export that is cancelled with a 409 export_cancelled', async () => {
    const waiting = env.app.inject({
      method: 'POST',
      url: `${api}/demo/exports`,
      payload: { ...defaultDirectoryExport(env), wait_for_export_generation: true },
    });
    // The waiting request's export: the newest, once it is queued.
    let id = 0;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (Date.now() > deadline)
        throw new Error('the waiting request queued no export within 10 s');
      const row = await env.database.db
        .selectFrom('export')
        .select(['id', 'status'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (row !== undefined && row.status === 'queued') {
        id = row.id;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await post(`${api}/demo/exports/${id}/cancel`)).statusCode).toBe(200);
    const response = await waiting;
    expect(response.statusCode).toBe(409);
    expect(errorOf(response)).toMatchObject({
      code: 'export_cancelled',
      details: { export: { id, status: 'cancelled' } },
    });
  });

  it('refuses to cancel a finished export (409 with it), an unknown one (404) and a bad id (400)', async () => {
    const failed = await failedExport();
    const refused = await post(`${api}/demo/exports/${failed}/cancel`);
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused)).toMatchObject({
      code: 'conflict',
      message: `Export ${failed} already finished (failed): only a queued or running export can be cancelled.`,
      details: { export: { id: failed, status: 'failed' } },
    });
    const unknown = await post(`${api}/demo/exports/999999/cancel`);
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown).code).toBe('not_found');
    const bad = await post(`${api}/demo/exports/abc/cancel`);
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).code).toBe('validation_failed');
  });

  it("lets an editor cancel their own export but not another's, and a viewer none", async () => {
    const theirs = await env.app.inject({
      method: 'POST',
      url: `${api}/demo/exports`,
      headers: editor.headers,
      payload: defaultDirectoryExport(env),
    });
    const own = theirs.json<Export>().id;
    const admins = (await requestExport(env.app, 'demo', defaultDirectoryExport(env))).id;

    const byViewer = await post(`${api}/demo/exports/${own}/cancel`, viewer);
    expect(byViewer.statusCode).toBe(403);
    expect(errorOf(byViewer).message).toContain('cancelling an export needs admin');
    const othersByEditor = await post(`${api}/demo/exports/${admins}/cancel`, editor);
    expect(othersByEditor.statusCode).toBe(403);
    expect(errorOf(othersByEditor).message).toContain(
      'cancelling someone else’s export needs admin',
    );
    expect((await exportRowOf(env, admins)).status).toBe('queued');

    const ownByEditor = await post(`${api}/demo/exports/${own}/cancel`, editor);
    expect(ownByEditor.statusCode).toBe(200);
    expect(ownByEditor.json<Export>().status_text).toBe('Cancelled by eddie@example.com.');
    expect((await post(`${api}/demo/exports/${admins}/cancel`)).statusCode).toBe(200);
  });

  it('retries a failed export as a new queued one with its settings, linked both ways, made by the retrier', async () => {
    const failed = await failedExport();
    const response = await post(`${api}/demo/exports/${failed}/retry`, editor);
    expect(response.statusCode).toBe(202);
    const retry = response.json<Export>();
    expect(retry).toMatchObject({
      status: 'queued',
      source: 'directory',
      ann_is_complete: false,
      include_removed: true,
      expected_file_count: null,
      created_by: 'eddie@example.com',
      retry_of: failed,
      retried_by: null,
    });
    expect(retry.directory?.id).toBe(env.demo.defaultDirectoryId);
    expect(retry.id).toBeGreaterThan(failed);

    const old = await env.app.inject({ method: 'GET', url: `${api}/demo/exports/${failed}` });
    expect(old.json<Export>()).toMatchObject({ status: 'failed', retried_by: retry.id });
    expect(
      await auditEventsOf(env.database.db, 'export_retried', `export ${failed}`),
    ).toMatchObject([{ actor_email: 'eddie@example.com', details: { new_export: retry.id } }]);

    const twice = await post(`${api}/demo/exports/${failed}/retry`);
    expect(twice.statusCode).toBe(409);
    expect(errorOf(twice).message).toBe(
      `Export ${failed} was already retried as export ${retry.id}; retry that one if it failed too.`,
    );
    await post(`${api}/demo/exports/${retry.id}/cancel`);

    // Once that retry is archived, the original may be retried again (and no longer names it).
    const archived = await env.app.inject({
      method: 'DELETE',
      url: `${api}/demo/exports/${retry.id}`,
    });
    expect(archived.statusCode).toBe(204);
    const original = await env.app.inject({ method: 'GET', url: `${api}/demo/exports/${failed}` });
    expect(original.json<Export>().retried_by).toBeNull();
    const again = await post(`${api}/demo/exports/${failed}/retry`);
    expect(again.statusCode).toBe(202);
    await post(`${api}/demo/exports/${again.json<Export>().id}/cancel`);
  });

  it('retries a cancelled export, and a worker builds the retry', async () => {
    const created = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
    await post(`${api}/demo/exports/${created.id}/cancel`);
    const response = await post(`${api}/demo/exports/${created.id}/retry`);
    expect(response.statusCode).toBe(202);
    const retry = response.json<Export>();
    expect(retry.retry_of).toBe(created.id);
    const worker = await env.startWorker();
    try {
      const built = await untilRow(env, retry.id, (row) => row.status === 'complete');
      expect(built.retry_of_export_id).toBe(created.id);
      expect((await exportRowOf(env, created.id)).status).toBe('cancelled');
    } finally {
      await worker.stop();
    }
  });

  it('refuses to retry an export that is not failed or cancelled (409), an unknown one (404), and a viewer (403)', async () => {
    const queued = await requestExport(env.app, 'demo', defaultDirectoryExport(env));
    const refused = await post(`${api}/demo/exports/${queued.id}/retry`);
    expect(refused.statusCode).toBe(409);
    expect(errorOf(refused)).toMatchObject({
      code: 'conflict',
      message: `Export ${queued.id} is queued: only a failed or cancelled export can be retried.`,
      details: { export: { id: queued.id } },
    });
    const complete = await addExportRow(env.database, {
      project_id: env.demo.projectId,
      status: 'complete',
      directory_id: env.demo.defaultDirectoryId,
    });
    const completeRefused = await post(`${api}/demo/exports/${complete.id}/retry`);
    expect(completeRefused.statusCode).toBe(409);
    expect(errorOf(completeRefused).message).toContain('is complete');

    expect((await post(`${api}/demo/exports/999999/retry`)).statusCode).toBe(404);
    const failed = await failedExport();
    const byViewer = await post(`${api}/demo/exports/${failed}/retry`, viewer);
    expect(byViewer.statusCode).toBe(403);
    expect(errorOf(byViewer).message).toContain('retrying an export needs editor');
    await post(`${api}/demo/exports/${queued.id}/cancel`);
  });

  it('refuses to retry an export whose directory is gone from the project, saying so', async () => {
    const row = await addExportRow(env.database, {
      project_id: env.demo.projectId,
      status: 'failed',
      directory_id: bulk.defaultDirectoryId,
    });
    const response = await post(`${api}/demo/exports/${row.id}/retry`);
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).message).toBe(
      `Export ${row.id} cannot be retried: its directory ${bulk.defaultDirectoryId} is no longer in project "demo". Make a new export instead.`,
    );
  });
});
