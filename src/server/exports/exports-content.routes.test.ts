import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceListResponse } from '../../contract/annotation-writes.ts';
import { instanceListResponseSchema } from '../../contract/annotation-writes.ts';
import { isMetadataKey, metadataKeys } from '../../contract/export-file.ts';
import type { ExportFile } from '../../contract/export-file.ts';
import type { Export, ExportListResponse } from '../../contract/exports.ts';
import { testDialects } from '../db/test-database.ts';
import { demoFileId } from './export-file-fixtures.ts';
import {
  createExportTestEnvWithWorker,
  defaultDirectoryExport,
  exportFilePathOf,
  finalOf,
  requestExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// `content_sha256` of real exports, built by the worker from the demo project: equal for two exports
// of unchanged data (whose files then differ only in the fields it leaves out), different for other
// settings and after a one-instance edit through the write API on an image, a video and a text, and
// equal again once the edit is undone. The hash itself is recomputed here from the file on disk.

type Json = Record<string, unknown>;

/** The media URL and expiry fields of each media block, which the content hash leaves out. */
const signedFields: Record<string, string[]> = {
  image: ['image_signed_url', 'image_signed_expiry'],
  video: ['mp4_video_signed_url', 'mp4_video_signed_expiry'],
  text: ['signed_url', 'signed_expiry'],
};

/**
 * The file as parsed with the nine fields the content hash leaves out set to null, in place, so the
 * key order of every object is the file's.
 */
function blanked(file: ExportFile): Json {
  const copy = structuredClone(file) as unknown as Record<string, Json>;
  Object.assign(copy.export_info ?? {}, { id: null, created_time: null, user_created_email: null });
  for (const [key, packet] of Object.entries(copy)) {
    if (isMetadataKey(key)) continue;
    (packet.file as Json).blob_url = null;
    for (const [block, fields] of Object.entries(signedFields)) {
      const media = packet[block] as Json | undefined;
      if (media !== undefined) for (const field of fields) media[field] = null;
    }
  }
  return copy;
}

/**
 * The content hash recomputed from the file: its blanked text in the file's own order (the five
 * metadata keys, then packets by file id; JSON.parse would put the numeric keys first).
 */
function recomputedContentHash(file: ExportFile): string {
  const copy = blanked(file);
  const head = Object.fromEntries(metadataKeys.map((key) => [key, copy[key]]));
  const packets = Object.keys(copy)
    .filter((key) => !isMetadataKey(key))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => `,"${key}":${JSON.stringify(copy[key])}`)
    .join('');
  return createHash('sha256')
    .update(`${JSON.stringify(head).slice(0, -1)}${packets}}`)
    .digest('hex');
}

describe.each(testDialects)('content_sha256 of real exports on %s', (dialect) => {
  let env: ExportTestEnv;

  beforeAll(async () => {
    env = await createExportTestEnvWithWorker(dialect);
  });
  afterAll(async () => {
    await env.close();
  });

  /** Asks for an export, waits for it, and reads its file. */
  async function exportOf(body: Json): Promise<{ record: Export; file: ExportFile }> {
    const { id } = await requestExport(env.app, 'demo', body);
    const record = await finalOf(env, id);
    expect(record.status, record.status_text ?? '').toBe('complete');
    const text = fs.readFileSync(await exportFilePathOf(env, id), 'utf8');
    return { record, file: JSON.parse(text) as ExportFile };
  }

  const defaultExport = () => exportOf(defaultDirectoryExport(env));

  async function instancesOf(fileId: number): Promise<InstanceListResponse> {
    const response = await env.app.inject({
      method: 'GET',
      url: `/api/v1/projects/demo/files/${fileId}/instances`,
    });
    expect(response.statusCode, response.body).toBe(200);
    return instanceListResponseSchema.parse(response.json());
  }

  async function putInstances(fileId: number, instanceList: unknown[]): Promise<void> {
    const response = await env.app.inject({
      method: 'PUT',
      url: `/api/v1/projects/demo/files/${fileId}/instances`,
      payload: { instance_list: instanceList },
    });
    expect(response.statusCode, response.body).toBe(200);
  }

  it('is equal for two exports of unchanged data, whose files differ only in the fields it leaves out', async () => {
    const first = await defaultExport();
    const second = await defaultExport();
    expect(first.record.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(second.record.content_sha256).toBe(first.record.content_sha256);
    // The files themselves differ (export_info.id at least), their content does not.
    expect(second.record.sha256).not.toBe(first.record.sha256);
    expect(blanked(second.file)).toEqual(blanked(first.file));
    // The export holds an image, a video and a text, so all three packet kinds are compared.
    const kinds = new Set(
      Object.entries(first.file)
        .filter(([key]) => !isMetadataKey(key))
        .map(([, packet]) => (packet as { file: { type: string } }).file.type),
    );
    expect([...kinds].sort()).toEqual(['image', 'text', 'video']);
    // What the hash is: the file's SHA-256 with those fields null, as documented.
    expect(recomputedContentHash(first.file)).toBe(first.record.content_sha256);
    // The list shows it too.
    const list = await env.app.inject({ method: 'GET', url: '/api/v1/projects/demo/exports' });
    const listed = list.json<ExportListResponse>().exports.find(({ id }) => id === first.record.id);
    expect(listed?.content_sha256).toBe(first.record.content_sha256);
  });

  it('differs for other settings of the same source', async () => {
    const base = await defaultExport();
    const allFiles = await exportOf({ ...defaultDirectoryExport(env), ann_is_complete: false });
    const withRemoved = await exportOf({ ...defaultDirectoryExport(env), include_removed: true });
    const hashes = [base, allFiles, withRemoved].map(({ record }) => record.content_sha256);
    expect(new Set(hashes).size).toBe(3);
  });

  it.each([
    ['an image', 'street-02.jpg'],
    ['a video', 'drive-downtown_clip-1.mp4'],
    ['a text', 'witness-1.txt'],
  ])(
    'changes after a one-instance edit of %s, and comes back when it is undone',
    async (_, name) => {
      const fileId = demoFileId(env.demo, name);
      const before = await defaultExport();
      const original = (await instancesOf(fileId)).instance_list;
      // A box one pixel narrower where there is one; else another label (a text token has no box).
      // A label would do on a video too, but it moves the instance to another sequence, which stays.
      const box = original.find((instance) => instance.type === 'box');
      const target = box ?? original.find((instance) => instance.type !== 'global');
      if (target === undefined) throw new Error(`${name} has no drawn instance`);
      const otherLabel = Object.keys(before.file.label_map)
        .map(Number)
        .find((id) => id !== target.label_file_id);
      const edit = (instance: Json): Json =>
        'x_max' in instance && typeof instance.x_max === 'number'
          ? { ...instance, x_max: instance.x_max - 1 }
          : { ...instance, label_file_id: otherLabel };
      const edited = original.map((instance) =>
        instance.id === target.id ? edit(instance) : instance,
      );
      await putInstances(fileId, edited);

      const after = await defaultExport();
      expect(after.record.content_sha256).not.toBe(before.record.content_sha256);
      // Only that file's packet changed.
      const changed = Object.keys(blanked(after.file)).filter(
        (key) =>
          JSON.stringify(blanked(after.file)[key]) !== JSON.stringify(blanked(before.file)[key]),
      );
      expect(changed).toEqual([String(fileId)]);
      expect(recomputedContentHash(after.file)).toBe(after.record.content_sha256);

      await putInstances(fileId, original);
      const undone = await defaultExport();
      expect(undone.record.content_sha256).toBe(before.record.content_sha256);
    },
  );
});
