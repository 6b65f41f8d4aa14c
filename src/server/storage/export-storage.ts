import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isMissing, modifiedTimeOf, readdirOrEmpty } from './missing-files.ts';

// Export files live under DATA_DIR/exports: finished files at the top level, files being written in
// `tmp/`. Every name here is built from an export's numeric id and random hex, never from anything a
// request sent, and every key is checked against one pattern before it touches the disk, so no path
// outside the folder can be reached through a key.

/** A finished file's key: `<export id>-<random hex>.json`, relative to the exports folder. */
const keyPattern = /^[1-9][0-9]{0,15}-[0-9a-f]{16}\.json$/;
/** A worker id as it appears in a temporary file name. */
const ownerPattern = /^[A-Za-z0-9-]{1,80}$/;
/** A temporary file's name: `<export id>.<owner>.<random hex>.part`. */
const tempNamePattern = /^([1-9][0-9]{0,15})\.([A-Za-z0-9-]{1,80})\.[0-9a-f]{12}\.part$/;

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

/** A temporary file in storage, as the file sweep sees it. */
export interface StoredTempFile {
  /** Its name in `tmp/`. */
  name: string;
  /** The export it is written for (from its name). */
  exportId: number;
  /** The worker writing it (from its name). */
  owner: string;
  /** When it was last written. */
  modifiedTime: Date;
}

/** Raised for a key that was not made by this storage; a bug or a tampered row, never user input. */
export class InvalidStorageKeyError extends Error {
  override name = 'InvalidStorageKeyError';
}

/** Export files on the local disk (DATA_DIR/exports): temporary names while written, atomic rename into place. */
export class ExportStorage {
  /** The exports folder. */
  readonly root: string;
  private readonly tempRoot: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.tempRoot = path.join(this.root, 'tmp');
  }

  /** The storage of a data folder: `<dataDir>/exports`. */
  static forDataDir(dataDir: string): ExportStorage {
    return new ExportStorage(path.join(dataDir, 'exports'));
  }

  /** Creates the folders; safe to call again. */
  async ensureFolders(): Promise<void> {
    await fsp.mkdir(this.tempRoot, { recursive: true });
  }

  /**
   * A fresh temporary path for writing an export: `tmp/<id>.<owner>.<random>.part`. The owner (the
   * worker id) is in the name so that recovery removes a crashed worker's file and never the file of
   * the worker that claimed the export after it.
   */
  async newTempPath(exportId: number, owner: string): Promise<string> {
    assertExportId(exportId);
    if (!ownerPattern.test(owner))
      throw new InvalidStorageKeyError(`Invalid worker id for a temporary file: "${owner}"`);
    await this.ensureFolders();
    return path.join(this.tempRoot, `${exportId}.${owner}.${randomBytes(6).toString('hex')}.part`);
  }

  /**
   * Flushes a finished temporary file to disk and renames it into place under a new key; the rename is
   * atomic, so a reader sees either no file or the whole file.
   */
  async commit(tempPath: string, exportId: number): Promise<string> {
    assertExportId(exportId);
    this.assertTempPath(tempPath);
    const handle = await fsp.open(tempPath, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const key = `${exportId}-${randomBytes(8).toString('hex')}.json`;
    await fsp.rename(tempPath, this.pathOf(key));
    return key;
  }

  /** The size and time of a stored file, or null when it is not there. */
  async stat(key: string): Promise<StoredFileStat | null> {
    try {
      const stats = await fsp.stat(this.pathOf(key));
      return { sizeBytes: stats.size, modifiedTime: stats.mtime };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** A stream of a stored file, or of one byte range of it. */
  openRead(key: string, range?: ByteRange): Readable {
    return fs.createReadStream(
      this.pathOf(key),
      range === undefined ? {} : { start: range.start, end: range.end },
    );
  }

  /** Deletes a stored file; a file already gone is not an error. */
  async remove(key: string): Promise<void> {
    await fsp.rm(this.pathOf(key), { force: true });
  }

  /** Deletes a temporary file this storage handed out; a file already gone is not an error. */
  async removeTemp(tempPath: string): Promise<void> {
    this.assertTempPath(tempPath);
    await fsp.rm(tempPath, { force: true });
  }

  /** Deletes the temporary files one worker left for one export (after a crash); returns how many. */
  async removeTempsOf(exportId: number, owner: string): Promise<number> {
    assertExportId(exportId);
    const prefix = `${exportId}.${owner}.`;
    let names: string[];
    try {
      names = await fsp.readdir(this.tempRoot);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    const stale = names.filter((name) => name.startsWith(prefix) && name.endsWith('.part'));
    await Promise.all(stale.map((name) => fsp.rm(path.join(this.tempRoot, name), { force: true })));
    return stale.length;
  }

  /** Names of the temporary files present now (for checks and tests). */
  async listTemps(): Promise<string[]> {
    try {
      return await fsp.readdir(this.tempRoot);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  /**
   * The finished files present now, by key; other names in the folder are not this storage's and are
   * left out. A file removed while it is listed is skipped.
   */
  async listFinals(): Promise<StoredFinalFile[]> {
    const found: StoredFinalFile[] = [];
    for (const key of await readdirOrEmpty(this.root)) {
      if (!keyPattern.test(key)) continue;
      const modifiedTime = await modifiedTimeOf(path.join(this.root, key));
      if (modifiedTime === null) continue;
      found.push({ key, exportId: Number.parseInt(key, 10), modifiedTime });
    }
    return found;
  }

  /** The temporary files present now, with the export and worker their names carry. */
  async listTempFiles(): Promise<StoredTempFile[]> {
    const found: StoredTempFile[] = [];
    for (const name of await readdirOrEmpty(this.tempRoot)) {
      const match = tempNamePattern.exec(name);
      if (match === null) continue;
      const [, exportId = '', owner = ''] = match;
      const modifiedTime = await modifiedTimeOf(path.join(this.tempRoot, name));
      if (modifiedTime === null) continue;
      found.push({ name, exportId: Number.parseInt(exportId, 10), owner, modifiedTime });
    }
    return found;
  }

  /** Deletes a temporary file by its name in `tmp/` (as `listTempFiles` gave it). */
  async removeTempNamed(name: string): Promise<void> {
    if (!tempNamePattern.test(name))
      throw new InvalidStorageKeyError(`Not a temporary export file name: "${name}"`);
    await fsp.rm(path.join(this.tempRoot, name), { force: true });
  }

  /** The absolute path of a key; throws for anything that is not a key this storage made. */
  pathOf(key: string): string {
    if (!keyPattern.test(key))
      throw new InvalidStorageKeyError(`Invalid export storage key "${key}"`);
    return path.join(this.root, key);
  }

  private assertTempPath(tempPath: string): void {
    if (path.dirname(tempPath) !== this.tempRoot || !path.basename(tempPath).endsWith('.part')) {
      throw new InvalidStorageKeyError(
        `Not a temporary export path of this storage: "${tempPath}"`,
      );
    }
  }
}

function assertExportId(exportId: number): void {
  if (!Number.isSafeInteger(exportId) || exportId <= 0)
    throw new InvalidStorageKeyError(`Invalid export id ${exportId}`);
}
