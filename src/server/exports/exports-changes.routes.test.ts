import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Export, ExportListResponse } from '../../contract/exports.ts';
import { currentChangeSeq } from '../annotations/file-changes.ts';
import { testDialects } from '../db/test-database.ts';
import { addExportRow } from '../test-utils/test-records.ts';
import { addBox } from './export-change-fixtures.ts';
import {
  createExportTestEnvWithWorker,
  defaultDirectoryExport,
  exportRowOf,
  finalOf,
  requestExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// `changes_since` as the API shows it: a real export records its snapshot, shows no change right
// after, and counts a write to its source on GET /:id and in the list alike; exports that are not
// complete or have no snapshot show null.

describe.each(testDialects)('changes_since in the exports API on %s', (dialect) => {
  let env: ExportTestEnv;

  beforeAll(async () => {
    env = await createExportTestEnvWithWorker(dialect);
  });
  afterAll(async () => {
    await env.close();
  });

  const get = async (id: number) =>
    (
      await env.app.inject({ method: 'GET', url: `/api/v1/projects/demo/exports/${id}` })
    ).json<Export>();
  const listed = async (id: number) =>
    (await env.app.inject({ method: 'GET', url: '/api/v1/projects/demo/exports' }))
      .json<ExportListResponse>()
      .exports.find((record) => record.id === id);

  it('records the snapshot, shows no change right after, then counts a write to the source', async () => {
    const seq = await currentChangeSeq(env.database.db, env.demo.projectId);
    const { id } = await requestExport(env.app, 'demo', {
      ...defaultDirectoryExport(env),
      ann_is_complete: false,
    });
    expect(await finalOf(env, id)).toMatchObject({
      status: 'complete',
      changes_since: { files_changed: 0, files_added: 0, files_removed: 0 },
    });
    expect((await exportRowOf(env, id)).snapshot_seq).toBe(seq);
    expect((await listed(id))?.changes_since).toEqual({
      files_changed: 0,
      files_added: 0,
      files_removed: 0,
    });

    const member = await env.database.db
      .selectFrom('directory_file')
      .innerJoin('file', 'file.id', 'directory_file.file_id')
      .select('file.id')
      .where('directory_file.directory_id', '=', env.demo.defaultDirectoryId)
      .where('file.state', '=', 'added')
      .orderBy('file.id')
      .limit(1)
      .executeTakeFirstOrThrow();
    await addBox(env.database, env.demo.projectId, member.id);
    const stale = { files_changed: 1, files_added: 0, files_removed: 0 };
    expect((await get(id)).changes_since).toEqual(stale);
    expect((await listed(id))?.changes_since).toEqual(stale);
  });

  it('shows null for an export not complete, or complete from before change tracking', async () => {
    const base = {
      project_id: env.demo.projectId,
      directory_id: env.demo.defaultDirectoryId,
      created_by: 'ada@example.com',
    };
    // Failed rather than queued: the running worker would build a queued one.
    const failed = await addExportRow(env.database, { ...base, status: 'failed', snapshot_seq: 0 });
    const older = await addExportRow(env.database, {
      ...base,
      status: 'complete',
      snapshot_seq: null,
    });
    for (const id of [failed.id, older.id]) {
      expect((await get(id)).changes_since).toBeNull();
      expect((await listed(id))?.changes_since).toBeNull();
    }
  });
});
