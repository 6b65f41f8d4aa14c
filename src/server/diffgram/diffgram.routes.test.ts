import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  diffgramExportListResponseSchema,
  diffgramFileExistsResponseSchema,
  diffgramFileListResponseSchema,
  diffgramJobInfoResponseSchema,
  diffgramLabelNameMapResponseSchema,
  diffgramLabelSchemaListResponseSchema,
  diffgramQueuedExportResponseSchema,
  diffgramUrlResponseSchema,
  diffgramWorkingDirResponseSchema,
} from '../../contract/diffgram-api.ts';
import { exportFileSchema } from '../../contract/export-file.ts';
import type { ExportListResponse, PreflightResponse } from '../../contract/exports.ts';
import { testDialects } from '../db/test-database.ts';
import { addOtherProject, createExportTestEnv, finalOf } from '../exports/export-test-harness.ts';
import type { ExportTestEnv, OtherProject } from '../exports/export-test-harness.ts';
import { pathOf } from '../test-utils/api-responses.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import type { TestAccount } from '../test-utils/test-accounts.ts';
import { addDirectory } from '../test-utils/test-records.ts';
import { expectTextRefusal, sdkCall } from './diffgram-test-client.ts';

// Each call of ../shared/docs/diffgram-api.md, sent exactly as the Diffgram SDK sends it, gets the
// answer shape the SDK reads (parsed with the contract's schemas), and each refusal the page lists
// its status and text. The whole flow, in order, over real HTTP from Python: e2e/diffgram-sdk-flow.

/** Keys the SDK copies onto its own objects, where they would shadow a method or an attribute it needs. */
const shadowingKeys = {
  working_dir: ['project', 'client', 'file_id_list', 'get', 'list_files', 'init_files'],
  job: ['client', 'generate_export'],
  export: ['client', 'list', 'new', 'access_data', 'get_by_id'],
};

function expectNoKeys(record: object, keys: string[]): void {
  for (const key of keys) expect(Object.keys(record)).not.toContain(key);
}

describe.each(testDialects)('Diffgram API on %s', (dialect) => {
  let env: ExportTestEnv;
  let editor: TestAccount;
  let viewer: TestAccount;
  let other: OtherProject;
  let luckfrill: number;
  let streetJob: number;
  const P = '/api/project/demo';
  const V1 = '/api/v1/project/demo';
  const W = '/api/walrus/project/demo';

  /** The annex API's count of files an export of these settings would hold. */
  async function preflightCount(query: string): Promise<number> {
    const response = await env.app.inject({
      method: 'GET',
      url: `/api/v1/projects/demo/exports/preflight?${query}`,
    });
    return response.json<PreflightResponse>().file_count;
  }

  beforeAll(async () => {
    env = await createExportTestEnv(dialect, { WAIT_TIMEOUT_SECONDS: '1' });
    await env.startWorker();
    const projectId = env.demo.projectId;
    editor = await addTestAccount(env.database.db, {
      email: 'editor@diffgram.example',
      projects: { [projectId]: 'editor' },
    });
    viewer = await addTestAccount(env.database.db, { projects: { [projectId]: 'viewer' } });
    other = await addOtherProject(env.database);
    luckfrill = env.demo.defaultDirectoryId;
    const street = env.demo.jobs['Street scenes, round 1'];
    if (street === undefined) throw new Error('the demo has no "Street scenes, round 1" job');
    streetJob = street.id;
  });
  afterAll(async () => {
    await env.close();
  });

  describe('Project(...): the calls that set a project up', () => {
    it('GET working_dir/view answers the default directory with directory_id', async () => {
      const response = await sdkCall(env.app, viewer, {
        method: 'GET',
        path: `${P}/user/legacy/working_dir/view`,
      });
      expect(response.statusCode).toBe(200);
      const { working_dir: directory } = diffgramWorkingDirResponseSchema.parse(response.json());
      expect(directory).toMatchObject({
        directory_id: luckfrill,
        id: luckfrill,
        nickname: 'Luckfrill',
        is_default: true,
      });
      expectNoKeys(directory, shadowingKeys.working_dir);
    });

    it('GET working_dir/view?name= answers that directory, and 400 "Dataset not found" for an unknown name', async () => {
      const named = await sdkCall(env.app, viewer, {
        method: 'GET',
        path: `${P}/user/legacy/working_dir/view?name=${encodeURIComponent('Luckfrill')}`,
        directoryIdHeader: luckfrill,
      });
      expect(diffgramWorkingDirResponseSchema.parse(named.json()).working_dir.id).toBe(luckfrill);

      const unknown = await sdkCall(env.app, viewer, {
        method: 'GET',
        path: `${P}/user/legacy/working_dir/view?name=Nowhere`,
      });
      expect(expectTextRefusal(unknown, 400)).toBe('Dataset not found');
      // Another project's directory is not this project's.
      const elsewhere = await sdkCall(env.app, viewer, {
        method: 'GET',
        path: `${P}/user/legacy/working_dir/view?name=Elsewhere`,
      });
      expect(expectTextRefusal(elsewhere, 400)).toBe('Dataset not found');
    });

    it('POST file/list answers the directory’s file ids (not removed ones) with next_page and total_pages', async () => {
      const directory = env.demo.directories.Luckfrill;
      if (directory === undefined) throw new Error('no Luckfrill directory');
      const expected = directory.fileIds
        .filter((id) => !directory.removedFileIds.includes(id))
        .sort((a, b) => a - b);
      const response = await sdkCall(env.app, viewer, {
        method: 'POST',
        path: `${P}/user/sdk/file/list`,
        body: {
          metadata: {
            directory_id: luckfrill,
            page: 1,
            limit: 5000,
            file_view_mode: 'ids_only',
            search_term: null,
            previous: null,
          },
        },
      });
      expect(response.statusCode).toBe(200);
      const list = diffgramFileListResponseSchema.parse(response.json());
      expect(list.file_list).toEqual(expected);
      expect(list.metadata).toMatchObject({ next_page: null, total_pages: 1 });
    });

    it('pages file/list: pages 1..total_pages of `limit` ids put together are the whole list, no id twice', async () => {
      const whole = diffgramFileListResponseSchema.parse(
        (
          await sdkCall(env.app, viewer, {
            method: 'POST',
            path: `${P}/user/sdk/file/list`,
            body: { metadata: { directory_id: null, page: null, limit: null } },
          })
        ).json(),
      );
      expect(whole.metadata.directory_id).toBe(luckfrill); // null: the default directory
      const first = diffgramFileListResponseSchema.parse(
        (
          await sdkCall(env.app, viewer, {
            method: 'POST',
            path: `${P}/user/sdk/file/list`,
            body: { metadata: { directory_id: luckfrill, page: 1, limit: 2 } },
          })
        ).json(),
      );
      const totalPages = Math.ceil(whole.file_list.length / 2);
      expect(totalPages).toBeGreaterThan(1);
      expect(first.metadata).toMatchObject({ next_page: 2, total_pages: totalPages });
      const ids = [...first.file_list];
      for (let page = 2; page <= totalPages; page += 1) {
        const next = diffgramFileListResponseSchema.parse(
          (
            await sdkCall(env.app, viewer, {
              method: 'POST',
              path: `${P}/user/sdk/file/list`,
              body: { metadata: { directory_id: luckfrill, page, limit: 2 } },
            })
          ).json(),
        );
        expect(next.metadata.next_page).toBe(page < totalPages ? page + 1 : null);
        ids.push(...next.file_list);
      }
      expect(ids).toEqual(whole.file_list);
    });

    it('refuses file/list for an unknown directory, another project’s, and a view mode other than ids_only', async () => {
      for (const directoryId of [999_999, other.directoryId]) {
        const response = await sdkCall(env.app, viewer, {
          method: 'POST',
          path: `${P}/user/sdk/file/list`,
          body: { metadata: { directory_id: directoryId, page: 1, limit: 5000 } },
        });
        expect(expectTextRefusal(response, 400)).toBe('Dataset not found');
      }
      const mode = await sdkCall(env.app, viewer, {
        method: 'POST',
        path: `${P}/user/sdk/file/list`,
        body: { metadata: { page: 1, file_view_mode: 'base' } },
      });
      expect(expectTextRefusal(mode, 400)).toMatch(/file_view_mode "base" is not supported/);
      const bad = await sdkCall(env.app, viewer, {
        method: 'POST',
        path: `${P}/user/sdk/file/list`,
        body: { metadata: { page: 0 } },
      });
      expect(expectTextRefusal(bad, 400)).toMatch(/^Invalid request: body\.metadata\.page/);
    });

    it('POST file/exists: true when every id is a file of the project, false otherwise', async () => {
      const ids = Object.values(env.demo.files);
      const exists = async (fileIdList: unknown[]) => {
        const response = await sdkCall(env.app, viewer, {
          method: 'POST',
          path: `${V1}/file/exists`,
          body: { file_id_list: fileIdList },
        });
        expect(response.statusCode).toBe(200);
        return diffgramFileExistsResponseSchema.parse(response.json()).result.exists;
      };
      expect(await exists(ids)).toBe(true);
      expect(await exists([])).toBe(true);
      const otherFile = await env.database.db
        .selectFrom('directory_file')
        .select('file_id')
        .where('directory_id', '=', other.directoryId)
        .executeTakeFirstOrThrow();
      expect(await exists([...ids, otherFile.file_id])).toBe(false);
      expect(await exists([0])).toBe(false);
      expect(await exists([2 ** 40])).toBe(false);
    });

    it('GET labels name_to_file_id maps every label name to its id', async () => {
      const response = await sdkCall(env.app, viewer, {
        method: 'GET',
        path: `${V1}/labels/view/name_to_file_id`,
        directoryIdHeader: luckfrill,
      });
      const body = diffgramLabelNameMapResponseSchema.parse(response.json());
      expect(body.log.success).toBe(true);
      expect(body.name_to_file_id).toEqual(env.demo.labelIds);
    });

    it('GET labels-schema answers one default schema holding every label', async () => {
      const response = await sdkCall(env.app, viewer, {
        method: 'GET',
        path: `${V1}/labels-schema`,
        directoryIdHeader: luckfrill,
      });
      expect(diffgramLabelSchemaListResponseSchema.parse(response.json())).toEqual([
        {
          id: env.demo.projectId,
          name: 'Default',
          is_default: true,
          label_count: Object.keys(env.demo.labelIds).length,
        },
      ]);
    });
  });

  describe('project.job.get_by_id', () => {
    it('POST /api/v1/job/:id/builder/info finds the job among the caller’s projects', async () => {
      const response = await sdkCall(env.app, viewer, {
        method: 'POST',
        path: `/api/v1/job/${streetJob}/builder/info`,
        body: { mode_data: null },
        directoryIdHeader: luckfrill,
      });
      expect(response.statusCode).toBe(200);
      const { job } = diffgramJobInfoResponseSchema.parse(response.json());
      expect(job).toMatchObject({
        id: streetJob,
        name: 'Street scenes, round 1',
        label_schema_id: env.demo.projectId,
        tag_list: [],
        project_string_id: 'demo',
      });
      expect(job.launch_datetime).toMatch(/^\d{4}-\d\d-\d\dT/);
      expectNoKeys(job, shadowingKeys.job);
    });

    it('answers the same 400 for a job that does not exist and one in a project the caller may not see', async () => {
      const missing = await sdkCall(env.app, viewer, {
        method: 'POST',
        path: '/api/v1/job/999999/builder/info',
        body: { mode_data: null },
      });
      expect(expectTextRefusal(missing, 400)).toBe(
        'Job 999999 was not found in any project this key may see.',
      );
      const hidden = await sdkCall(env.app, viewer, {
        method: 'POST',
        path: `/api/v1/job/${other.jobId}/builder/info`,
        body: { mode_data: null },
      });
      expect(expectTextRefusal(hidden, 400)).toBe(
        `Job ${other.jobId} was not found in any project this key may see.`,
      );
    });
  });

  describe('job.generate_export and export.access_data', () => {
    /** The body the SDK's `job.generate_export(...)` sends, with its defaults. */
    function generateBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
      return {
        job_id: streetJob,
        kind: 'Annotations',
        source: 'job',
        file_comparison_mode: 'latest',
        directory_id: null,
        masks: false,
        ann_is_complete: null,
        return_type: 'data',
        wait_for_export_generation: true,
        ...overrides,
      };
    }

    async function generate(body: Record<string, unknown>, account: TestAccount = editor) {
      return sdkCall(env.app, account, {
        method: 'POST',
        path: `${W}/export/to_file`,
        body,
        directoryIdHeader: luckfrill,
      });
    }

    it('waits and answers the file itself: every file of the job (ann_is_complete null is all)', async () => {
      const response = await generate(generateBody());
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const file = exportFileSchema.parse(response.json());
      const packets = Object.keys(file).filter((key) => /^\d+$/.test(key));
      expect(packets.length).toBe(
        await preflightCount(`source=job&job_id=${streetJob}&ann_is_complete=false`),
      );
      expect(file.export_info.user_created_email).toBe('editor@diffgram.example');
      expect(file.export_info.ann_is_complete).toBe(false);
      // In the panel's list like any other export, with who made it; in the trail with the door.
      const listed = await env.app.inject({ method: 'GET', url: '/api/v1/projects/demo/exports' });
      expect(listed.json<ExportListResponse>().exports[0]).toMatchObject({
        id: file.export_info.id,
        created_by: 'editor@diffgram.example',
      });
      const trail = await env.database.db
        .selectFrom('audit_event')
        .select(['action', 'details', 'via'])
        .where('target', '=', `export ${file.export_info.id}`)
        .orderBy('id')
        .execute();
      expect(trail.map((event) => [event.action, event.via])).toEqual([
        ['export_created', 'api_key'],
        ['export_downloaded', 'api_key'],
      ]);
      expect(JSON.parse(String(trail[0]?.details))).toMatchObject({ api: 'diffgram' });
    });

    it('holds a blocking request past WAIT_TIMEOUT_SECONDS until the export is done', async () => {
      await env.stopWorkers();
      let answered = false;
      const pending = generate(generateBody()).finally(() => {
        answered = true;
      });
      try {
        // WAIT_TIMEOUT_SECONDS is 1 here: annex's own API would have answered 202 by now.
        await new Promise((resolve) => setTimeout(resolve, 2500));
        expect(answered).toBe(false);
      } finally {
        await env.startWorker();
      }
      const response = await pending;
      expect(response.statusCode).toBe(200);
      exportFileSchema.parse(response.json());
    });

    it('ann_is_complete true: completed files only', async () => {
      const response = await generate(generateBody({ ann_is_complete: true }));
      const file = exportFileSchema.parse(response.json());
      expect(Object.keys(file).filter((key) => /^\d+$/.test(key)).length).toBe(
        await preflightCount(`source=job&job_id=${streetJob}&ann_is_complete=true`),
      );
    });

    it('return_type url: a bare JSON string, the absolute URL on the request’s host, which downloads', async () => {
      const response = await sdkCall(env.app, editor, {
        method: 'POST',
        path: `${W}/export/to_file`,
        body: generateBody({ return_type: 'url' }),
      });
      expect(response.statusCode).toBe(200);
      const url = diffgramUrlResponseSchema.parse(response.json());
      expect(url).toMatch(/^http:\/\/localhost:80\/files\/exports\/\d+\?/);
      const download = await env.anonymousApp.inject({ method: 'GET', url: pathOf(url) });
      expect(download.statusCode).toBe(200);
      exportFileSchema.parse(download.json());
    });

    it('source "directory" with a null directory_id exports the default directory (job_id ignored)', async () => {
      const response = await generate(
        generateBody({ source: 'directory', job_id: null, return_type: 'url' }),
      );
      expect(response.statusCode).toBe(200);
      const listed = diffgramExportListResponseSchema.parse(
        (
          await sdkCall(env.app, viewer, { method: 'GET', path: `${W}/export/working_dir/list` })
        ).json(),
      );
      expect(listed.export_list[0]).toMatchObject({
        source: 'directory',
        directory_id: luckfrill,
        job_id: null,
        ann_is_complete: false,
        created_by: 'editor@diffgram.example',
      });
    });

    it('not waiting: {success, export} with the id, then access_data: "Export not ready yet" until it is complete', async () => {
      await env.stopWorkers();
      try {
        const response = await generate(generateBody({ wait_for_export_generation: false }));
        expect(response.statusCode).toBe(200);
        const queued = diffgramQueuedExportResponseSchema.parse(response.json());
        expect(queued.export).toMatchObject({ status: 'queued', job_id: streetJob });
        expectNoKeys(queued.export, shadowingKeys.export);

        const early = await sdkCall(env.app, viewer, {
          method: 'POST',
          path: `${W}/export/link`,
          body: { id: queued.export.id, return_type: 'url', format: 'JSON' },
        });
        expect(expectTextRefusal(early, 400)).toBe('Export not ready yet');

        await env.startWorker();
        await finalOf(env, queued.export.id);
        const url = await sdkCall(env.app, viewer, {
          method: 'POST',
          path: `${W}/export/link`,
          body: { id: queued.export.id, return_type: 'url', format: 'JSON' },
        });
        expect(url.statusCode).toBe(200);
        expect(diffgramUrlResponseSchema.parse(url.json())).toContain(
          `/files/exports/${queued.export.id}?`,
        );
        const data = await sdkCall(env.app, viewer, {
          method: 'POST',
          path: `${W}/export/link`,
          body: { id: queued.export.id, return_type: 'data', format: 'JSON' },
        });
        expect(exportFileSchema.parse(data.json()).export_info.id).toBe(queued.export.id);
      } finally {
        if (env.workerCount() === 0) await env.startWorker();
      }
    });

    it('a failed export: 400 with why, both waiting and from access_data (never 409 or 422)', async () => {
      const emptyShelf = await addDirectory(env.database, env.demo.projectId, 'Empty shelf', []);
      const waited = await generate(
        generateBody({ source: 'directory', directory_id: emptyShelf }),
      );
      const why = expectTextRefusal(waited, 400);
      expect(why).toMatch(/^No file matches: directory "Empty shelf" holds no files/);

      const listed = diffgramExportListResponseSchema.parse(
        (
          await sdkCall(env.app, viewer, { method: 'GET', path: `${W}/export/working_dir/list` })
        ).json(),
      );
      const failed = listed.export_list.find((record) => record.directory_id === emptyShelf);
      expect(failed?.status).toBe('failed');
      const link = await sdkCall(env.app, viewer, {
        method: 'POST',
        path: `${W}/export/link`,
        body: { id: failed?.id, return_type: 'url', format: 'JSON' },
      });
      expect(expectTextRefusal(link, 400)).toBe(`This export failed: ${why}`);
    });

    it('a cancelled export: 400 text saying so, to a held request and from access_data', async () => {
      await env.stopWorkers();
      try {
        const held = generate(generateBody());
        let id: number | undefined;
        const deadline = Date.now() + 10_000;
        while (id === undefined && Date.now() < deadline) {
          const row = await env.database.db
            .selectFrom('export')
            .select('id')
            .where('status', '=', 'queued')
            .orderBy('id', 'desc')
            .executeTakeFirst();
          id = row?.id;
          if (id === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        if (id === undefined) throw new Error('the held request queued no export');
        const cancel = await env.app.inject({
          method: 'POST',
          url: `/api/v1/projects/demo/exports/${id}/cancel`,
        });
        expect(cancel.statusCode).toBe(200);
        expect(expectTextRefusal(await held, 400)).toMatch(
          new RegExp(`^Export ${id} was cancelled before it finished`),
        );
        const link = await sdkCall(env.app, viewer, {
          method: 'POST',
          path: `${W}/export/link`,
          body: { id, return_type: 'url', format: 'JSON' },
        });
        expect(expectTextRefusal(link, 400)).toMatch(/was cancelled before it finished/);
      } finally {
        if (env.workerCount() === 0) await env.startWorker();
      }
    });

    it('refuses what annex cannot do with a 400 the SDK shows, and queues nothing', async () => {
      const before = await env.database.db
        .selectFrom('export')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      const refusals: [Record<string, unknown>, RegExp][] = [
        [{ kind: 'Media' }, /^Export kind "Media" is not supported/],
        [{ masks: true }, /^Masks are not supported/],
        [{ ann_is_complete: false }, /^ann_is_complete=False .* is not supported/],
        [{ job_id: null }, /^job_id is required when source is "job"/],
        [{ source: 'task', task_id: null }, /^task_id is required when source is "task"/],
        [{ source: 'dataset' }, /^Invalid request: body\.source/],
        [{ return_type: 'yaml' }, /^Invalid request: body\.return_type/],
        [{ job_id: other.jobId }, new RegExp(`job ${other.jobId} is not in project "demo"`)],
        [{ source: 'directory', directory_id: 999_999 }, /directory 999999 is not in project/],
      ];
      for (const [overrides, message] of refusals) {
        const response = await generate(generateBody(overrides));
        expect(expectTextRefusal(response, 400)).toMatch(message);
      }
      const after = await env.database.db
        .selectFrom('export')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      expect(after.count).toBe(before.count);
    });

    it('refuses access_data for an unknown export and a format other than JSON', async () => {
      const unknown = await sdkCall(env.app, viewer, {
        method: 'POST',
        path: `${W}/export/link`,
        body: { id: 999_999, return_type: 'url', format: 'JSON' },
      });
      expect(expectTextRefusal(unknown, 400)).toBe(
        'Export 999999 in project "demo" was not found.',
      );
      const yaml = await sdkCall(env.app, viewer, {
        method: 'POST',
        path: `${W}/export/link`,
        body: { id: 1, return_type: 'url', format: 'YAML' },
      });
      expect(expectTextRefusal(yaml, 400)).toMatch(/^Format "YAML" is not supported/);
    });

    it('a viewer may read and take links, not generate: 403 text saying which role it needs', async () => {
      const response = await generate(generateBody(), viewer);
      expect(expectTextRefusal(response, 403)).toMatch(/generating an export needs editor/);
    });
  });

  describe('project.export.list', () => {
    it('answers every export not archived, newest first, each with id and the source ids', async () => {
      const made = await env.database.db
        .selectFrom('export')
        .select(['id', 'archived'])
        .where('project_id', '=', env.demo.projectId)
        .orderBy('id', 'desc')
        .execute();
      expect(made.length).toBeGreaterThan(2);
      const archivedId = made[0]?.id ?? 0;
      const archive = await env.app.inject({
        method: 'DELETE',
        url: `/api/v1/projects/demo/exports/${archivedId}`,
      });
      expect(archive.statusCode).toBe(204);
      const response = await sdkCall(env.app, viewer, {
        method: 'GET',
        path: `${W}/export/working_dir/list`,
        directoryIdHeader: luckfrill,
      });
      const listed = diffgramExportListResponseSchema.parse(response.json());
      expect(listed.success).toBe(true);
      expect(listed.export_list.map((record) => record.id)).toEqual(
        made.filter((row) => row.id !== archivedId).map((row) => row.id),
      );
      for (const record of listed.export_list) expectNoKeys(record, shadowingKeys.export);
    });
  });

  describe('credentials', () => {
    const calls = [
      { method: 'GET' as const, path: `${P}/user/legacy/working_dir/view` },
      { method: 'POST' as const, path: `${W}/export/to_file`, body: { job_id: 1 } },
      { method: 'GET' as const, path: `${W}/export/working_dir/list` },
      { method: 'POST' as const, path: '/api/v1/job/1/builder/info', body: { mode_data: null } },
    ];

    it('answers 403 text to a request with no key, a wrong secret, and a revoked key', async () => {
      const wrong = {
        headers: {
          authorization: `Basic ${Buffer.from(`${editor.clientId}:nope`).toString('base64')}`,
        },
      };
      const revoked = await addTestAccount(env.database.db, {
        projects: { [env.demo.projectId]: 'admin' },
        key: { revoked: true },
      });
      for (const call of calls) {
        expect(expectTextRefusal(await sdkCall(env.anonymousApp, undefined, call), 403)).toMatch(
          /^No API key was sent/,
        );
        expect(expectTextRefusal(await sdkCall(env.app, wrong, call), 403)).toMatch(
          /^The API key is not valid/,
        );
        expect(expectTextRefusal(await sdkCall(env.app, revoked, call), 403)).toMatch(
          /was revoked/,
        );
      }
    });

    it('a key bound to another project does not reach this one: 400 text, as for a project that does not exist', async () => {
      const bound = await addTestAccount(env.database.db, {
        instanceAdmin: true,
        key: {
          projectId: (
            await env.database.db
              .selectFrom('project')
              .select('id')
              .where('project_string_id', '=', 'other')
              .executeTakeFirstOrThrow()
          ).id,
        },
      });
      const response = await sdkCall(env.app, bound, {
        method: 'GET',
        path: `${P}/user/legacy/working_dir/view`,
      });
      expect(expectTextRefusal(response, 400)).toBe('Project "demo" was not found.');
      const missing = await sdkCall(env.app, editor, {
        method: 'GET',
        path: '/api/project/nowhere/user/legacy/working_dir/view',
      });
      expect(expectTextRefusal(missing, 400)).toBe('Project "nowhere" was not found.');
    });
  });

  it('serves a host given with a trailing slash: //api/... is /api/...', async () => {
    const view = await sdkCall(env.app, viewer, {
      method: 'GET',
      path: `/${P}/user/legacy/working_dir/view`,
    });
    expect(diffgramWorkingDirResponseSchema.parse(view.json()).working_dir.id).toBe(luckfrill);
    const list = await sdkCall(env.app, viewer, {
      method: 'POST',
      path: `/${P}/user/sdk/file/list`,
      body: { metadata: { page: 1, limit: 5000, file_view_mode: 'ids_only' } },
    });
    expect(list.statusCode).toBe(200);
    const refused = await sdkCall(env.anonymousApp, undefined, {
      method: 'GET',
      path: `/${W}/export/working_dir/list`,
    });
    expectTextRefusal(refused, 403);
  });

  describe('with its own app', () => {
    let own: ExportTestEnv;
    let ownEditor: TestAccount;

    beforeAll(async () => {
      own = await createExportTestEnv(dialect, {
        PUBLIC_URL: 'https://annex.example.org/annex/',
        EXPORTS_PER_MINUTE: '2',
      });
      ownEditor = await addTestAccount(own.database.db, {
        projects: { [own.demo.projectId]: 'editor' },
      });
    });
    afterAll(async () => {
      await own.close();
    });

    it('builds URLs on PUBLIC_URL; past the export rate limit, 429 text; on shutdown, a held request ends in a 400 saying so', async () => {
      await own.startWorker();
      const url = await sdkCall(own.app, ownEditor, {
        method: 'POST',
        path: `${W}/export/to_file`,
        body: { source: 'directory', return_type: 'url' },
      });
      expect(diffgramUrlResponseSchema.parse(url.json())).toMatch(
        /^https:\/\/annex\.example\.org\/annex\/files\/exports\/\d+\?/,
      );

      await sdkCall(own.app, ownEditor, {
        method: 'POST',
        path: `${W}/export/to_file`,
        body: { source: 'directory', wait_for_export_generation: false },
      });
      const limited = await sdkCall(own.app, ownEditor, {
        method: 'POST',
        path: `${W}/export/to_file`,
        body: { source: 'directory', wait_for_export_generation: false },
      });
      expect(expectTextRefusal(limited, 429)).toMatch(/^Too many exports asked for/);
      expect(limited.headers['retry-after']).toBeDefined();

      // The limit is per user: someone else may still ask, and waits.
      await own.stopWorkers();
      const someoneElse = await addTestAccount(own.database.db, {
        projects: { [own.demo.projectId]: 'editor' },
      });
      const held = sdkCall(own.app, someoneElse, {
        method: 'POST',
        path: `${W}/export/to_file`,
        body: { source: 'directory' },
      });
      // Once its export is queued, the request is waiting for it.
      for (;;) {
        const queued = await own.database.db
          .selectFrom('export')
          .select('id')
          .where('created_by', '=', someoneElse.email)
          .executeTakeFirst();
        if (queued !== undefined) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await own.app.close();
      expect(expectTextRefusal(await held, 400)).toMatch(
        /^annex is shutting down before export \d+ finished/,
      );
    });
  });
});
