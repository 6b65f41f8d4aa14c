import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepExportFiles } from './export-file-sweep.ts';
import type { SweptFileOwner } from './export-file-sweep.ts';
import { LocalExportStorage } from './local-export-storage.ts';

describe('sweepExportFiles', () => {
  let dataDir: string;
  let storage: LocalExportStorage;
  const long = new Date(Date.now() - 3_600_000);

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-sweep-'));
    storage = LocalExportStorage.forDataDir(dataDir);
    await storage.ensureFolders();
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A finished file for an export, written an hour ago. */
  async function oldFinal(exportId: number): Promise<string> {
    const temp = await storage.newTempPath(exportId, 'w-1');
    fs.writeFileSync(temp, '{}');
    const key = await storage.commit(temp, exportId);
    fs.utimesSync(storage.pathOf(key), long, long);
    return key;
  }

  /** A temporary file of an export by a worker, written an hour ago unless `fresh`. */
  async function temp(exportId: number, owner: string, fresh = false): Promise<string> {
    const file = await storage.newTempPath(exportId, owner);
    fs.writeFileSync(file, '{"partial":');
    if (!fresh) fs.utimesSync(file, long, long);
    return path.basename(file);
  }

  it('deletes the files no export owns and keeps the rest', async () => {
    const completeKey = await oldFinal(1);
    const staleOfComplete = await oldFinal(1);
    const ofFailed = await oldFinal(2);
    const ofMissing = await oldFinal(3);
    const ofArchived = await oldFinal(4);
    const ofRunning = await oldFinal(5);
    const runningTemp = await temp(5, 'w-1');
    const otherWorkersTemp = await temp(5, 'w-dead');
    const failedTemp = await temp(2, 'w-1');
    const freshTemp = await temp(3, 'w-1', true);
    const owners = new Map<number, SweptFileOwner>([
      [1, { status: 'complete', archived: 0, storage_key: completeKey, claimed_by: 'w-1' }],
      [2, { status: 'failed', archived: 0, storage_key: null, claimed_by: 'w-1' }],
      [4, { status: 'complete', archived: 1, storage_key: ofArchived, claimed_by: 'w-1' }],
      [5, { status: 'running', archived: 0, storage_key: null, claimed_by: 'w-1' }],
    ]);
    const asked: number[][] = [];

    const swept = await sweepExportFiles(storage, {
      graceMs: 60_000,
      ownersOf: (ids) => {
        asked.push(ids);
        return Promise.resolve(owners);
      },
    });

    expect(swept.finals.sort()).toEqual([staleOfComplete, ofFailed, ofMissing, ofArchived].sort());
    expect(swept.temps.sort()).toEqual([otherWorkersTemp, failedTemp].sort());
    expect(fs.readdirSync(storage.root).sort()).toEqual([completeKey, ofRunning, 'tmp'].sort());
    expect((await storage.listTemps()).sort()).toEqual([runningTemp, freshTemp].sort());
    expect(asked).toHaveLength(1);
  });

  it('leaves names it did not make alone', async () => {
    fs.writeFileSync(path.join(storage.root, 'notes.txt'), 'mine');
    fs.writeFileSync(path.join(storage.root, 'tmp', 'upload.part'), 'mine');
    const swept = await sweepExportFiles(storage, {
      graceMs: 0,
      ownersOf: () => Promise.resolve(new Map()),
      now: new Date(Date.now() + 60_000),
    });
    expect(swept).toEqual({ finals: [], temps: [] });
    expect(fs.existsSync(path.join(storage.root, 'notes.txt'))).toBe(true);
  });
});
