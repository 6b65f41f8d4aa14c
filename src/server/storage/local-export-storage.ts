import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { HashingFileSink } from './hashing-file-sink.ts';
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
import { isMissing, modifiedTimeOf, readdirOrEmpty } from './missing-files.ts';

// Export files live under DATA_DIR/exports: finished files at the top level, files being written in
// `tmp/`. Every name here is built from an export's numeric id and random hex, never from anything a
// request sent, and every key is checked against one pattern before it touches the disk, so no path
// outside the folder can be reached through a key.

/** A temporary file's name: `<export id>.<owner>.<random hex>.part`. */
const tempNamePattern = /^([1-9][0-9]{0,15})\.([A-Za-z0-9-]{1,80})\.[0-9a-f]{12}\.part$/;

/** Export files on the local disk (DATA_DIR/exports): temporary names while written, atomic rename into place. */
export class LocalExportStorage implements ExportFileStore {
  readonly kind = 'local' as const;
  /** The exports folder. */
  readonly root: string;
  private readonly tempRoot: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.tempRoot = path.join(this.root, 'tmp');
  }

  /** The storage of a data folder: `<dataDir>/exports`. */
  static forDataDir(dataDir: string): LocalExportStorage {
    return new LocalExportStorage(path.join(dataDir, 'exports'));
  }

  get location(): string {
    return this.root;
  }

  /** Creates the folders; safe to call again. */
  async ensureFolders(): Promise<void> {
    await fsp.mkdir(this.tempRoot, { recursive: true });
  }

  ensureReady(): Promise<void> {
    return this.ensureFolders();
  }

  /** The folders are there (made if not, as at start) and this process may write in them. */
  async check(): Promise<void> {
    await this.ensureFolders();
    await fsp.access(this.tempRoot, fs.constants.W_OK);
  }

  async openUpload(exportId: number, owner: string, signal?: AbortSignal): Promise<ExportUpload> {
    const tempPath = await this.newTempPath(exportId, owner);
    const sink = await HashingFileSink.open(tempPath, signal);
    return new LocalUpload(this, sink, tempPath, exportId);
  }

  presignedUrl(): Promise<string | null> {
    return Promise.resolve(null);
  }

  /**
   * A fresh temporary path for writing an export: `tmp/<id>.<owner>.<random>.part`. The owner (the
   * worker id) is in the name so that recovery removes a crashed worker's file and never the file of
   * the worker that claimed the export after it.
   */
  async newTempPath(exportId: number, owner: string): Promise<string> {
    assertExportId(exportId);
    if (!workerIdPattern.test(owner))
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
      if (!exportKeyPattern.test(key)) continue;
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
    if (!exportKeyPattern.test(key))
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

/** A file being written to a temporary path, renamed into place by `commit`. */
class LocalUpload implements ExportUpload {
  private closed: SinkResult | undefined;
  private committed = false;

  constructor(
    private readonly storage: LocalExportStorage,
    private readonly sink: HashingFileSink,
    private readonly tempPath: string,
    private readonly exportId: number,
  ) {}

  write(text: string): Promise<void> {
    return this.sink.write(text);
  }

  async close(): Promise<SinkResult> {
    this.closed = await this.sink.close();
    return this.closed;
  }

  async commit(): Promise<string> {
    if (this.closed === undefined)
      throw new Error('An upload is committed only after it is closed');
    return this.storage.commit(this.tempPath, this.exportId);
  }

  async discard(): Promise<void> {
    await this.sink.discard();
  }
}
