import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe } from 'vitest';
import { describeExportFileStoreContract } from './export-file-store-contract.ts';
import type { ExportFileStoreHarness } from './export-file-store-contract.ts';
import { LocalExportStorage } from './local-export-storage.ts';
import { S3ExportStorage } from './s3-export-storage.ts';
import { s3ClientOf } from './s3-settings.ts';
import { startTestS3Server } from './test-s3-server.ts';
import type { TestS3Server } from './test-s3-server.ts';

// The one storage suite (export-file-store-contract.ts), run against the local disk and against an
// S3-compatible server (s3rver on 127.0.0.1).

/** Every file under `root`, as paths relative to it. */
function filesUnder(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Every object key in the test server's bucket, inside the prefix or not. */
async function objectsIn(server: TestS3Server): Promise<string[]> {
  const listed = await server.client.send(
    new ListObjectsV2Command({ Bucket: server.settings.bucket }),
  );
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}

/** The smallest parts S3 accepts, so the suite's 12 MiB uploads are multipart uploads. */
const testPartSizeBytes = 5 * 1024 * 1024;

describe('LocalExportStorage', () => {
  describeExportFileStoreContract({
    presigns: false,
    listsUploadsInProgress: true,
    visibleOnceClosed: false,
    open: async (): Promise<ExportFileStoreHarness> => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-store-'));
      const store = LocalExportStorage.forDataDir(dataDir);
      await store.ensureReady();
      return {
        store,
        listEverything: () => Promise.resolve(filesUnder(store.root)),
        writeForeign: (name, body) => fs.promises.writeFile(path.join(store.root, name), body),
        close: () => fs.promises.rm(dataDir, { recursive: true, force: true }),
      };
    },
    outages: [
      {
        // A gone folder is made again (as at start); one that cannot be made is an outage.
        name: 'its folder cannot be made',
        cause: async (harness) => {
          await fs.promises.rm(harness.store.location, { recursive: true, force: true });
          await fs.promises.writeFile(harness.store.location, 'not a folder');
          return harness.store;
        },
        message: /(ENOTDIR|EEXIST).*exports/,
      },
    ],
  });
});

describe('S3ExportStorage on s3rver', () => {
  describeExportFileStoreContract({
    presigns: true,
    // s3rver cannot list unfinished multipart uploads (NotImplemented); the store answers none.
    listsUploadsInProgress: false,
    visibleOnceClosed: true,
    open: async (): Promise<ExportFileStoreHarness & { server: TestS3Server }> => {
      const server = await startTestS3Server({ prefix: 'annex/' });
      const store = new S3ExportStorage(server.client, server.settings, {
        partSizeBytes: testPartSizeBytes,
      });
      await store.ensureReady();
      return {
        server,
        store,
        listEverything: () => objectsIn(server),
        writeForeign: async (name, body) => {
          await server.client.send(
            new PutObjectCommand({
              Bucket: server.settings.bucket,
              Key: `${server.settings.prefix}${name}`,
              Body: body,
            }),
          );
        },
        close: () => server.close(),
      };
    },
    outages: [
      {
        name: 'its server is stopped',
        cause: async () => {
          const stopped = await startTestS3Server();
          // A client of its own: the fixture's is destroyed with the server.
          const client = s3ClientOf(stopped.settings, stopped.credentials);
          await stopped.close();
          return new S3ExportStorage(client, stopped.settings);
        },
        message: /^The export storage s3:\/\/annex-test\/ cannot be used: .*ECONNREFUSED/,
      },
      {
        name: 'its bucket does not exist',
        cause: (harness) =>
          Promise.resolve(
            new S3ExportStorage(harness.server.client, { bucket: 'annex-missing', prefix: '' }),
          ),
        message:
          /^The export storage s3:\/\/annex-missing\/ cannot be used: the bucket does not exist/,
      },
    ],
  });
});
