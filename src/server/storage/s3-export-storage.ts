import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition } from '../http/content-disposition.ts';
import { asError, describeS3Error, isNotFound, isNotImplemented } from './s3-errors.ts';
import { readObject } from './s3-object-read.ts';
import {
  InvalidStorageKeyError,
  assertExportId,
  exportKeyPattern,
  workerIdPattern,
} from './export-file-store.ts';
import type {
  ByteRange,
  ExportFileStore,
  ExportUpload,
  SinkResult,
  StoredFileStat,
  StoredFinalFile,
  StoredTempFile,
} from './export-file-store.ts';
import type { S3Location } from './s3-settings.ts';

// Export files in an S3-compatible bucket, under `<prefix><export id>-<random hex>.json`: the same
// keys the local disk uses, so `export.storage_key` reads the same on both and never holds the
// prefix. A file is streamed into a multipart upload as the writer produces it (parts of
// `partSizeBytes`, at most `queueSize` in flight: memory stays flat whatever the export's size, and
// nothing is copied to the local disk first). S3 shows the object under its key only once the upload
// is completed, so a reader sees the whole file or none; an upload that is aborted, or left by a
// worker that died, never becomes an object. A small file (under one part) goes up in one PUT, which
// is just as atomic.
//
// Unfinished multipart uploads are the object store's "temporary files". Not every S3-compatible
// store can list or abort them (s3rver can do neither); where it cannot, the bucket's lifecycle rule
// (AbortIncompleteMultipartUpload) cleans them up, as the README says.

/** How an object store's file is uploaded. */
export interface S3ExportStorageOptions {
  /** Size of each multipart part, in bytes (at least 5 MiB, S3's minimum; default 8 MiB). */
  partSizeBytes?: number;
  /** Parts uploaded at once (default 2): memory holds about this many parts plus one. */
  queueSize?: number;
}

const minimumPartSize = 5 * 1024 * 1024;
const defaultPartSize = 8 * 1024 * 1024;
const contentType = 'application/json; charset=utf-8';
/** An unfinished upload's name as `listTempFiles` gives it: `<key>#<upload id>`. */
const tempNamePattern = /^([1-9][0-9]{0,15}-[0-9a-f]{16}\.json)#(.+)$/;

/** Export files in an S3-compatible bucket; see the module comment. */
export class S3ExportStorage implements ExportFileStore {
  readonly kind = 's3' as const;
  readonly location: string;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: S3Location,
    options: S3ExportStorageOptions = {},
  ) {
    this.location = `s3://${bucket.bucket}/${bucket.prefix}`;
    this.partSize = options.partSizeBytes ?? defaultPartSize;
    if (!Number.isSafeInteger(this.partSize) || this.partSize < minimumPartSize)
      throw new RangeError(`partSizeBytes must be at least ${minimumPartSize} (S3's minimum part)`);
    this.queueSize = options.queueSize ?? 2;
  }

  /** The bucket must exist and answer: annex never creates one (its region, policy and lifecycle are the operator's). */
  async ensureReady(): Promise<void> {
    await this.check();
  }

  async check(signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(
        new HeadBucketCommand({ Bucket: this.bucket.bucket }),
        signal === undefined ? {} : { abortSignal: signal },
      );
    } catch (error) {
      throw new Error(
        `The export storage ${this.location} cannot be used: ${describeS3Error(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  openUpload(exportId: number, owner: string, signal?: AbortSignal): Promise<ExportUpload> {
    try {
      return Promise.resolve(this.startUpload(exportId, owner, signal));
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  /** Starts the multipart upload (lib-storage begins it with the first full part, or PUTs a small file whole). */
  private startUpload(exportId: number, owner: string, signal: AbortSignal | undefined): S3Upload {
    assertExportId(exportId);
    if (!workerIdPattern.test(owner))
      throw new InvalidStorageKeyError(`Invalid worker id for an upload: "${owner}"`);
    signal?.throwIfAborted();
    const key = `${exportId}-${randomBytes(8).toString('hex')}.json`;
    // A small buffer in front of lib-storage, which gathers each part itself: the writer waits for
    // it to drain, so memory holds about `queueSize` parts plus this (measured in the 200 MB test).
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentType: contentType,
        // Who wrote it, for whoever browses the bucket; annex itself reads none of it back.
        Metadata: { 'annex-export-id': String(exportId), 'annex-worker': owner },
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      // Aborted by `discard` instead: lib-storage's own abort would replace the failure that stopped
      // the upload with the abort's error, and some stores (s3rver) refuse AbortMultipartUpload.
      leavePartsOnError: true,
    });
    return new S3Upload(this, key, body, upload, signal);
  }

  async stat(key: string): Promise<StoredFileStat | null> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket.bucket, Key: this.objectKey(key) }),
      );
      return {
        sizeBytes: head.ContentLength ?? 0,
        modifiedTime: head.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /**
   * A stream of the object (or one range of it), returned at once like a file stream and fed as the
   * object store answers; its request is aborted when the reader goes away (a client hanging up).
   */
  openRead(key: string, range?: ByteRange): Readable {
    return readObject(
      this.client,
      {
        Bucket: this.bucket.bucket,
        Key: this.objectKey(key),
        ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
      },
      (cause) =>
        new Error(`The stored export file ${key} is gone from ${this.location}`, { cause }),
    );
  }

  async remove(key: string): Promise<void> {
    // S3 answers a delete of a missing key with success, as the interface wants.
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.bucket.bucket, Key: this.objectKey(key) }),
    );
  }

  async presignedUrl(key: string, fileName: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket.bucket,
        Key: this.objectKey(key),
        ResponseContentDisposition: contentDisposition('attachment', fileName),
        ResponseContentType: contentType,
      }),
      { expiresIn: expiresInSeconds },
    );
  }

  /**
   * Nothing here: an unfinished upload's listing does not say which worker began it, so a crashed
   * worker's upload cannot be told from the one the export's next worker has begun. The file sweep
   * aborts it once the export is no longer running (or the bucket's lifecycle rule does).
   */
  removeTempsOf(exportId: number): Promise<number> {
    try {
      assertExportId(exportId);
    } catch (error) {
      // A promise's caller learns of a bad id from the promise, as from every other method here.
      return Promise.reject(asError(error));
    }
    return Promise.resolve(0);
  }

  async listFinals(): Promise<StoredFinalFile[]> {
    const found: StoredFinalFile[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket.bucket,
          Prefix: this.bucket.prefix,
          // Only this prefix's own level: imports' uploads live under `<prefix>imports/`.
          Delimiter: '/',
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(this.bucket.prefix.length) ?? '';
        if (!exportKeyPattern.test(key)) continue;
        found.push({
          key,
          exportId: Number.parseInt(key, 10),
          modifiedTime: object.LastModified ?? new Date(0),
        });
      }
      continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    return found;
  }

  /** Unfinished multipart uploads under the prefix; none where the store cannot list them. */
  async listTempFiles(): Promise<StoredTempFile[]> {
    const found: StoredTempFile[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket.bucket,
            Prefix: this.bucket.prefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
        for (const upload of page.Uploads ?? []) {
          const key = upload.Key?.slice(this.bucket.prefix.length) ?? '';
          if (!exportKeyPattern.test(key) || upload.UploadId === undefined) continue;
          found.push({
            name: `${key}#${upload.UploadId}`,
            exportId: Number.parseInt(key, 10),
            owner: null,
            modifiedTime: upload.Initiated ?? new Date(0),
          });
        }
        const more = page.IsTruncated === true;
        keyMarker = more ? page.NextKeyMarker : undefined;
        uploadIdMarker = more ? page.NextUploadIdMarker : undefined;
      } while (keyMarker !== undefined);
    } catch (error) {
      if (isNotImplemented(error)) return found;
      throw error;
    }
    return found;
  }

  async removeTempNamed(name: string): Promise<void> {
    const match = tempNamePattern.exec(name);
    if (match === null)
      throw new InvalidStorageKeyError(`Not an unfinished export upload's name: "${name}"`);
    const [, key = '', uploadId = ''] = match;
    await this.abortMultipart(key, uploadId);
  }

  /** Aborts one multipart upload of `key`; one already gone, or a store that cannot abort, is no error. */
  async abortMultipart(key: string, uploadId: string | undefined): Promise<void> {
    if (uploadId === undefined) return;
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.bucket.bucket,
          Key: this.objectKey(key),
          UploadId: uploadId,
        }),
      );
    } catch (error) {
      if (!isNotFound(error) && !isNotImplemented(error)) throw error;
    }
  }

  /** The object key of a storage key; throws for anything that is not a key this storage made. */
  objectKey(key: string): string {
    if (!exportKeyPattern.test(key))
      throw new InvalidStorageKeyError(`Invalid export storage key "${key}"`);
    return `${this.bucket.prefix}${key}`;
  }
}

/** A file on its way into the bucket; see the module comment. */
class S3Upload implements ExportUpload {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private readonly done: Promise<unknown>;
  /** Rejects as soon as the upload fails, so a writer waiting for `drain` is not left waiting. */
  private readonly failed: Promise<never>;
  private failure: unknown;
  private state: 'writing' | 'closed' | 'committed' | 'discarded' = 'writing';

  constructor(
    private readonly storage: S3ExportStorage,
    private readonly key: string,
    private readonly body: PassThrough,
    private readonly upload: Upload,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.done = upload.done();
    this.failed = this.done.then(
      () => new Promise<never>(() => undefined),
      (error: unknown) => {
        this.failure ??= error;
        throw error;
      },
    );
    // Observed here; the writer learns of a failure at its next write or at close.
    this.failed.catch(() => undefined);
  }

  async write(text: string): Promise<void> {
    this.throwIfFailed();
    const buffer = Buffer.from(text, 'utf8');
    this.hash.update(buffer);
    this.bytes += buffer.length;
    if (!this.body.write(buffer))
      await Promise.race([once(this.body, 'drain', { signal: this.signal }), this.failed]);
  }

  async close(): Promise<SinkResult> {
    this.throwIfFailed();
    this.body.end();
    await this.done;
    this.state = 'closed';
    return { sizeBytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** `close` completed the upload, so the object is already under its key: nothing left to do. */
  commit(): Promise<string> {
    if (this.state !== 'closed')
      return Promise.reject(new Error('An upload is committed only after it is closed'));
    // From here the object is a stored file: `discard` no longer touches it (`remove` does).
    this.state = 'committed';
    return Promise.resolve(this.key);
  }

  /**
   * Leaves nothing behind; once committed, nothing to do. A cleanup call the store refuses (a
   * network error, a 403) is thrown and the upload stays undiscarded, so a second call tries again.
   */
  async discard(): Promise<void> {
    if (this.state === 'discarded' || this.state === 'committed') return;
    if (this.state === 'writing') {
      // Stops the parts in flight; then the multipart upload itself is aborted, so its parts go and
      // no object ever appears. A store that cannot abort keeps the parts until its lifecycle rule.
      this.body.destroy();
      await this.upload.abort().catch(() => undefined);
      await this.storage.abortMultipart(this.key, this.upload.uploadId);
    }
    // A single-PUT upload may have finished before the abort reached it: then the object is
    // there and is deleted, so a discarded upload never leaves a file.
    const completed = await this.done.then(
      () => true,
      () => false,
    );
    if (completed) await this.storage.remove(this.key);
    this.state = 'discarded';
  }

  private throwIfFailed(): void {
    if (this.state === 'discarded') throw new Error('This upload was discarded');
    if (this.failure !== undefined) throw asError(this.failure);
  }
}
