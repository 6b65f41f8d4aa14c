import { createHash } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportLink } from '../../contract/exports.ts';
import { S3ExportStorage } from '../storage/s3-export-storage.ts';
import { startTestS3Server } from '../storage/test-s3-server.ts';
import type { TestS3Server } from '../storage/test-s3-server.ts';
import { errorOf, pathOf } from '../test-utils/api-responses.ts';
import {
  createExportTestEnv,
  exportRowOf,
  requestExport,
  watchExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// Exports kept in an S3-compatible bucket (s3rver on 127.0.0.1), through the routes: the worker
// streams the file into the bucket, annex's signed link streams it back (whole or a range), the
// spot check reads it, DOWNLOAD_MODE=presigned hands out the store's own URL, and archiving deletes
// the object. SQLite only: what differs here is the storage, and the multi-process test runs the
// same paths on PostgreSQL.

const api = '/api/v1/projects';

/** The export's object in the bucket: its size, or null when there is none. */
async function objectSize(server: TestS3Server, key: string): Promise<number | null> {
  try {
    const head = await server.client.send(
      new HeadObjectCommand({
        Bucket: server.settings.bucket,
        Key: `${server.settings.prefix}${key}`,
      }),
    );
    return head.ContentLength ?? null;
  } catch {
    return null;
  }
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe.each(['annex', 'presigned'] as const)(
  'exports in an S3 bucket, DOWNLOAD_MODE=%s',
  (mode) => {
    let server: TestS3Server;
    let env: ExportTestEnv;

    beforeAll(async () => {
      server = await startTestS3Server({ prefix: 'team-a/exports/' });
      const store = new S3ExportStorage(server.client, server.settings);
      env = await createExportTestEnv(
        'sqlite',
        {
          EXPORT_STORAGE: `s3://${server.settings.bucket}/${server.settings.prefix}`,
          S3_ENDPOINT: server.endpoint,
          S3_FORCE_PATH_STYLE: 'true',
          DOWNLOAD_MODE: mode,
        },
        { store },
      );
      await env.startWorker();
    });
    afterAll(async () => {
      await env.close();
      await server.close();
    });

    async function completeExport() {
      const created = await requestExport(env.app, 'demo', {
        source: 'directory',
        directory_id: env.demo.defaultDirectoryId,
      });
      const final = (await watchExport(env.app, 'demo', created.id)).at(-1);
      if (final?.status !== 'complete')
        throw new Error(`export ${created.id} ended ${JSON.stringify(final)}`);
      const row = await exportRowOf(env, created.id);
      if (row.storage_key === null) throw new Error(`export ${created.id} has no storage key`);
      return { record: final, key: row.storage_key };
    }

    async function linkOf(id: number): Promise<ExportLink> {
      const response = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports/${id}/link`,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<ExportLink>();
    }

    it('writes the file into the bucket under the prefix, nothing into DATA_DIR/exports', async () => {
      const { record, key } = await completeExport();
      expect(key).toMatch(new RegExp(`^${record.id}-[0-9a-f]{16}\\.json$`));
      expect(await objectSize(server, key)).toBe(record.size_bytes);
      expect(await env.storage.listFinals()).toEqual([]);
      expect(await env.storage.listTemps()).toEqual([]);
    });

    it('hands out a link that downloads the exact file, with the name it was given', async () => {
      const { record } = await completeExport();
      const link = await linkOf(record.id);
      expect(Date.parse(link.expires_at) - Date.now()).toBeGreaterThan(
        (env.config.LINK_TTL_MINUTES - 1) * 60_000,
      );
      if (mode === 'annex') {
        expect(link.url).toMatch(new RegExp(`/files/exports/${record.id}\\?expires=`));
        const download = await env.app.inject({ method: 'GET', url: pathOf(link.url) });
        expect(download.statusCode).toBe(200);
        expect(sha256(download.rawPayload)).toBe(record.sha256);
        expect(download.headers['content-length']).toBe(String(record.size_bytes));
      } else {
        // The object store's own URL: no annex process is in the download's path.
        expect(
          link.url.startsWith(`${server.endpoint}/${server.settings.bucket}/team-a/exports/`),
        ).toBe(true);
        expect(link.url).toMatch(/X-Amz-Signature=/);
        const download = await fetch(link.url);
        expect(download.status).toBe(200);
        expect(download.headers.get('content-disposition')).toContain(
          `filename="${record.file_name}"`,
        );
        expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(record.sha256);
      }
    });

    it('serves byte ranges of the stored object', async () => {
      const { record, key } = await completeExport();
      const whole = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        env.store
          .openRead(key)
          .on('data', (chunk: Buffer) => chunks.push(chunk))
          .on('end', () => resolve(Buffer.concat(chunks)))
          .on('error', reject);
      });
      expect(sha256(whole)).toBe(record.sha256);
      const link = await linkOf(record.id);
      const ranged =
        mode === 'annex'
          ? await env.app.inject({
              method: 'GET',
              url: pathOf(link.url),
              headers: { range: 'bytes=10-41' },
            })
          : undefined;
      if (ranged !== undefined) {
        expect(ranged.statusCode).toBe(206);
        expect(ranged.headers['content-range']).toBe(`bytes 10-41/${record.size_bytes}`);
        expect(ranged.rawPayload.equals(whole.subarray(10, 42))).toBe(true);
      } else {
        const response = await fetch(link.url, { headers: { range: 'bytes=10-41' } });
        expect(response.status).toBe(206);
        expect(Buffer.from(await response.arrayBuffer()).equals(whole.subarray(10, 42))).toBe(true);
      }
    });

    it('reads the spot-check sample from the bucket', async () => {
      const { record } = await completeExport();
      const response = await env.app.inject({
        method: 'GET',
        url: `${api}/demo/exports/${record.id}/sample?count=2&seed=7`,
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<{ files: unknown[] }>().files).toHaveLength(2);
    });

    it('deletes the object when the export is archived, and a link then finds nothing', async () => {
      const { record, key } = await completeExport();
      expect(await objectSize(server, key)).toBe(record.size_bytes);
      const archived = await env.app.inject({
        method: 'DELETE',
        url: `${api}/demo/exports/${record.id}`,
      });
      expect(archived.statusCode, archived.body).toBe(204);
      expect(await objectSize(server, key)).toBeNull();
      const link = await env.app.inject({
        method: 'POST',
        url: `${api}/demo/exports/${record.id}/link`,
      });
      expect(link.statusCode).toBe(404);
    });

    it('answers 404 saying the file is missing when the object was deleted behind annex’s back', async () => {
      const { record, key } = await completeExport();
      await env.store.remove(key);
      if (mode === 'annex') {
        const link = await linkOf(record.id);
        const download = await env.app.inject({ method: 'GET', url: pathOf(link.url) });
        expect(download.statusCode).toBe(404);
        expect(errorOf(download).message).toBe(
          `The file of export ${record.id} is missing from the server's storage. Generate the export again.`,
        );
      } else {
        // A presigned URL is signed without asking the store; the store itself answers 404.
        const link = await linkOf(record.id);
        expect((await fetch(link.url)).status).toBe(404);
      }
    });
  },
);
