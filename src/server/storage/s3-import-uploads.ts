import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { InvalidUploadKeyError, newUploadKey, uploadKeyPattern } from './import-uploads.ts';
import type { ImportUploadStorage, StoredUpload, UploadListing } from './import-uploads.ts';
import { isNotFound, isNotImplemented } from './s3-errors.ts';
import { readObject } from './s3-object-read.ts';
import type { S3Location } from './s3-settings.ts';

// Uploaded import files in an S3-compatible bucket, under `<prefix>imports/`, with the same keys as
// on the local disk (`<32 hex>.json`), so an `import_job.upload_key` reads the same on either.
//
// A file is streamed into a multipart upload (at most `queueSize` parts of `partSizeBytes` in memory,
// never the whole file) and appears under its key only when the store completes the upload: whole or
// not at all. An upload that fails is aborted where the store can abort; one it cannot (s3rver) or a
// crash leaves parts that no key names, for the bucket's lifecycle rule to clear.

/** Part size: 10,000 parts (S3's limit) of 8 MiB let an upload reach 78 GiB. */
const defaultPartSizeBytes = 8 * 1024 * 1024;
/** Parts sent at once: the memory one upload holds is about this many parts. */
const defaultQueueSize = 4;
/** The folder under the prefix. */
const folder = 'imports/';
/** A temporary listing's name: the key, `#`, and the store's id of the unfinished upload. */
const temporaryNamePattern = /^([0-9a-f]{32}\.json)#([A-Za-z0-9._~+/=-]{1,1024})$/;

/** Tuning of the multipart uploads (tests use the smallest parts S3 accepts). */
export interface S3ImportUploadsOptions {
  /** Bytes per part, at least 5 MiB (S3's minimum). */
  partSizeBytes?: number;
  /** Parts in flight at once. */
  queueSize?: number;
}

/** Uploaded import files in a bucket; see the module comment. */
export class S3ImportUploads implements ImportUploadStorage {
  private readonly partSizeBytes: number;
  private readonly queueSize: number;

  constructor(
    private readonly client: S3Client,
    private readonly location: S3Location,
    options: S3ImportUploadsOptions = {},
  ) {
    this.partSizeBytes = options.partSizeBytes ?? defaultPartSizeBytes;
    this.queueSize = options.queueSize ?? defaultQueueSize;
  }

  async store(source: Readable): Promise<StoredUpload> {
    const key = newUploadKey();
    let sizeBytes = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const chunk of source as AsyncIterable<Buffer | string>) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        sizeBytes += bytes.length;
        yield bytes;
      }
    }
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.location.bucket,
        Key: this.objectKeyOf(key),
        Body: Readable.from(counted(), { objectMode: false }),
        ContentType: 'application/json',
      },
      partSize: this.partSizeBytes,
      queueSize: this.queueSize,
      // Aborted here instead: lib-storage's own abort would replace the source's error (a refused
      // file, a client gone) with the abort's, and some stores refuse the abort.
      leavePartsOnError: true,
    });
    try {
      await upload.done();
    } catch (error) {
      source.destroy();
      // The upload's own failure (a refused file, a client gone) is the answer; a store that also
      // refuses the abort leaves the parts to its lifecycle rule.
      await this.abortUnfinished(this.objectKeyOf(key), upload.uploadId).catch(() => undefined);
      throw error;
    }
    return { key, sizeBytes };
  }

  openRead(key: string): Readable {
    const objectKey = this.objectKeyOf(key);
    return readObject(
      this.client,
      { Bucket: this.location.bucket, Key: objectKey },
      (cause) =>
        new Error(`Upload ${key} is not in s3://${this.location.bucket}/${objectKey}`, { cause }),
    );
  }

  async exists(key: string): Promise<boolean> {
    const objectKey = this.objectKeyOf(key);
    try {
      await this.client.send(
        new HeadObjectCommand({ Bucket: this.location.bucket, Key: objectKey }),
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    // S3 answers a delete of a missing key with success, so an upload already gone is no error.
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.objectKeyOf(key) }),
    );
  }

  async list(): Promise<UploadListing[]> {
    const prefix = this.location.prefix + folder;
    const found: UploadListing[] = [];
    for await (const page of paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.location.bucket, Prefix: prefix },
    )) {
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(prefix.length) ?? '';
        if (uploadKeyPattern.test(name) && object.LastModified !== undefined)
          found.push({ name, temporary: false, modifiedTime: object.LastModified });
      }
    }
    // Unfinished multipart uploads are not listed: their listing gives when they began, not when
    // they were last written, so the sweep would abort a large upload still arriving. The bucket's
    // lifecycle rule (AbortIncompleteMultipartUpload, see the README) clears those left by a crash.
    return found;
  }

  async removeListed(listing: UploadListing): Promise<void> {
    if (!listing.temporary) return this.remove(listing.name);
    const match = temporaryNamePattern.exec(listing.name);
    if (match === null)
      throw new InvalidUploadKeyError(`Not a temporary upload name: "${listing.name}"`);
    const [, key = '', uploadId = ''] = match;
    await this.abortUnfinished(this.objectKeyOf(key), uploadId);
  }

  /** The object key of an upload key; throws for anything that is not a key this storage made. */
  objectKeyOf(key: string): string {
    if (!uploadKeyPattern.test(key)) throw new InvalidUploadKeyError(`Invalid upload key "${key}"`);
    return this.location.prefix + folder + key;
  }

  /** Aborts a multipart upload (its parts are deleted); one already gone, or a store that cannot abort, is no error. */
  private async abortUnfinished(objectKey: string, uploadId: string | undefined): Promise<void> {
    if (uploadId === undefined) return;
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.location.bucket,
          Key: objectKey,
          UploadId: uploadId,
        }),
      );
    } catch (error) {
      if (!isNotImplemented(error) && !isNotFound(error)) throw error;
    }
  }
}
