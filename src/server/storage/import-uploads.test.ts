import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateMultipartUploadCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeImportUploadStorageContract } from './import-upload-storage-contract.ts';
import { InvalidUploadKeyError, LocalImportUploads } from './import-uploads.ts';
import { S3ImportUploads } from './s3-import-uploads.ts';
import { countCommands, startTestS3Server } from './test-s3-server.ts';
import type { TestS3Server } from './test-s3-server.ts';

// Upload storage on the local disk and in a bucket (s3rver): the shared suite for both, then what
// only one of them has (temporary files in a folder; a prefix in a bucket).

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

/** The smallest parts S3 accepts, so a test file of 11 MiB is a multipart upload. */
const testPartSizeBytes = 5 * 1024 * 1024;

describe('LocalImportUploads', () => {
  describeImportUploadStorageContract(async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-uploads-'));
    const uploads = new LocalImportUploads(root);
    await uploads.ensureFolders();
    return {
      uploads,
      listEverything: () => Promise.resolve(filesUnder(root)),
      close: () => fs.promises.rm(root, { recursive: true, force: true }),
    };
  });

  describe('on disk', () => {
    let root: string;
    let uploads: LocalImportUploads;

    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-uploads-'));
      uploads = new LocalImportUploads(root);
    });
    afterEach(() => {
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('maps only its own keys to paths inside its folder', () => {
      for (const key of ['../annex.db', `${'a'.repeat(32)}.json/../../x`, 'a.json', '']) {
        expect(() => uploads.pathOf(key)).toThrow(InvalidUploadKeyError);
      }
      const key = `${'a'.repeat(32)}.json`;
      expect(uploads.pathOf(key)).toBe(path.join(root, key));
    });

    it('lists files being received apart from whole ones, and leaves other names alone', async () => {
      await uploads.ensureFolders();
      const temp = `${'d'.repeat(32)}.part`;
      fs.writeFileSync(path.join(root, 'tmp', temp), '{');
      fs.writeFileSync(path.join(root, 'notes.txt'), 'mine');
      const listed = await uploads.list();
      expect(listed.map(({ name, temporary }) => ({ name, temporary }))).toEqual([
        { name: temp, temporary: true },
      ]);
      const [listing] = listed;
      if (listing !== undefined) await uploads.removeListed(listing);
      expect(await uploads.list()).toEqual([]);
      expect(fs.existsSync(path.join(root, 'notes.txt'))).toBe(true);
    });
  });
});

describe('S3ImportUploads', () => {
  describeImportUploadStorageContract(async () => {
    const server = await startTestS3Server({ prefix: 'annex/' });
    return {
      uploads: new S3ImportUploads(server.client, server.settings, {
        partSizeBytes: testPartSizeBytes,
      }),
      listEverything: () => objectsIn(server),
      close: () => server.close(),
    };
  });

  describe('in a bucket', () => {
    let server: TestS3Server;
    let uploads: S3ImportUploads;

    beforeEach(async () => {
      server = await startTestS3Server({ prefix: 'annex/' });
      uploads = new S3ImportUploads(server.client, server.settings, {
        partSizeBytes: testPartSizeBytes,
      });
    });
    afterEach(async () => {
      await server.close();
    });

    it('keeps files under <prefix>imports/ and lists nothing else of the bucket', async () => {
      const stored = await uploads.store(Readable.from([Buffer.from('{}')]));
      const put = (Key: string) =>
        server.client.send(
          new PutObjectCommand({ Bucket: server.settings.bucket, Key, Body: '{}' }),
        );
      await put(`${'b'.repeat(32)}.json`);
      await put(`annex/${'c'.repeat(32)}.json`);
      await put('annex/imports/notes.txt');
      await put(`annex/imports/nested/${'d'.repeat(32)}.json`);
      // An upload begun and never finished: s3rver cannot list it (NotImplemented), which is no error.
      await server.client.send(
        new CreateMultipartUploadCommand({
          Bucket: server.settings.bucket,
          Key: `annex/imports/${'f'.repeat(32)}.json`,
        }),
      );

      expect(await objectsIn(server)).toContain(`annex/imports/${stored.key}`);
      expect((await uploads.list()).map(({ name, temporary }) => ({ name, temporary }))).toEqual([
        { name: stored.key, temporary: false },
      ]);
    });

    it('streams a file bigger than a part as a multipart upload, one part at a time', async () => {
      const sent = countCommands(server.client);
      const bytes = 2 * testPartSizeBytes + 1000;
      const stored = await uploads.store(
        Readable.from(
          (function* () {
            for (let at = 0; at < bytes; at += 65_536)
              yield Buffer.alloc(Math.min(65_536, bytes - at), 0x7b);
          })(),
        ),
      );
      expect(stored.sizeBytes).toBe(bytes);
      expect(sent.get('UploadPartCommand')).toBe(3);
      expect(sent.get('CompleteMultipartUploadCommand')).toBe(1);
      expect(sent.get('PutObjectCommand')).toBeUndefined();
    });

    it('refuses a temporary name that is not a key and an upload id', async () => {
      for (const name of [`${'a'.repeat(32)}.json`, `${'a'.repeat(32)}.json#`, '../x#1']) {
        await expect(
          uploads.removeListed({ name, temporary: true, modifiedTime: new Date() }),
          name,
        ).rejects.toThrow(InvalidUploadKeyError);
      }
    });

    it('fails a read with a clear error when the server is gone', async () => {
      const stored = await uploads.store(Readable.from([Buffer.from('{}')]));
      const stopped = await startTestS3Server({ prefix: 'annex/' });
      const unreachable = new S3ImportUploads(stopped.client, stopped.settings);
      await stopped.close();
      await expect(
        new Promise((resolve, reject) => {
          unreachable.openRead(stored.key).on('error', reject).on('end', resolve).resume();
        }),
      ).rejects.toThrow();
    });
  });
});
