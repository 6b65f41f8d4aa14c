import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportChecks } from '../../contract/export-checks.ts';
import type { ExportFile, FilePacket } from '../../contract/export-file.ts';
import { isFileIdKey } from '../../contract/export-file.ts';
import type { ExportSampleResponse } from '../../contract/export-sample.ts';
import type { Export } from '../../contract/exports.ts';
import { testDialects } from '../db/test-database.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { addExportRow } from '../test-utils/test-records.ts';
import {
  createExportTestEnvWithWorker,
  exportFilePathOf,
  exportRowOf,
  finalOf,
  requestExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// The spot-check's sample route: packets read from the stored file (equal to the file's own), a
// seeded sample that repeats for its seed, named file ids (the flagged files of `checks`), and the
// refusals: bad queries, unknown, unfinished, failed and cancelled exports, a file missing from
// storage and one that cannot be read.

const api = '/api/v1/projects/demo/exports';

describe.each(testDialects)('export sample API on %s', (dialect) => {
  let env: ExportTestEnv;
  let exportId: number;
  let file: ExportFile;
  let fileIds: number[];

  const sample = async (query: string) => {
    const response = await env.app.inject({
      method: 'GET',
      url: `${api}/${exportId}/sample${query}`,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<ExportSampleResponse>();
  };
  const packetOf = (id: number) => file[`${id}`] as FilePacket;

  beforeAll(async () => {
    env = await createExportTestEnvWithWorker(dialect);
    const created = await requestExport(env.app, 'demo', {
      source: 'directory',
      directory_id: env.demo.defaultDirectoryId,
      ann_is_complete: false,
    });
    exportId = created.id;
    expect((await finalOf(env, exportId)).status).toBe('complete');
    file = JSON.parse(fs.readFileSync(await exportFilePathOf(env, exportId), 'utf8')) as ExportFile;
    fileIds = Object.keys(file)
      .filter(isFileIdKey)
      .map(Number)
      .sort((a, b) => a - b);
  });
  afterAll(async () => {
    await env.close();
  });

  it('answers a seeded sample of the file’s own packets with its labels, repeatable by seed', async () => {
    const first = await sample('?count=5&seed=42');
    expect(first).toMatchObject({
      export_id: exportId,
      mode: 'random',
      seed: 42,
      file_count: fileIds.length,
      missing_file_ids: [],
    });
    expect(first.label_map).toEqual(file.label_map);
    expect(first.label_colour_map).toEqual(file.label_colour_map);
    expect(first.files).toHaveLength(5);
    const ids = first.files.map((packet) => packet.file.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const packet of first.files) expect(packet).toEqual(packetOf(packet.file.id));

    const again = await sample('?count=5&seed=42');
    expect(again.files.map((packet) => packet.file.id)).toEqual(ids);
    const other = await sample('?count=5&seed=7');
    expect(other.files.map((packet) => packet.file.id)).not.toEqual(ids);
  });

  it('picks a seed when none is sent, and that seed repeats the sample', async () => {
    const picked = await sample('?count=3');
    expect(picked.seed).toEqual(expect.any(Number));
    expect(picked.files).toHaveLength(3);
    const repeated = await sample(`?count=3&seed=${picked.seed}`);
    expect(repeated.files.map((p) => p.file.id)).toEqual(picked.files.map((p) => p.file.id));
  });

  it('takes every file when the count is larger than the export, and 20 by default', async () => {
    const all = await sample('?count=100&seed=1');
    expect(all.files.map((packet) => packet.file.id)).toEqual(fileIds);
    const byDefault = await sample('?seed=1');
    expect(byDefault.files).toHaveLength(Math.min(20, fileIds.length));
  });

  it('answers named file ids, in id order, and names those the file does not hold', async () => {
    const [a, b] = [fileIds[3], fileIds[0]] as [number, number];
    const named = await sample(`?file_ids=${a},${b},999999,${a}`);
    expect(named).toMatchObject({ mode: 'file_ids', seed: null, missing_file_ids: [999999] });
    expect(named.files.map((packet) => packet.file.id)).toEqual([b, a]);
    expect(named.files[0]).toEqual(packetOf(b));
    expect(named.label_map).toEqual(file.label_map);
  });

  it('reads the flagged files of checks written into the export row', async () => {
    const flagged = [fileIds[1], fileIds[2]] as [number, number];
    const finding = {
      count: 2,
      examples: flagged.map((id) => ({ file_id: id, instance_id: null, frame_number: null })),
    };
    const empty = { count: 0, examples: [] };
    const checks: ExportChecks = {
      instances_per_label: [],
      instances_per_type: {},
      files_per_type: {},
      files_without_instances: empty,
      geometry: {
        outside_bounds: finding,
        zero_area_boxes: empty,
        polygons_under_3_points: empty,
        frames_beyond_video: empty,
        keypoints_outside: empty,
      },
      missing_resolution: empty,
      tasks: null,
      expected_vs_written: {
        expected_file_count: null,
        selected_file_count: fileIds.length,
        written_file_count: fileIds.length,
        selected_instance_count: 0,
        written_instance_count: 0,
      },
    };
    await env.database.db
      .updateTable('export')
      .set({ checks: JSON.stringify(checks) })
      .where('id', '=', exportId)
      .execute();
    const record = (
      await env.app.inject({ method: 'GET', url: `${api}/${exportId}` })
    ).json<Export>();
    const examples = record.checks?.geometry.outside_bounds.examples ?? [];
    const named = await sample(`?file_ids=${examples.map((example) => example.file_id).join(',')}`);
    expect(named.files.map((packet) => packet.file.id)).toEqual(flagged);
  });

  it.each([
    ['?count=0', 'query.count'],
    ['?count=101', 'query.count'],
    ['?count=2.5', 'query.count'],
    ['?seed=-1', 'query.seed'],
    ['?seed=4294967296', 'query.seed'],
    ['?file_ids=', 'query.file_ids'],
    ['?file_ids=1,,2', 'query.file_ids'],
    ['?file_ids=0', 'query.file_ids.0'],
    ['?file_ids=1,x', 'query.file_ids'],
    [`?file_ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`, 'query.file_ids'],
    ['?file_ids=1&seed=3', 'query.seed'],
    ['?file_ids=1&count=3', 'query.count'],
    ['?sample=3', 'query.sample'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const response = await env.app.inject({
      method: 'GET',
      url: `${api}/${exportId}/sample${query}`,
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('validation_failed');
    expect(fieldsOf(response)).toContain(field);
  });

  it('answers 404 for an export the project does not have', async () => {
    const response = await env.app.inject({ method: 'GET', url: `${api}/999999/sample` });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).code).toBe('not_found');
  });

  it('answers 409 for an export that is not complete yet', async () => {
    await env.stopWorkers();
    const queued = await requestExport(env.app, 'demo', {
      source: 'directory',
      directory_id: env.demo.defaultDirectoryId,
    });
    const response = await env.app.inject({ method: 'GET', url: `${api}/${queued.id}/sample` });
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).code).toBe('export_not_ready');
  });

  it.each([
    [
      'cancelled',
      'export_cancelled',
      'was cancelled before it finished (by the tests), so it has no file. Retry it to build it again.',
    ],
    ['failed', 'export_failed', 'the disk was full'],
  ] as const)('answers 409 %s for a %s export', async (status, code, words) => {
    const row = await addExportRow(env.database, {
      project_id: env.demo.projectId,
      status,
      status_text: status === 'failed' ? 'the disk was full' : 'by the tests',
    });
    const response = await env.app.inject({ method: 'GET', url: `${api}/${row.id}/sample` });
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).code).toBe(code);
    expect(errorOf(response).message).toContain(words);
  });

  /** A complete export row pointing at `key` in storage (a copy of the built one otherwise). */
  const completeExportAt = async (key: string) => {
    const { id: _id, ...values } = await exportRowOf(env, exportId);
    return addExportRow(env.database, { ...values, status: 'complete', storage_key: key });
  };

  it('answers 404 for a complete export whose file is missing from storage', async () => {
    const gone = await completeExportAt('999999-0123456789abcdef.json');
    const response = await env.app.inject({ method: 'GET', url: `${api}/${gone.id}/sample` });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response)).toMatchObject({
      code: 'not_found',
      message: `The file of export ${gone.id} is missing from the server's storage. Generate the export again.`,
    });
  });

  it.each([
    ['garbage', 'it is not valid JSON'],
    ['{"label_map": {"1": "car"}, "label_colour_map": {', 'it ends before its JSON does'],
    ['{"label_map": {}, "label_colour_map": {}, "1": {"file": {}}}', 'packet 1 is not a valid'],
  ])('answers 409 for a stored file that cannot be read (%s)', async (text, reason) => {
    const key = '999998-fedcba9876543210.json';
    fs.writeFileSync(env.storage.pathOf(key), text);
    const broken = await completeExportAt(key);
    const response = await env.app.inject({ method: 'GET', url: `${api}/${broken.id}/sample` });
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).code).toBe('conflict');
    expect(errorOf(response).message).toMatch(
      new RegExp(
        `^The file of export ${broken.id} cannot be read as an export file: ${reason}.*Generate the export again\\.$`,
      ),
    );
  });
});
