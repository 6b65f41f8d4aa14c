import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isMissing, modifiedTimeOf, readdirOrEmpty } from './missing-files.ts';

// Uploaded import files, kept from the upload until the import is final. The interface is what the
// import routes and worker use; the local disk is its one implementation today (DATA_DIR/imports),
// and an object store can be another (issue 14) without either of them changing.
//
// On disk: a file being received is written under `tmp/` and renamed into place once complete, so a
// stored key always names a whole file. Names are random hex made here, never from a request, and
// every key is checked against one pattern before it touches the disk.

/** A file once stored: its key (what `import_job.upload_key` keeps) and its length. */
export interface StoredUpload {
  /** The key to open or remove it by. */
  key: string;
  /** Its length in bytes. */
  sizeBytes: number;
}

/** A stored file as the sweep sees it. */
export interface UploadListing {
  /** Its key (a whole file) or temporary name (one being received). */
  name: string;
  /** True for a file still being received (or left half-received by a crash). */
  temporary: boolean;
  /** When it was last written. */
  modifiedTime: Date;
}

/** Where uploaded import files are kept; see the module comment. */
export interface ImportUploadStorage {
  /**
   * Stores what `source` yields under a new key, whole or not at all: when the source fails (a
   * refused file, a client gone) the part received is removed and the error thrown again.
   */
  store(source: Readable): Promise<StoredUpload>;
  /** The stored file from its start; the stream errors when it is gone. */
  openRead(key: string): Readable;
  /** True when the key names a stored file. */
  exists(key: string): Promise<boolean>;
  /** Deletes a stored file; one already gone is no error. */
  remove(key: string): Promise<void>;
  /** Every file present now, whole or temporary (for the sweep of files no import owns). */
  list(): Promise<UploadListing[]>;
  /** Deletes what `list` named; one already gone is no error. */
  removeListed(listing: UploadListing): Promise<void>;
}

/** A stored file's key, on every storage: 32 random hex digits and `.json`. */
export const uploadKeyPattern = /^[0-9a-f]{32}\.json$/;
/** A file being received: 32 random hex digits and `.part`, in `tmp/`. */
const tempPattern = /^[0-9a-f]{32}\.part$/;

/** A fresh key for a file to store. */
export function newUploadKey(): string {
  return `${randomBytes(16).toString('hex')}.json`;
}

/** Raised for a key this storage did not make: a bug or a tampered row, never user input. */
export class InvalidUploadKeyError extends Error {
  override name = 'InvalidUploadKeyError';
}

/** Uploaded import files on the local disk: `<root>/<key>.json`, `<root>/tmp/<name>.part` while received. */
export class LocalImportUploads implements ImportUploadStorage {
  /** The imports folder. */
  readonly root: string;
  private readonly tempRoot: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.tempRoot = path.join(this.root, 'tmp');
  }

  /** The uploads of a data folder: `<dataDir>/imports`. */
  static forDataDir(dataDir: string): LocalImportUploads {
    return new LocalImportUploads(path.join(dataDir, 'imports'));
  }

  /** Creates the folders; safe to call again. */
  async ensureFolders(): Promise<void> {
    await fsp.mkdir(this.tempRoot, { recursive: true });
  }

  async store(source: Readable): Promise<StoredUpload> {
    await this.ensureFolders();
    const name = randomBytes(16).toString('hex');
    const tempPath = path.join(this.tempRoot, `${name}.part`);
    const key = `${name}.json`;
    const sink = fs.createWriteStream(tempPath, { flags: 'wx' });
    try {
      await pipeline(source, sink);
      // On disk before the row that names it is written: a crash then leaves a whole file or none.
      const handle = await fsp.open(tempPath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(tempPath, this.pathOf(key));
    } catch (error) {
      await fsp.rm(tempPath, { force: true });
      throw error;
    }
    return { key, sizeBytes: sink.bytesWritten };
  }

  openRead(key: string): Readable {
    return fs.createReadStream(this.pathOf(key));
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await fsp.stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await fsp.rm(this.pathOf(key), { force: true });
  }

  async list(): Promise<UploadListing[]> {
    const found: UploadListing[] = [];
    for (const [folder, pattern, temporary] of [
      [this.root, uploadKeyPattern, false],
      [this.tempRoot, tempPattern, true],
    ] as const) {
      for (const name of await readdirOrEmpty(folder)) {
        if (!pattern.test(name)) continue;
        const modifiedTime = await modifiedTimeOf(path.join(folder, name));
        if (modifiedTime !== null) found.push({ name, temporary, modifiedTime });
      }
    }
    return found;
  }

  async removeListed(listing: UploadListing): Promise<void> {
    if (!listing.temporary) return this.remove(listing.name);
    if (!tempPattern.test(listing.name))
      throw new InvalidUploadKeyError(`Not a temporary upload name: "${listing.name}"`);
    await fsp.rm(path.join(this.tempRoot, listing.name), { force: true });
  }

  /** The absolute path of a key; throws for anything that is not a key this storage made. */
  pathOf(key: string): string {
    if (!uploadKeyPattern.test(key)) throw new InvalidUploadKeyError(`Invalid upload key "${key}"`);
    return path.join(this.root, key);
  }
}
