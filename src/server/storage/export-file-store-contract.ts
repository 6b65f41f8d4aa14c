import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidStorageKeyError, exportKeyPattern } from './export-file-store.ts';
import type { ExportFileStore, ExportUpload } from './export-file-store.ts';

// What every export file store promises, as one suite declared for each implementation (the local
// disk, an S3-compatible server): the worker, the download routes, archiving and the sweeps are
// written against `ExportFileStore` and must not be able to tell the two apart.

/** One store under test, and a look behind it. */
export interface ExportFileStoreHarness {
  /** The store, ready (`ensureReady` done). */
  store: ExportFileStore;
  /**
   * Everything the backing holds right now, whatever its name: every file under the store's folder
   * (temporary ones too), or every object in the bucket (outside the prefix too). An abandoned
   * upload must leave nothing here that a reader could mistake for a file.
   */
  listEverything(): Promise<string[]>;
  /** Puts something that is not this store's beside its files (a file in its folder, an object under its prefix). */
  writeForeign(name: string, body: string): Promise<void>;
  /** Throws the store away, and whatever backs it. */
  close(): Promise<void>;
}

/** How a store is made, and what it can do beyond the common promises. */
export interface ExportFileStoreContract<Harness extends ExportFileStoreHarness> {
  /** Makes a fresh, empty store for one test. */
  open(): Promise<Harness>;
  /** True when the store hands out presigned URLs (an object store) rather than null (the local disk). */
  presigns: boolean;
  /**
   * True when `listTempFiles` sees uploads in progress. The local disk does; an object store that
   * cannot list its unfinished multipart uploads (s3rver) answers none instead of failing.
   */
  listsUploadsInProgress: boolean;
  /**
   * True when the file is under its key once `close` has returned, `commit` only handing the key
   * out: an object store completes its multipart upload in `close`. Nobody can find it before
   * `commit` (no export row names the key yet; the sweep keeps a running export's files), and
   * `discard` after `close` deletes it. False when only `commit` puts it in place (the local rename).
   */
  visibleOnceClosed: boolean;
  /**
   * Ways the store becomes unreachable after `open`, each with what `check()` must then say: the
   * object store's server stopped, its bucket gone, the local folder gone.
   */
  outages: {
    /** What happened, for the test's name. */
    name: string;
    /** Makes the store unreachable (from a fresh harness). */
    cause(harness: Harness): Promise<ExportFileStore>;
    /** What the error of `check()` must say. */
    message: RegExp;
  }[];
}

/** A bigger write than any buffer on the way (the local stream's, one multipart part of 5 MiB). */
const bigWriteBytes = 12 * 1024 * 1024;

/**
 * Text that looks like an export (JSON packets, some characters of two to four bytes in UTF-8, so a
 * size counted in characters instead of bytes shows), cut into `pieces` writes.
 */
export function exportLikePieces(pieces: number, piecesPerPacket = 3): string[] {
  const out: string[] = ['{"format":"annex-export","files":{'];
  for (let index = 0; index < pieces; index += 1) {
    const packet = Math.floor(index / piecesPerPacket);
    out.push(
      index % piecesPerPacket === 0
        ? `${packet === 0 ? '' : ','}"${packet}":{"name":"image-${packet}.jpg","label":"café ☕ 🐈",`
        : `"box${index}":[${index},${(index * 7) % 101},${(index * 13) % 97}],`,
    );
  }
  out.push('"end":true}}}');
  return out;
}

/** The UTF-8 bytes of `pieces` written one after the other. */
function bytesOf(pieces: string[]): Buffer {
  return Buffer.from(pieces.join(''), 'utf8');
}

/** Writes every piece, closes, and commits; returns the key and what `close` said. */
async function storeText(
  store: ExportFileStore,
  exportId: number,
  pieces: string[],
): Promise<{ key: string; sizeBytes: number; sha256: string }> {
  const upload = await store.openUpload(exportId, 'worker-1');
  for (const piece of pieces) await upload.write(piece);
  const closed = await upload.close();
  return { key: await upload.commit(), ...closed };
}

/** Writes `bytes` of filler (in 1 MiB writes). */
async function writeFiller(upload: ExportUpload, bytes: number): Promise<void> {
  const mebibyte = 'x'.repeat(1024 * 1024);
  for (let written = 0; written < bytes; written += mebibyte.length) await upload.write(mebibyte);
}

/** The error a stream ends with, or null when it ends cleanly. */
async function streamError(stream: Readable): Promise<Error | null> {
  try {
    await buffer(stream);
    return null;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Names in a listing that a reader could take for a stored export file. */
const finalNames = (names: string[]) =>
  names.filter((name) => exportKeyPattern.test(name.split('/').at(-1) ?? ''));

/** Declares the suite for one store; call inside a `describe`. */
export function describeExportFileStoreContract<Harness extends ExportFileStoreHarness>(
  contract: ExportFileStoreContract<Harness>,
): void {
  let harness: Harness;
  let store: ExportFileStore;

  beforeEach(async () => {
    harness = await contract.open();
    store = harness.store;
  });
  afterEach(async () => {
    await harness.close();
  });

  describe('writing', () => {
    it('stores what was written under a fresh key, with the size and SHA-256 of its bytes', async () => {
      const pieces = exportLikePieces(200);
      const expected = bytesOf(pieces);
      const before = Date.now();

      const stored = await storeText(store, 7, pieces);

      expect(stored.key).toMatch(exportKeyPattern);
      expect(stored.key.startsWith('7-')).toBe(true);
      expect(stored.sizeBytes).toBe(expected.length);
      expect(stored.sha256).toBe(sha256Of(expected));
      const stat = await store.stat(stored.key);
      expect(stat?.sizeBytes).toBe(expected.length);
      // Object stores keep whole seconds; the clocks are the same machine's.
      expect(stat?.modifiedTime.getTime()).toBeGreaterThanOrEqual(before - 2_000);
      expect(stat?.modifiedTime.getTime()).toBeLessThanOrEqual(Date.now() + 2_000);
      expect(await buffer(store.openRead(stored.key))).toEqual(expected);

      const again = await storeText(store, 7, pieces);
      expect(again.key).not.toBe(stored.key);
    });

    it('shows nothing while the file is written, and refuses to commit before close', async () => {
      const upload = await store.openUpload(8, 'worker-1');
      await expect(upload.commit()).rejects.toThrow();
      await upload.write('{"a":');
      await writeFiller(upload, bigWriteBytes);
      await upload.write('1}');

      // More than one part is in the object store by now: still nothing under any key.
      expect(await store.listFinals()).toEqual([]);
      expect(finalNames(await harness.listEverything())).toEqual([]);
      await expect(upload.commit()).rejects.toThrow();

      await upload.close();
      if (!contract.visibleOnceClosed) {
        expect(await store.listFinals()).toEqual([]);
        expect(finalNames(await harness.listEverything())).toEqual([]);
      }

      const key = await upload.commit();
      expect(await store.stat(key)).toMatchObject({ sizeBytes: bigWriteBytes + 7 });
      expect((await store.listFinals()).map((file) => file.key)).toEqual([key]);
    });

    it('stores an empty file', async () => {
      const stored = await storeText(store, 9, []);
      expect(stored).toMatchObject({ sizeBytes: 0, sha256: sha256Of(Buffer.alloc(0)) });
      expect(await store.stat(stored.key)).toMatchObject({ sizeBytes: 0 });
      expect((await buffer(store.openRead(stored.key))).length).toBe(0);
    });
  });

  describe('discarding', () => {
    const moments: [string, (upload: ExportUpload) => Promise<unknown>][] = [
      ['before anything is written', () => Promise.resolve()],
      ['after a few small writes', (upload) => upload.write('{"half":')],
      // More than one multipart part, so an object store has begun a multipart upload.
      ['after more than one part was sent', (upload) => writeFiller(upload, bigWriteBytes)],
      [
        'after it was closed but not committed',
        async (upload) => {
          await writeFiller(upload, bigWriteBytes);
          await upload.close();
        },
      ],
    ];
    it.each(moments)('leaves nothing behind when discarded %s, twice', async (_, writeSome) => {
      const upload = await store.openUpload(10, 'worker-1');
      await writeSome(upload);

      await upload.discard();
      await upload.discard();

      expect(await store.listFinals()).toEqual([]);
      expect(await store.listTempFiles()).toEqual([]);
      expect(await harness.listEverything()).toEqual([]);
    });

    it('keeps a committed file: discard after commit is a no-op, only remove deletes it', async () => {
      const upload = await store.openUpload(12, 'worker-1');
      await upload.write('{"kept":true}');
      const closed = await upload.close();
      const key = await upload.commit();

      await upload.discard();

      expect(await store.stat(key)).toMatchObject({ sizeBytes: closed.sizeBytes });
      await store.remove(key);
      expect(await store.stat(key)).toBeNull();
    });

    it('stops an upload whose signal is aborted: a later write fails, and discard leaves nothing', async () => {
      const controller = new AbortController();
      const upload = await store.openUpload(11, 'worker-1', controller.signal);
      await upload.write('{"a":1,');
      await writeFiller(upload, 2 * 1024 * 1024);

      controller.abort(new Error('the export was cancelled'));
      const mebibyte = 'y'.repeat(1024 * 1024);
      // Each write may still land in a buffer; within 64 MiB one must fail, or the signal was ignored.
      const writesAfterAbort = async () => {
        for (let write = 0; write < 64; write += 1) await upload.write(mebibyte);
      };
      await expect(writesAfterAbort()).rejects.toThrow();
      await upload.discard();

      expect(await store.listFinals()).toEqual([]);
      expect(await harness.listEverything()).toEqual([]);
    });
  });

  describe('reading', () => {
    it('reads the whole file or any inclusive byte range of it', async () => {
      const pieces = exportLikePieces(60);
      const bytes = bytesOf(pieces);
      const { key } = await storeText(store, 12, pieces);
      const last = bytes.length - 1;
      const middle = Math.floor(bytes.length / 2);

      for (const range of [
        { start: 0, end: 0 },
        { start: 0, end: 9 },
        { start: middle - 5, end: middle + 17 },
        { start: middle, end: middle },
        { start: last, end: last },
        { start: last - 3, end: last },
        { start: 0, end: last },
      ]) {
        expect(await buffer(store.openRead(key, range)), JSON.stringify(range)).toEqual(
          bytes.subarray(range.start, range.end + 1),
        );
      }
      expect(await buffer(store.openRead(key))).toEqual(bytes);
    });

    it('says null for a file that is not there, and its stream errors', async () => {
      const missing = '13-0123456789abcdef.json';
      expect(await store.stat(missing)).toBeNull();
      expect(await streamError(store.openRead(missing))).toBeInstanceOf(Error);
      expect(await streamError(store.openRead(missing, { start: 0, end: 3 }))).toBeInstanceOf(
        Error,
      );
    });

    it('refuses keys it did not make, and ids and worker ids a name cannot carry', async () => {
      for (const key of [
        '../x',
        '1-abc.json',
        '',
        '0-0123456789abcdef.json',
        '7-0123456789abcdef.json/../../x',
        '/etc/passwd',
      ]) {
        await expect(store.stat(key), key).rejects.toThrow(InvalidStorageKeyError);
        await expect(store.remove(key), key).rejects.toThrow(InvalidStorageKeyError);
        expect(() => store.openRead(key), key).toThrow(InvalidStorageKeyError);
        if (contract.presigns)
          await expect(store.presignedUrl(key, 'a.json', 60), key).rejects.toThrow(
            InvalidStorageKeyError,
          );
      }
      await expect(store.openUpload(0, 'worker-1')).rejects.toThrow(InvalidStorageKeyError);
      await expect(store.openUpload(1.5, 'worker-1')).rejects.toThrow(InvalidStorageKeyError);
      await expect(store.openUpload(1, '../w')).rejects.toThrow(InvalidStorageKeyError);
      await expect(store.removeTempNamed('../x')).rejects.toThrow(InvalidStorageKeyError);
      await expect(store.removeTempsOf(0, 'worker-1')).rejects.toThrow(InvalidStorageKeyError);
      expect(await harness.listEverything()).toEqual([]);
    });
  });

  describe('removing and listing', () => {
    it('removes a file, and a file already gone is no error', async () => {
      const { key } = await storeText(store, 14, exportLikePieces(5));
      const kept = await storeText(store, 15, exportLikePieces(5));

      await store.remove(key);
      await store.remove(key);
      await store.remove('16-0123456789abcdef.json');

      expect(await store.stat(key)).toBeNull();
      expect(await streamError(store.openRead(key))).toBeInstanceOf(Error);
      expect(await store.stat(kept.key)).not.toBeNull();
      expect(finalNames(await harness.listEverything())).toHaveLength(1);
    });

    it('lists the finished files with their export ids, and nothing that is not its own', async () => {
      const first = await storeText(store, 17, exportLikePieces(3));
      const second = await storeText(store, 18, exportLikePieces(3));
      const third = await storeText(store, 17, exportLikePieces(3));
      await harness.writeForeign('notes.txt', 'mine');
      await harness.writeForeign('17-not-hex.json', '{}');

      const listed = await store.listFinals();

      expect(
        listed
          .map(({ key, exportId }) => ({ key, exportId }))
          .sort((a, b) => a.key.localeCompare(b.key)),
      ).toEqual(
        [
          { key: first.key, exportId: 17 },
          { key: second.key, exportId: 18 },
          { key: third.key, exportId: 17 },
        ].sort((a, b) => a.key.localeCompare(b.key)),
      );
      for (const file of listed) expect(file.modifiedTime).toBeInstanceOf(Date);
    });

    it('lists uploads in progress where it can, and removes one crashed worker’s', async () => {
      const crashed = await store.openUpload(19, 'worker-a');
      await crashed.write('{"partial":');
      const successor = await store.openUpload(19, 'worker-b');
      await successor.write('{"partial":');

      const inProgress = await store.listTempFiles();
      if (contract.listsUploadsInProgress) {
        expect(
          inProgress
            .map(({ exportId, owner }) => ({ exportId, owner }))
            .sort((a, b) => String(a.owner).localeCompare(String(b.owner))),
        ).toEqual([
          { exportId: 19, owner: 'worker-a' },
          { exportId: 19, owner: 'worker-b' },
        ]);
        expect(await store.removeTempsOf(19, 'worker-a')).toBe(1);
        const [left] = await store.listTempFiles();
        expect(left?.owner).toBe('worker-b');
        if (left !== undefined) await store.removeTempNamed(left.name);
        expect(await store.listTempFiles()).toEqual([]);
      } else {
        expect(inProgress).toEqual([]);
        expect(await store.removeTempsOf(19, 'worker-a')).toBe(0);
      }
      await crashed.discard();
      await successor.discard();
      expect(await harness.listEverything()).toEqual([]);
    });
  });

  describe('presigned URLs', () => {
    if (!contract.presigns) {
      it('gives none: downloads go through annex', async () => {
        const { key } = await storeText(store, 20, exportLikePieces(3));
        expect(await store.presignedUrl(key, 'export-20.json', 300)).toBeNull();
      });
      return;
    }

    it('gives a URL that downloads the file under its name, whole or one range', async () => {
      const pieces = exportLikePieces(40);
      const bytes = bytesOf(pieces);
      const { key } = await storeText(store, 20, pieces);

      const url = await store.presignedUrl(key, 'annex export 20.json', 300);
      if (url === null) throw new Error('an object store must give a presigned URL');

      const whole = await fetch(url);
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);
      expect(whole.headers.get('content-disposition')).toMatch(
        /attachment;.*filename="?annex export 20\.json"?/,
      );

      const part = await fetch(url, { headers: { Range: 'bytes=3-10' } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(3, 11));
      expect(part.headers.get('content-range')).toBe(`bytes 3-10/${bytes.length}`);
    });
  });

  describe('readiness', () => {
    it('passes its check when reachable', async () => {
      await store.check();
      await store.ensureReady();
      await store.check();
    });

    it.each(contract.outages.map((outage) => [outage.name, outage] as const))(
      'fails its check with a clear error when %s',
      async (_, outage) => {
        const unreachable = await outage.cause(harness);
        await expect(unreachable.check()).rejects.toThrow(outage.message);
      },
    );
  });
}
