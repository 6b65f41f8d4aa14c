import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidStorageKeyError } from './export-file-store.ts';
import { LocalExportStorage } from './local-export-storage.ts';

describe('LocalExportStorage', () => {
  let dataDir: string;
  let storage: LocalExportStorage;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-storage-'));
    storage = LocalExportStorage.forDataDir(dataDir);
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes under a temporary name, then renames it into place under a fresh key', async () => {
    const temp = await storage.newTempPath(7, 'worker-1');
    expect(path.dirname(temp)).toBe(path.join(dataDir, 'exports', 'tmp'));
    fs.writeFileSync(temp, '{"a":1}');

    const key = await storage.commit(temp, 7);

    expect(key).toMatch(/^7-[0-9a-f]{16}\.json$/);
    expect(fs.existsSync(temp)).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, 'exports', key), 'utf8')).toBe('{"a":1}');
    expect(await storage.stat(key)).toMatchObject({ sizeBytes: 7 });
    expect(await storage.listTemps()).toEqual([]);
  });

  it('reads the whole file or one inclusive byte range', async () => {
    const temp = await storage.newTempPath(3, 'w');
    fs.writeFileSync(temp, '0123456789');
    const key = await storage.commit(temp, 3);

    expect(await text(storage.openRead(key))).toBe('0123456789');
    expect(await text(storage.openRead(key, { start: 2, end: 4 }))).toBe('234');
  });

  it('says null for a missing file and removes files idempotently', async () => {
    const temp = await storage.newTempPath(4, 'w');
    fs.writeFileSync(temp, 'x');
    const key = await storage.commit(temp, 4);

    await storage.remove(key);
    await storage.remove(key);

    expect(await storage.stat(key)).toBeNull();
  });

  it('refuses keys it did not make, so no path outside the folder is reachable', () => {
    for (const key of [
      '../annex.db',
      '/etc/passwd',
      '7-0123456789abcdef.json/../../x',
      'link-secret',
      '0-0123456789abcdef.json',
      '',
    ]) {
      expect(() => storage.pathOf(key), key).toThrow(InvalidStorageKeyError);
    }
    expect(() => storage.openRead('../../etc/passwd')).toThrow(InvalidStorageKeyError);
  });

  it('refuses temporary paths outside its tmp folder and bad ids or worker ids', async () => {
    await expect(storage.commit(path.join(dataDir, 'x.part'), 1)).rejects.toThrow(
      InvalidStorageKeyError,
    );
    await expect(storage.newTempPath(0, 'w')).rejects.toThrow(InvalidStorageKeyError);
    await expect(storage.newTempPath(1, '../w')).rejects.toThrow(InvalidStorageKeyError);
  });

  it("removes one crashed worker's temporary files of one export and nobody else's", async () => {
    const crashed = await storage.newTempPath(9, 'worker-a');
    const crashedOtherExport = await storage.newTempPath(90, 'worker-a');
    const successor = await storage.newTempPath(9, 'worker-b');
    for (const file of [crashed, crashedOtherExport, successor]) fs.writeFileSync(file, 'partial');

    expect(await storage.removeTempsOf(9, 'worker-a')).toBe(1);

    expect(fs.existsSync(crashed)).toBe(false);
    expect(fs.existsSync(crashedOtherExport)).toBe(true);
    expect(fs.existsSync(successor)).toBe(true);
  });
});
