import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ExportStorage } from './s3-export-storage.ts';
import { countCommands, startTestS3Server } from './test-s3-server.ts';
import type { TestS3Server } from './test-s3-server.ts';

// An export-sized file into an S3-compatible server, through the store the worker uses, with its
// defaults: many writes of JSON text, as the export writer makes them, become a multipart upload of
// many parts; the object is the bytes written (size and SHA-256, read back as a stream); nothing is
// written to this machine's disk on the way (no temporary copy) and memory stays flat.
//
// s3rver runs in a process of its own, so that its disk writes (it keeps each part, then the whole
// object) and its memory are not counted as the uploader's.

/** The file: 200 MB (and the end of the last page). */
const fileBytes = 200 * 1000 * 1000;
/**
 * How much more memory the uploader may hold than before it began, counted after a full garbage
 * collection (V8 heap plus Buffers), so only what is kept alive counts. What the store keeps by
 * design, whatever the file's size: the body stream (up to one 8 MiB part on its writable and on its
 * readable side), lib-storage gathering the next part (its chunks, their concatenated copy, the
 * remainder still pointing into that copy: about 3 × 8 MiB) and the 2 parts in flight: about 64 MiB;
 * measured: 65 MiB here, 50 to 115 MiB sampled over a 1.5 GB upload with no upward trend. A file kept whole adds 190 MiB or more, so
 * 150 MiB tells the two apart.
 */
const maxLiveGrowthBytes = 150 * 1024 * 1024;
/**
 * How much the process's resident memory may grow: the live memory above, plus garbage not yet
 * collected and native buffers (sockets). Measured: 115 to 140 MiB; a file kept whole would put it
 * past 300 MiB.
 */
const maxRssGrowthBytes = 220 * 1024 * 1024;
/** The most this process may write to disk meanwhile (a log line, a cache), far below one copy of the file. */
const maxDiskWriteBytes = 16 * 1024 * 1024;
/** S3ExportStorage's default part size, which this test keeps. */
const defaultPartSizeBytes = 8 * 1024 * 1024;

/**
 * A full garbage collection: the test runner starts no process with `--expose-gc`, so the flag is
 * set now and the function taken from a fresh context, where V8 defines it.
 */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** The memory kept alive now: V8's heap and the Buffers outside it, after a full collection. */
function liveBytes(): number {
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Bytes this process has caused to be written to storage so far (Linux), or null elsewhere. */
function processDiskWrites(): number | null {
  try {
    const match = /^write_bytes: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'));
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}

/**
 * Export-like text, one page of packets (about 64 KB) at a time, made as it is written and never
 * kept: packets with names, boxes and labels, some characters of several bytes in UTF-8; at least
 * `totalBytes` in all.
 */
function* exportPages(totalBytes: number): Generator<string> {
  let written = 0;
  let fileId = 0;
  const head = '{"format":"annex-export","version":1,"files":{';
  written += Buffer.byteLength(head);
  yield head;
  while (written < totalBytes) {
    let page = '';
    while (page.length < 64_000) {
      fileId += 1;
      page += `${fileId === 1 ? '' : ','}"${fileId}":{"name":"frames/${fileId}.jpg","width":1920,"height":1080,"instances":[{"label":"café ☕","box":[${fileId % 1920},${(fileId * 7) % 1080},${(fileId * 13) % 400},${(fileId * 17) % 300}],"attributes":{"occluded":${fileId % 2 === 0}}},{"label":"猫","box":[1,2,3,4]}]}`;
    }
    written += Buffer.byteLength(page);
    yield page;
  }
  yield '}}';
}

describe('S3ExportStorage: a 200 MB export on an S3-compatible server', () => {
  let server: TestS3Server;

  beforeAll(async () => {
    server = await startTestS3Server({ prefix: 'annex/', separateProcess: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it(
    'uploads it in many parts, whole and exact, with no local copy and flat memory',
    { timeout: 600_000 },
    async () => {
      const store = new S3ExportStorage(server.client, server.settings);
      const sent = countCommands(server.client);
      // Anything that would spill to a temporary file lands here, where it can be seen.
      const privateTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-large-upload-tmp-'));
      const tmpBefore = process.env.TMPDIR;
      process.env.TMPDIR = privateTmp;
      try {
        const expected = createHash('sha256');
        let expectedBytes = 0;
        const diskBefore = processDiskWrites();
        const liveBefore = liveBytes();
        let livePeak = liveBefore;
        const rssBefore = process.memoryUsage().rss;
        let rssPeak = rssBefore;
        const sampler = setInterval(() => {
          rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        }, 20);
        let writes = 0;
        let key: string;
        let closed: { sizeBytes: number; sha256: string };
        try {
          const upload = await store.openUpload(1, 'worker-large');
          let collectedAt = 0;
          for (const page of exportPages(fileBytes)) {
            expected.update(page, 'utf8');
            expectedBytes += Buffer.byteLength(page);
            await upload.write(page);
            writes += 1;
            // About once per part: what is kept alive while parts are gathered and sent.
            if (expectedBytes - collectedAt >= defaultPartSizeBytes) {
              collectedAt = expectedBytes;
              livePeak = Math.max(livePeak, liveBytes());
            }
          }
          closed = await upload.close();
          key = await upload.commit();
        } finally {
          clearInterval(sampler);
        }
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        const diskAfter = processDiskWrites();
        const sha256 = expected.digest('hex');

        expect(expectedBytes).toBeGreaterThanOrEqual(fileBytes);
        expect(expectedBytes).toBeLessThan(fileBytes + 70_000);
        expect(writes).toBeGreaterThan(3000);
        expect(closed).toEqual({ sizeBytes: expectedBytes, sha256 });
        expect(await store.stat(key)).toMatchObject({ sizeBytes: expectedBytes });

        // Many parts, each of the default size but the last, and one completion: no single PUT.
        expect(sent.get('UploadPartCommand')).toBe(Math.ceil(expectedBytes / defaultPartSizeBytes));
        expect(sent.get('CreateMultipartUploadCommand')).toBe(1);
        expect(sent.get('CompleteMultipartUploadCommand')).toBe(1);
        expect(sent.get('PutObjectCommand')).toBeUndefined();

        const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
        const liveGrowth = livePeak - liveBefore;
        expect(liveGrowth, `kept alive ${mib(liveGrowth)} more while uploading`).toBeLessThan(
          maxLiveGrowthBytes,
        );
        const rssGrowth = rssPeak - rssBefore;
        expect(rssGrowth, `RSS grew by ${mib(rssGrowth)} while uploading`).toBeLessThan(
          maxRssGrowthBytes,
        );
        if (diskBefore !== null && diskAfter !== null)
          expect(
            diskAfter - diskBefore,
            'bytes this process wrote to disk while uploading',
          ).toBeLessThan(maxDiskWriteBytes);
        expect(fs.readdirSync(privateTmp)).toEqual([]);

        // Read back as a stream (never whole in memory): the same bytes.
        const readBack = createHash('sha256');
        let readBytes = 0;
        for await (const chunk of store.openRead(key)) {
          readBack.update(chunk as Buffer);
          readBytes += (chunk as Buffer).length;
        }
        expect(readBytes).toBe(expectedBytes);
        expect(readBack.digest('hex')).toBe(sha256);
      } finally {
        if (tmpBefore === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = tmpBefore;
        fs.rmSync(privateTmp, { recursive: true, force: true });
      }
    },
  );
});
