import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from './annex-errors.ts';
import { AnnexHttpClient } from './annex-http-client.ts';
import { importFile, uploadBody } from './file-import.ts';
import { Project } from './project-client.ts';
import { findFreePort } from './test-utils/annex-server.ts';

// What `importFile` does before and without a server: the body it streams, and the options and paths
// it refuses before sending anything. The host is a port nothing listens on, so a request that went
// out would end in a NetworkError rather than the InvalidInputError these tests expect.

let workDir: string;
let bigFile: string;
let bigBytes: Buffer;
let nowhere: AnnexHttpClient;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'annex-file-import-'));
  bigFile = path.join(workDir, 'big.json');
  bigBytes = randomBytes(1024 * 1024 + 123);
  await writeFile(bigFile, bigBytes);
  nowhere = new AnnexHttpClient(`http://127.0.0.1:${await findFreePort()}`);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('uploadBody', () => {
  it('streams the file in pieces, counting bytes as each is taken, never the whole file at once', async () => {
    const counts: number[] = [];
    const { body } = uploadBody(bigFile, (bytes) => counts.push(bytes));

    const reader = body.getReader();
    const first = await reader.read();
    // One read gives one piece: only that piece has been taken from the file so far.
    expect(first.done).toBe(false);
    expect(first.value?.length).toBeLessThan(bigBytes.length);
    expect(counts[0]).toBeLessThan(bigBytes.length);
    const pieces: Uint8Array[] = first.value === undefined ? [] : [first.value];
    for (let next = await reader.read(); !next.done; next = await reader.read())
      pieces.push(next.value);

    expect(Buffer.concat(pieces).equals(bigBytes)).toBe(true);
    expect(pieces.length).toBeGreaterThan(4);
    expect(counts.at(-1)).toBe(bigBytes.length);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });

  it('destroy() closes the file when the answer came before the whole body was taken', async () => {
    const upload = uploadBody(bigFile);
    const reader = upload.body.getReader();
    await reader.read();

    upload.destroy();

    await expect(
      (async () => {
        for (let next = await reader.read(); !next.done; next = await reader.read());
      })(),
    ).rejects.toThrow();
  });
});

describe('importFile refuses before sending', () => {
  async function refusal(promise: Promise<unknown>): Promise<InvalidInputError> {
    const error = await promise.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }

  it('a path with no file, or a folder, naming the path', async () => {
    const missing = path.join(workDir, 'missing.json');

    const noFile = await refusal(importFile(nowhere, 'demo', 'Street', missing));
    const folder = await refusal(importFile(nowhere, 'demo', 'Street', workDir));

    expect(noFile.message).toBe(`Cannot import ${missing}: there is no such file.`);
    expect(noFile.issues).toEqual([{ field: 'path', message: 'there is no such file' }]);
    expect(folder.message).toBe(`Cannot import ${workDir}: it is not a file.`);
  });

  it('bad options, each under the name the script wrote', async () => {
    const blankDirectory = await refusal(importFile(nowhere, 'demo', '', bigFile));
    const badMode = await refusal(
      // A script in plain JavaScript can pass anything.
      importFile(nowhere, 'demo', 'Street', bigFile, { onError: 'ignore' as 'skip' }),
    );
    const badWait = await refusal(
      importFile(nowhere, 'demo', 'Street', bigFile, { wait: 'yes' as unknown as boolean }),
    );
    const badPoll = await refusal(importFile(nowhere, 'demo', 'Street', bigFile, { pollMs: 0 }));

    expect(blankDirectory.issues.map((issue) => issue.field)).toEqual(['directory']);
    expect(badMode.issues.map((issue) => issue.field)).toEqual(['onError']);
    expect(badMode.message).toMatch(/^Invalid import options: onError: /);
    expect(badWait.issues).toEqual([{ field: 'wait', message: 'must be true or false' }]);
    expect(badPoll.issues.map((issue) => issue.field)).toEqual(['pollMs']);
  });

  it('project.directory.importFile checks the same way, with the directory it was given', async () => {
    const project = new Project({ projectStringId: 'demo', host: nowhere.host });

    const error = await refusal(
      project.directory.importFile(path.join(workDir, 'nope.json'), { directory: 'Street' }),
    );

    expect(error.issues[0]?.field).toBe('path');
  });
});
