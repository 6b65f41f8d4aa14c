import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidUploadKeyError, LocalImportUploads } from './import-uploads.ts';

// Upload storage on the local disk: a whole file under a fresh key or nothing, readable as often as
// the pipeline needs, keys that reach nothing outside the folder.

describe('LocalImportUploads', () => {
  let root: string;
  let uploads: LocalImportUploads;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-uploads-'));
    uploads = new LocalImportUploads(root);
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
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
  });

  it('keeps nothing of a stream that fails midway, and throws its error', async () => {
    async function* cutShort() {
      yield Buffer.from('{"half":');
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('the client went away');
    }
    await expect(uploads.store(Readable.from(cutShort()))).rejects.toThrow('the client went away');
    expect(await uploads.list()).toEqual([]);
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('refuses keys it did not make, so no path outside its folder is reached', async () => {
    for (const key of ['../annex.db', `${'a'.repeat(32)}.json/../../x`, 'a.json', '']) {
      expect(() => uploads.pathOf(key)).toThrow(InvalidUploadKeyError);
      await expect(uploads.remove(key)).rejects.toThrow(InvalidUploadKeyError);
    }
    await expect(
      uploads.removeListed({ name: '../x.part', temporary: true, modifiedTime: new Date() }),
    ).rejects.toThrow(InvalidUploadKeyError);
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
