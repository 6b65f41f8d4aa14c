import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { sweepExportFiles } from './export-file-sweep.ts';
import type { SweptFileOwner } from './export-file-sweep.ts';
import { S3ExportStorage } from './s3-export-storage.ts';

// What s3rver cannot show: a store that lists and aborts unfinished multipart uploads (AWS S3, MinIO,
// R2). The client answers those two calls itself (an SDK middleware), so the store's paging, its
// names for unfinished uploads and the file sweep's judgement of them are tested as AWS would
// answer; every other call fails the test.

interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

/** A client whose ListMultipartUploads answers `pages` in turn and whose AbortMultipartUpload succeeds. */
function fakeStoreClient(pages: Record<string, unknown>[]): {
  client: S3Client;
  sent: SentCommand[];
} {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const sent: SentCommand[] = [];
  client.middlewareStack.add(
    (_next, context) => (args) => {
      const name = context.commandName ?? 'unknown';
      sent.push({ name, input: args.input as Record<string, unknown> });
      if (name === 'ListMultipartUploadsCommand') {
        const page = pages.shift();
        if (page === undefined) throw new Error('asked for more pages than there are');
        return Promise.resolve({ output: { ...page, $metadata: {} }, response: {} });
      }
      if (name === 'AbortMultipartUploadCommand')
        return Promise.resolve({ output: { $metadata: {} }, response: {} });
      throw new Error(`the fake store does not answer ${name}`);
    },
    { step: 'initialize', name: 'annexFakeStore' },
  );
  return { client, sent };
}

const begun = new Date('2026-11-01T10:00:00Z');

describe('S3ExportStorage with a store that lists unfinished uploads', () => {
  it('lists them page by page, by export, with no owner, leaving out keys that are not its own', async () => {
    const { client, sent } = fakeStoreClient([
      {
        IsTruncated: true,
        NextKeyMarker: 'team/7-00000000000000aa.json',
        NextUploadIdMarker: 'u-2',
        Uploads: [
          { Key: 'team/7-00000000000000aa.json', UploadId: 'u-1', Initiated: begun },
          { Key: 'team/7-00000000000000aa.json', UploadId: 'u-2', Initiated: begun },
        ],
      },
      {
        IsTruncated: false,
        Uploads: [
          {
            Key: 'team/imports/0123456789abcdef0123456789abcdef.json',
            UploadId: 'u-3',
            Initiated: begun,
          },
          { Key: 'team/9-00000000000000bb.json', UploadId: 'u-4', Initiated: begun },
        ],
      },
    ]);
    const store = new S3ExportStorage(client, { bucket: 'annex-exports', prefix: 'team/' });

    expect(await store.listTempFiles()).toEqual([
      { name: '7-00000000000000aa.json#u-1', exportId: 7, owner: null, modifiedTime: begun },
      { name: '7-00000000000000aa.json#u-2', exportId: 7, owner: null, modifiedTime: begun },
      { name: '9-00000000000000bb.json#u-4', exportId: 9, owner: null, modifiedTime: begun },
    ]);
    expect(sent.map((command) => command.input)).toEqual([
      expect.objectContaining({ Bucket: 'annex-exports', Prefix: 'team/', KeyMarker: undefined }),
      expect.objectContaining({
        KeyMarker: 'team/7-00000000000000aa.json',
        UploadIdMarker: 'u-2',
      }),
    ]);
  });

  it('aborts the one upload a name gives, under the prefix, and refuses a name it did not give', async () => {
    const { client, sent } = fakeStoreClient([]);
    const store = new S3ExportStorage(client, { bucket: 'annex-exports', prefix: 'team/' });

    await store.removeTempNamed('7-00000000000000aa.json#u-1');
    expect(sent).toEqual([
      {
        name: 'AbortMultipartUploadCommand',
        input: { Bucket: 'annex-exports', Key: 'team/7-00000000000000aa.json', UploadId: 'u-1' },
      },
    ]);
    await expect(store.removeTempNamed('../7-00000000000000aa.json#u-1')).rejects.toThrow(
      /Not an unfinished export upload's name/,
    );
  });

  it('lets the file sweep keep the upload of a running export and abort the others', async () => {
    const { client, sent } = fakeStoreClient([
      {
        IsTruncated: false,
        Uploads: [
          { Key: 'team/7-00000000000000aa.json', UploadId: 'running', Initiated: begun },
          { Key: 'team/8-00000000000000cc.json', UploadId: 'finished', Initiated: begun },
          { Key: 'team/9-00000000000000dd.json', UploadId: 'gone', Initiated: begun },
        ],
      },
    ]);
    // The listing of finished objects answers none.
    client.middlewareStack.add(
      (next, context) => (args) =>
        context.commandName === 'ListObjectsV2Command'
          ? Promise.resolve({ output: { $metadata: {}, Contents: [] }, response: {} })
          : next(args),
      { step: 'initialize', name: 'annexNoObjects', priority: 'high' },
    );
    const store = new S3ExportStorage(client, { bucket: 'annex-exports', prefix: 'team/' });
    const owners = new Map<number, SweptFileOwner>([
      // Running under a worker the listing cannot name: it may be that worker's upload.
      [7, { status: 'running', archived: 0, storage_key: null, claimed_by: 'worker-2' }],
      [
        8,
        {
          status: 'complete',
          archived: 0,
          storage_key: '8-1111111111111111.json',
          claimed_by: null,
        },
      ],
    ]);

    const swept = await sweepExportFiles(store, {
      graceMs: 60_000,
      ownersOf: () => Promise.resolve(owners),
      now: new Date(begun.getTime() + 3_600_000),
    });

    expect(swept.temps).toEqual([
      '8-00000000000000cc.json#finished',
      '9-00000000000000dd.json#gone',
    ]);
    expect(
      sent
        .filter((command) => command.name === 'AbortMultipartUploadCommand')
        .map((c) => c.input.UploadId),
    ).toEqual(['finished', 'gone']);
  });
});
