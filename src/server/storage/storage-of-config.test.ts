import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/env.ts';
import { LocalImportUploads } from './import-uploads.ts';
import { S3ImportUploads } from './s3-import-uploads.ts';
import { LocalExportStorage } from './local-export-storage.ts';
import { exportStoreOf, importUploadsOf, storagesOf } from './storage-of-config.ts';
import { startTestS3Server } from './test-s3-server.ts';
import type { TestS3Server } from './test-s3-server.ts';

// EXPORT_STORAGE decides where both export files and imports' uploads go: the data folder, or one
// bucket and prefix reached with the SDK's own credentials (here AWS_ACCESS_KEY_ID/SECRET).

describe('storage of a config', () => {
  let server: TestS3Server;
  let dataDir: string;
  const credentialsBefore = {
    id: process.env.AWS_ACCESS_KEY_ID,
    secret: process.env.AWS_SECRET_ACCESS_KEY,
  };

  beforeAll(async () => {
    server = await startTestS3Server();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-storage-config-'));
    process.env.AWS_ACCESS_KEY_ID = server.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = server.credentials.secretAccessKey;
  });
  afterAll(async () => {
    if (credentialsBefore.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = credentialsBefore.id;
    if (credentialsBefore.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = credentialsBefore.secret;
    fs.rmSync(dataDir, { recursive: true, force: true });
    await server.close();
  });

  it('keeps uploads under DATA_DIR/imports by default', () => {
    const uploads = importUploadsOf(loadConfig({ DATA_DIR: dataDir }));
    if (!(uploads instanceof LocalImportUploads)) throw new Error('expected the local disk');
    expect(uploads.root).toBe(path.join(dataDir, 'imports'));
  });

  it('keeps export files and uploads in the bucket and prefix of EXPORT_STORAGE', async () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      EXPORT_STORAGE: 's3://annex-test/team-a/',
      S3_ENDPOINT: server.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
    });
    const exports = exportStoreOf(config);
    expect(exports).toMatchObject({ kind: 's3', location: 's3://annex-test/team-a/' });
    await exports.check();

    const uploads = importUploadsOf(config);
    expect(uploads).toBeInstanceOf(S3ImportUploads);
    const stored = await uploads.store(Readable.from([Buffer.from('{}')]));

    const listed = await server.client.send(
      new ListObjectsV2Command({ Bucket: 'annex-test', Prefix: 'team-a/' }),
    );
    expect((listed.Contents ?? []).map((object) => object.Key)).toEqual([
      `team-a/imports/${stored.key}`,
    ]);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('gives a process both storages: the data folder, or the bucket through one S3 client', async () => {
    const local = storagesOf(loadConfig({ DATA_DIR: dataDir }));
    expect(local.exports).toBeInstanceOf(LocalExportStorage);
    expect(local.imports).toBeInstanceOf(LocalImportUploads);

    const inBucket = storagesOf(
      loadConfig({
        DATA_DIR: dataDir,
        EXPORT_STORAGE: 's3://annex-test/team-b/',
        S3_ENDPOINT: server.endpoint,
        S3_FORCE_PATH_STYLE: 'true',
      }),
    );
    expect(inBucket.exports).toMatchObject({ kind: 's3', location: 's3://annex-test/team-b/' });
    expect(inBucket.imports).toBeInstanceOf(S3ImportUploads);
    // One client: what the export store and the uploads share is the same object.
    expect(Reflect.get(inBucket.exports, 'client')).toBe(Reflect.get(inBucket.imports, 'client'));
    await inBucket.exports.check();
  });
});
