import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { InvalidUploadKeyError } from './import-uploads.ts';
import type { ImportUploadStorage } from './import-uploads.ts';

// What every upload storage promises (the local disk, a bucket), as one suite declared for each: a
// whole file under a fresh key or nothing, readable as often as the import pipeline needs, keys that
// reach nothing the storage did not make.

/** One storage under test, and a look behind it. */
export interface ImportUploadStorageHarness {
  /** The storage. */
  uploads: ImportUploadStorage;
  /** Every file (or object) behind the storage right now, temporary ones and others' too. */
  listEverything(): Promise<string[]>;
  /** Throws the storage away, and whatever backs it. */
  close(): Promise<void>;
}

/** Bigger than one multipart part (the tests' 5 MiB), so an object store has begun a multipart upload. */
const morethanOnePartBytes = 11 * 1024 * 1024 + 17;

/** `total` bytes of JSON-looking text in chunks of at most 64 KiB. */
async function* jsonChunks(total: number): AsyncGenerator<Buffer> {
  const line = Buffer.from('{"file":"image.jpg","boxes":[[1,2,3,4]],"label":"café"},\n', 'utf8');
  const chunk = Buffer.concat(Array.from({ length: Math.ceil(65_536 / line.length) }, () => line));
  for (let sent = 0; sent < total; sent += chunk.length) {
    yield chunk.subarray(0, Math.min(chunk.length, total - sent));
    // Each chunk on its own turn, as a request's body arrives.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Declares the suite for one storage; call inside a `describe`. */
export function describeImportUploadStorageContract(
  open: () => Promise<ImportUploadStorageHarness>,
): void {
  let harness: ImportUploadStorageHarness;
  let uploads: ImportUploadStorage;

  beforeEach(async () => {
    harness = await open();
    uploads = harness.uploads;
  });
  afterEach(async () => {
    await harness.close();
  });

  it('stores a stream whole under a fresh key, opens it as often as asked, and removes it', async () => {
    const stored = await uploads.store(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]));
    expect(stored.key).toMatch(/^[0-9a-f]{32}\.json$/);
    expect(stored.sizeBytes).toBe(7);
    expect(await text(uploads.openRead(stored.key))).toBe('{"a":1}');
    expect(await text(uploads.openRead(stored.key))).toBe('{"a":1}');
    expect(await uploads.exists(stored.key)).toBe(true);
    expect((await uploads.list()).map(({ name, temporary }) => ({ name, temporary }))).toEqual([
      { name: stored.key, temporary: false },
    ]);

    const other = await uploads.store(Readable.from([Buffer.from('{}')]));
    expect(other.key).not.toBe(stored.key);
    await uploads.remove(stored.key);
    await uploads.remove(stored.key);
    expect(await uploads.exists(stored.key)).toBe(false);
    expect(await uploads.exists(other.key)).toBe(true);
  });

  it('stores a file of several parts byte for byte, counting bytes rather than characters', async () => {
    const expected = createHash('sha256');
    for await (const chunk of jsonChunks(morethanOnePartBytes)) expected.update(chunk);

    const stored = await uploads.store(Readable.from(jsonChunks(morethanOnePartBytes)));

    expect(stored.sizeBytes).toBe(morethanOnePartBytes);
    expect(await sha256OfStream(uploads.openRead(stored.key))).toBe(expected.digest('hex'));
  });

  it('stores an empty stream as an empty file', async () => {
    const stored = await uploads.store(Readable.from([]));
    expect(stored.sizeBytes).toBe(0);
    expect((await buffer(uploads.openRead(stored.key))).length).toBe(0);
  });

  it.each([
    ['after a few bytes', 8],
    ['after more than one part', morethanOnePartBytes],
  ])('keeps nothing of a stream that fails %s, and throws its error', async (_, bytesBefore) => {
    async function* cutShort() {
      yield* jsonChunks(bytesBefore);
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('the client went away');
    }
    await expect(uploads.store(Readable.from(cutShort()))).rejects.toThrow('the client went away');
    expect(await uploads.list()).toEqual([]);
    expect(await harness.listEverything()).toEqual([]);
  });

  it('errors on the stream of a file that is not there', async () => {
    const missing = `${'e'.repeat(32)}.json`;
    expect(await uploads.exists(missing)).toBe(false);
    await expect(text(uploads.openRead(missing))).rejects.toThrow();
    await uploads.remove(missing);
  });

  it('refuses keys it did not make, so nothing outside its place is reached', async () => {
    for (const key of ['../annex.db', `${'a'.repeat(32)}.json/../../x`, 'a.json', '']) {
      expect(() => uploads.openRead(key), key).toThrow(InvalidUploadKeyError);
      await expect(uploads.exists(key), key).rejects.toThrow(InvalidUploadKeyError);
      await expect(uploads.remove(key), key).rejects.toThrow(InvalidUploadKeyError);
      await expect(
        uploads.removeListed({ name: key, temporary: false, modifiedTime: new Date() }),
        key,
      ).rejects.toThrow(InvalidUploadKeyError);
    }
    await expect(
      uploads.removeListed({ name: '../x.part', temporary: true, modifiedTime: new Date() }),
    ).rejects.toThrow(InvalidUploadKeyError);
  });

  it('removes a whole file it listed', async () => {
    const stored = await uploads.store(Readable.from([Buffer.from('{}')]));
    const [listing] = await uploads.list();
    if (listing === undefined) throw new Error('the stored file is not listed');
    expect(listing.modifiedTime).toBeInstanceOf(Date);
    await uploads.removeListed(listing);
    expect(await uploads.exists(stored.key)).toBe(false);
    expect(await harness.listEverything()).toEqual([]);
  });
}
