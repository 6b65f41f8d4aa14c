import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HashingFileSink } from './hashing-file-sink.ts';

// The file on disk: what it reports must be what landed, and a file given up on must be gone.

describe('the hashing file sink', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-export-sink-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports the byte size and SHA-256 of what is on disk, multi-byte characters included', async () => {
    const outPath = path.join(dir, 'written.json');
    const sink = await HashingFileSink.open(outPath, undefined);
    await sink.write('{"label":"Straße ');
    await sink.write('🚲"}');
    const result = await sink.close();
    const bytes = fs.readFileSync(outPath);
    expect(bytes.toString('utf8')).toBe('{"label":"Straße 🚲"}');
    expect(result).toEqual({
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(result.sizeBytes).toBeGreaterThan('{"label":"Straße 🚲"}'.length);
  });

  it('removes the file when discarded, open or already closed', async () => {
    const open = path.join(dir, 'open.json');
    const sink = await HashingFileSink.open(open, undefined);
    await sink.write('{"half":');
    await sink.discard();
    expect(fs.existsSync(open)).toBe(false);

    const closed = path.join(dir, 'closed.json');
    const done = await HashingFileSink.open(closed, undefined);
    await done.write('{}');
    await done.close();
    await done.discard();
    expect(fs.existsSync(closed)).toBe(false);
  });

  it('fails to open in a missing folder, leaving nothing', async () => {
    const outPath = path.join(dir, 'no-such-folder', 'export.json');
    await expect(HashingFileSink.open(outPath, undefined)).rejects.toThrow(/ENOENT/);
    expect(fs.existsSync(outPath)).toBe(false);
  });

  it('does not open once aborted, leaving nothing even when the open finishes later', async () => {
    // The open runs on the thread pool and may finish after the abort was noticed; a clean-up that
    // does not wait for it removes the file before it exists. A slow disk is simulated here.
    const createWriteStream = fs.createWriteStream.bind(fs);
    const slowFs = {
      open: (...args: Parameters<typeof fs.open>) =>
        setTimeout(() => {
          fs.open(...args);
        }, 30),
      write: fs.write,
      writev: fs.writev,
      close: fs.close,
      // `flush: true` needs it; @types/node's CreateWriteStreamFSImplementation does not list it yet.
      fsync: fs.fsync,
    };
    const slowOpen = vi
      .spyOn(fs, 'createWriteStream')
      .mockImplementation((file, options) =>
        createWriteStream(file, { ...(typeof options === 'object' ? options : {}), fs: slowFs }),
      );
    try {
      const outPath = path.join(dir, 'aborted-before.json');
      const controller = new AbortController();
      controller.abort(new Error('stopped before opening'));
      await expect(HashingFileSink.open(outPath, controller.signal)).rejects.toMatchObject({
        name: 'AbortError',
      });
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(fs.existsSync(outPath)).toBe(false);
    } finally {
      slowOpen.mockRestore();
    }
  });

  it('waits for the disk to drain before taking more, and stops waiting when aborted', async () => {
    const outPath = path.join(dir, 'aborted-draining.json');
    const controller = new AbortController();
    const sink = await HashingFileSink.open(outPath, controller.signal);
    // Far above the stream's high-water mark, so the write must wait for 'drain'.
    const writing = sink.write('x'.repeat(8 * 1024 * 1024));
    controller.abort(new Error('stopped while draining'));
    await expect(writing).rejects.toThrow();
    await sink.discard();
    expect(fs.existsSync(outPath)).toBe(false);
  });
});
