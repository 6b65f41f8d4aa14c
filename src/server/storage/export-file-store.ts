import type { Readable } from 'node:stream';

// Where export files are kept: the one interface the worker (writing), the routes (downloads, spot
// checks, diffs), archiving and the sweeps use, with two implementations: the local disk
// (`LocalExportStorage`, the default) and an S3-compatible object store (`S3ExportStorage`,
// `EXPORT_STORAGE=s3://bucket/prefix`). Callers never learn which one they have, except through
// `presignedUrl`, which only an object store can give.
//
// A file is written through an upload: `openUpload` hands out a sink the writer streams the file
// into (hashing and counting as it goes); `close` ends it and `commit` gives its key. While it is
// written no reader can see it. The local disk writes a temporary file and renames it into place at
// `commit`; an object store completes its multipart upload at `close`, so the object is under its
// key from then on, before any row names it (as a renamed file is before the row is written).
// `discard` (or, after a crash, the sweep) leaves nothing behind.

/** The size and time of a stored file. */
export interface StoredFileStat {
  /** Size in bytes. */
  sizeBytes: number;
  /** When it was last written. */
  modifiedTime: Date;
}

/** An inclusive byte range of a stored file, as HTTP ranges count. */
export interface ByteRange {
  /** First byte, from 0. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/** A finished file in storage, as the file sweep sees it. */
export interface StoredFinalFile {
  /** Its key. */
  key: string;
  /** The export it was written for (from its name). */
  exportId: number;
  /** When it was last written. */
  modifiedTime: Date;
}

/** A file being written (or left half-written by a crash), as the file sweep sees it. */
export interface StoredTempFile {
  /** Its name, as `removeTempNamed` takes it back. */
  name: string;
  /** The export it is written for (from its name). */
  exportId: number;
  /** The worker writing it (from its name), or null where the store cannot say (an object store's unfinished upload). */
  owner: string | null;
  /** When it was last written (or begun). */
  modifiedTime: Date;
}

/** What a closed sink wrote. */
export interface SinkResult {
  /** Size of the file in bytes. */
  sizeBytes: number;
  /** SHA-256 of the file, lowercase hex. */
  sha256: string;
}

/** A file being written: the export writer appends text and learns the size and SHA-256 of what landed. */
export interface ExportFileSink {
  /** Appends `text` as UTF-8; resolves once the sink can take more, so memory stays bounded. */
  write(text: string): Promise<void>;
  /** Ends the file and returns its size and SHA-256; the file is whole (see the module comment for where). */
  close(): Promise<SinkResult>;
  /** Stops writing and removes whatever was written; safe to call more than once, and after close. */
  discard(): Promise<void>;
}

/** An export file on its way into storage (see the module comment). */
export interface ExportUpload extends ExportFileSink {
  /** After `close`: puts the file in place under its key, atomically, if it is not yet there, and returns the key. */
  commit(): Promise<string>;
}

/** Raised for a key that was not made by this storage; a bug or a tampered row, never user input. */
export class InvalidStorageKeyError extends Error {
  override name = 'InvalidStorageKeyError';
}

/** A finished file's key: `<export id>-<random hex>.json` (under the store's folder or prefix). */
export const exportKeyPattern = /^[1-9][0-9]{0,15}-[0-9a-f]{16}\.json$/;
/** A worker id as it may appear in a temporary file's name. */
export const workerIdPattern = /^[A-Za-z0-9-]{1,80}$/;

/** Where export files are kept; see the module comment. */
export interface ExportFileStore {
  /** `local` or `s3`, for the start-up lines, readiness and metrics. */
  readonly kind: 'local' | 's3';
  /** Where, in words: a folder, or `s3://bucket/prefix` (never credentials). */
  readonly location: string;
  /** Creates what must exist (folders) or checks what must (the bucket); safe to call again. */
  ensureReady(): Promise<void>;
  /** Throws when the storage cannot be used right now (for `/readyz`); at most makes a missing folder. */
  check(signal?: AbortSignal): Promise<void>;
  /** Begins writing export `exportId`'s file for worker `owner`; see `ExportUpload`. */
  openUpload(exportId: number, owner: string, signal?: AbortSignal): Promise<ExportUpload>;
  /** The size and time of a stored file, or null when it is not there. */
  stat(key: string): Promise<StoredFileStat | null>;
  /** A stream of a stored file, or of one byte range of it; the stream errors when the file is gone. */
  openRead(key: string, range?: ByteRange): Readable;
  /** Deletes a stored file; a file already gone is not an error. */
  remove(key: string): Promise<void>;
  /**
   * A URL the object store itself serves the file at, valid for `expiresInSeconds`, that downloads
   * it as `fileName`; null for a store that cannot give one (the local disk).
   */
  presignedUrl(key: string, fileName: string, expiresInSeconds: number): Promise<string | null>;
  /** Deletes what one worker left half-written for one export (after a crash); returns how many. */
  removeTempsOf(exportId: number, owner: string): Promise<number>;
  /** The finished files present now, by key; names that are not this storage's are left out. */
  listFinals(): Promise<StoredFinalFile[]>;
  /** The files being written (or left half-written) now. */
  listTempFiles(): Promise<StoredTempFile[]>;
  /** Deletes a file being written, by the name `listTempFiles` gave. */
  removeTempNamed(name: string): Promise<void>;
}

/** Throws unless `exportId` is a positive safe integer (every key and name is built from one). */
export function assertExportId(exportId: number): void {
  if (!Number.isSafeInteger(exportId) || exportId <= 0)
    throw new InvalidStorageKeyError(`Invalid export id ${exportId}`);
}
