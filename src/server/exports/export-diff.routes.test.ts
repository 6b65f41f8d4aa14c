import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportDiff } from '../../contract/export-diff.ts';
import type { Export } from '../../contract/exports.ts';
import { testDialects } from '../db/test-database.ts';
import { errorOf } from '../test-utils/api-responses.ts';
import { addExportRow, addImages } from '../test-utils/test-records.ts';
import {
  addOtherProject,
  createExportTestEnvWithWorker,
  exportRowOf,
  requestExport,
  watchExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// The diff route on real exports: a directory exported, its data edited (a file added, one taken
// out of the directory, an instance moved, a file marked complete), exported again, the two
// compared; and every refusal.

const api = '/api/v1/projects/demo/exports';

describe.each(testDialects)('export diff API on %s', (dialect) => {
  let env: ExportTestEnv;
  let before: Export;
  let after: Export;
  let again: Export;
  const edits = {
    addedFileId: 0,
    removedFileId: 0,
    editedFileId: 0,
    completedFileId: 0,
    labelName: '',
  };

  const exportAll = async () => {
    const queued = await requestExport(env.app, 'demo', {
      source: 'directory',
      directory_id: env.demo.defaultDirectoryId,
      ann_is_complete: false,
    });
    const seen = await watchExport(env.app, 'demo', queued.id);
    const last = seen.at(-1);
    if (last?.status !== 'complete') throw new Error(`export ${queued.id} did not complete`);
    return last;
  };
  const diff = (from: number, to: number) =>
    env.app.inject({ method: 'GET', url: `${api}/${from}/diff/${to}` });

  beforeAll(async () => {
    env = await createExportTestEnvWithWorker(dialect);
    const { db } = env.database;
    const directoryId = env.demo.defaultDirectoryId;
    const files = await db
      .selectFrom('directory_file')
      .innerJoin('file', 'file.id', 'directory_file.file_id')
      .select(['file.id', 'file.ann_is_complete', 'file.type'])
      .where('directory_file.directory_id', '=', directoryId)
      .where('file.state', '!=', 'removed')
      .orderBy('file.id')
      .execute();
    const withInstance = await db
      .selectFrom('instance')
      .innerJoin('label', 'label.id', 'instance.label_id')
      .select(['instance.id', 'instance.file_id', 'instance.geometry', 'label.name'])
      .where(
        'instance.file_id',
        'in',
        files.filter((file) => file.type === 'image').map((file) => file.id),
      )
      .where('instance.soft_deleted', '=', 0)
      .where('instance.type', '=', 'box')
      .orderBy('instance.id')
      .executeTakeFirstOrThrow();
    const incomplete = files.find(
      (file) => file.ann_is_complete === 0 && file.id !== withInstance.file_id,
    );
    const removable = files.find(
      (file) => file.id !== withInstance.file_id && file.id !== incomplete?.id,
    );
    if (incomplete === undefined || removable === undefined)
      throw new Error('the demo directory lacks the files this test edits');

    before = await exportAll();
    const [addedFileId = 0] = await addImages(env.database, env.demo.projectId, 1, false);
    await db
      .insertInto('directory_file')
      .values({ directory_id: directoryId, file_id: addedFileId })
      .execute();
    await db
      .deleteFrom('directory_file')
      .where('directory_id', '=', directoryId)
      .where('file_id', '=', removable.id)
      .execute();
    const geometry =
      typeof withInstance.geometry === 'string'
        ? (JSON.parse(withInstance.geometry) as Record<string, number>)
        : (withInstance.geometry as Record<string, number>);
    await db
      .updateTable('instance')
      .set({ geometry: JSON.stringify({ ...geometry, x_max: (geometry.x_max ?? 0) + 1 }) })
      .where('id', '=', withInstance.id)
      .execute();
    await db
      .updateTable('file')
      .set({ ann_is_complete: 1 })
      .where('id', '=', incomplete.id)
      .execute();
    Object.assign(edits, {
      addedFileId,
      removedFileId: removable.id,
      editedFileId: withInstance.file_id,
      completedFileId: incomplete.id,
      labelName: withInstance.name,
    });
    after = await exportAll();
    again = await exportAll();
  });
  afterAll(async () => {
    await env.close();
  });

  it('answers what changed between two exports of edited data', async () => {
    const response = await diff(before.id, after.id);
    expect(response.statusCode).toBe(200);
    const found = response.json<ExportDiff>();
    expect(found.from).toMatchObject({
      id: before.id,
      file_list_length: before.file_list_length,
      created_time: before.created_time,
    });
    expect(found.to).toMatchObject({
      id: after.id,
      file_list_length: after.file_list_length,
      instance_count: after.instance_count,
    });
    expect(found.identical).toBe(false);
    expect(found.files.added).toEqual({ count: 1, file_ids: [edits.addedFileId] });
    expect(found.files.removed).toEqual({ count: 1, file_ids: [edits.removedFileId] });
    expect(found.files.changed.file_ids).toEqual(
      [edits.editedFileId, edits.completedFileId].sort((a, b) => a - b),
    );
    expect(found.files.completion_changed).toEqual({ count: 1, file_ids: [edits.completedFileId] });
    expect(found.files.unchanged_count).toBe((before.file_list_length ?? 0) - 3);
    expect(found.instances.changed).toBe(1);
    const edited = found.instances.per_label.find((row) => row.label === edits.labelName);
    expect(edited?.changed).toBe(1);
  });

  it('answers the reverse when asked the other way round', async () => {
    const found = (await diff(after.id, before.id)).json<ExportDiff>();
    expect(found.files.added.file_ids).toEqual([edits.removedFileId]);
    expect(found.files.removed.file_ids).toEqual([edits.addedFileId]);
  });

  it('finds two exports of unchanged data identical, every count 0', async () => {
    const response = await diff(after.id, again.id);
    expect(response.statusCode).toBe(200);
    const found = response.json<ExportDiff>();
    expect(found.identical).toBe(true);
    expect(found.files).toMatchObject({
      added: { count: 0 },
      removed: { count: 0 },
      changed: { count: 0 },
      completion_changed: { count: 0 },
      unchanged_count: after.file_list_length,
    });
    expect(found.instances).toEqual({ added: 0, removed: 0, changed: 0, per_label: [] });
  });

  it('refuses the same export twice with a 400 naming params.other', async () => {
    const response = await diff(after.id, after.id);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: 'validation_failed' });
    expect(errorOf(response).message).toContain('choose two different exports');
  });

  it('answers 404 for an export that does not exist, or is of another project', async () => {
    const missing = await diff(before.id, 999_999);
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing).message).toBe('Export 999999 in project "demo" was not found.');
    const other = await addOtherProject(env.database);
    const foreign = await addExportRow(env.database, {
      project_id: (
        await env.database.db
          .selectFrom('directory')
          .select('project_id')
          .where('id', '=', other.directoryId)
          .executeTakeFirstOrThrow()
      ).project_id,
      status: 'complete',
    });
    expect((await diff(foreign.id, before.id)).statusCode).toBe(404);
  });

  it.each([
    [
      'queued',
      'export_not_ready',
      'is queued, not complete: only complete exports can be compared; try again when it is.',
    ],
    [
      'cancelled',
      'export_cancelled',
      'was cancelled before it finished (by the tests), so it has no file. Retry it to build it again.',
    ],
    [
      'failed',
      'export_failed',
      'failed (the disk was full): only complete exports can be compared.',
    ],
  ] as const)('answers 409 for a %s export', async (status, code, message) => {
    // No worker may pick the queued one up; the exports this file compares are all made.
    await env.stopWorkers();
    const row = await addExportRow(env.database, {
      project_id: env.demo.projectId,
      status,
      ...(status === 'failed' ? { status_text: 'the disk was full' } : {}),
      ...(status === 'cancelled' ? { status_text: 'by the tests' } : {}),
    });
    const response = await diff(before.id, row.id);
    expect(response.statusCode).toBe(409);
    expect(errorOf(response)).toMatchObject({ code, message: `Export ${row.id} ${message}` });
  });

  it('answers 404 when a file is missing from storage, 409 when it cannot be read', async () => {
    const copyOf = async (exportRow: Export) => {
      const stored = await exportRowOf(env, exportRow.id);
      const { id: _id, ...values } = stored;
      return addExportRow(env.database, {
        ...values,
        project_id: env.demo.projectId,
        status: 'complete',
      });
    };
    const gone = await copyOf(after);
    await env.database.db
      .updateTable('export')
      .set({ storage_key: `${gone.id}-0123456789abcdef.json` })
      .where('id', '=', gone.id)
      .execute();
    const goneResponse = await diff(before.id, gone.id);
    expect(goneResponse.statusCode).toBe(404);
    expect(errorOf(goneResponse)).toMatchObject({
      code: 'not_found',
      message: `The file of export ${gone.id} is missing from the server's storage. Generate the export again.`,
    });

    const broken = await copyOf(after);
    const key = `${broken.id}-fedcba9876543210.json`;
    fs.writeFileSync(env.storage.pathOf(key), '{"readme": {"about": "cut short"');
    await env.database.db
      .updateTable('export')
      .set({ storage_key: key, content_sha256: null })
      .where('id', '=', broken.id)
      .execute();
    const brokenResponse = await diff(before.id, broken.id);
    expect(brokenResponse.statusCode).toBe(409);
    expect(errorOf(brokenResponse)).toMatchObject({
      code: 'conflict',
      message: `The file of export ${broken.id} cannot be compared: it ends before its JSON does (after 32 bytes), so it was cut short. Generate the export again.`,
    });
  });
});
