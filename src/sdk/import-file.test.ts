import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ImportFailedError,
  InvalidImportFileError,
  InvalidInputError,
} from './annex-errors.ts';
import type { ImportFileProgress } from './file-import.ts';
import type { Import } from './import-handle.ts';
import { Project } from './project-client.ts';
import { useDemoProject } from './test-utils/demo-project.ts';
import { writeImportFixtures } from './test-utils/import-fixtures.ts';
import type { ImportFixtures } from './test-utils/import-fixtures.ts';

// `project.directory.importFile()` against a real server with the demo: files made from the server's
// own export of Luckfrill, imported into new directories (these tests need the import route,
// `POST /api/v1/projects/:project/imports`, and its worker).

const demo = useDemoProject();
let workDir: string;
let fixtures: ImportFixtures;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'annex-import-'));
  fixtures = await writeImportFixtures(demo.project, workDir);
}, 120_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function fileCountOf(project: Project, name: string): Promise<number | undefined> {
  const directories = await project.directory.list();
  return directories.find((directory) => directory.nickname === name)?.file_count;
}

describe('importing a Diffgram JSON file', () => {
  let first: Import;

  it('streams it, waits, and returns the complete import with its counts; the directory is made', async () => {
    const progress: ImportFileProgress[] = [];

    first = await demo.project.directory.importFile(fixtures.good, {
      directory: 'Luckfrill copy',
      pollMs: 100,
      onProgress: (event) => progress.push(event),
    });

    expect(first.status).toBe('complete');
    expect(first.directory_name).toBe('Luckfrill copy');
    expect(first.original_filename).toBe('luckfrill.json');
    expect(first.on_error).toBe('fail');
    expect(first.packet_count).toBe(fixtures.packetKeys.length);
    expect(first.files_created).toBe(fixtures.packetKeys.length);
    expect(first.files_updated).toBe(0);
    expect(first.instances_created).toBeGreaterThan(0);
    expect(first.error_count).toBe(0);
    expect(first.problems).toEqual([]);
    expect(await fileCountOf(demo.project, 'Luckfrill copy')).toBe(fixtures.packetKeys.length);

    // Upload bytes first, rising to the file's size, then the import as it is read, ending complete.
    const uploads = progress.filter((event) => event.phase === 'upload');
    const phases = progress.map((event) => event.phase);
    expect(uploads.length).toBeGreaterThan(0);
    expect(phases.lastIndexOf('upload')).toBeLessThan(phases.indexOf('import'));
    expect(uploads.at(-1)?.bytes).toBe(first.size_bytes);
    expect(uploads.every((event) => event.totalBytes === first.size_bytes)).toBe(true);
    const last = progress.at(-1);
    expect(last?.phase === 'import' ? last.import.status : undefined).toBe('complete');
  }, 120_000);

  it('again into the same directory updates those files in place: nothing is duplicated', async () => {
    const directory = await demo.project.directory.getByName('Luckfrill copy');

    const again = await directory.importFile(fixtures.good, { pollMs: 100 });

    expect(again.id).not.toBe(first.id);
    expect(again.files_created).toBe(0);
    // The same file: every file is matched and none changed, so none is counted as updated.
    expect(again.files_updated).toBe(0);
    expect(await fileCountOf(demo.project, 'Luckfrill copy')).toBe(fixtures.packetKeys.length);
  }, 120_000);

  it('project.import finds it by id and lists it, newest first', async () => {
    const found = await demo.project.import.getById(first.id);
    const listed: Import[] = [];
    for await (const item of demo.project.import.list({ limit: 1 })) listed.push(item);

    expect(found.toJSON()).toEqual(first.toJSON());
    expect(listed.map((item) => item.id)).toContain(first.id);
    const ids = listed.map((item) => item.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    await expect(demo.project.import.getById(987_654)).rejects.toThrow(/987654/);
  }, 60_000);

  it("without a directory goes into the project's default one", async () => {
    const defaultDirectory = await demo.project.directory.default();

    const imported = await demo.project.directory.importFile(fixtures.good, { pollMs: 100 });

    expect(imported.directory?.id).toBe(defaultDirectory.id);
    expect(imported.directory_name).toBe(defaultDirectory.nickname);
  }, 120_000);

  it('wait: false returns the import as soon as the server has the file; waitUntilDone follows it', async () => {
    const queued = await demo.project.directory.importFile(fixtures.good, {
      directory: 'Luckfrill later',
      wait: false,
    });

    expect(['queued', 'running', 'complete']).toContain(queued.status);
    await queued.waitUntilDone({ pollMs: 100 });
    expect(queued.status).toBe('complete');
    expect(queued.files_created).toBe(fixtures.packetKeys.length);
  }, 120_000);
});

describe('a file with a bad packet', () => {
  it('fails the import with nothing written: ImportFailedError with the record and the problem where it is', async () => {
    const error = await demo.project.directory
      .importFile(fixtures.broken, { directory: 'Broken, failed', pollMs: 100 })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ImportFailedError);
    const failed = error as ImportFailedError;
    expect(failed.import.status).toBe('failed');
    expect(failed.import.files_created).toBe(0);
    expect(failed.import.error_count).toBeGreaterThan(0);
    expect(failed.problems[0]).toMatch(
      new RegExp(
        `^packet ${fixtures.brokenKey} › ${fixtures.brokenPath.replace(/[[\]]/g, '\\$&')}: `,
      ),
    );
    expect(failed.message).toContain(`Import ${failed.import.id} failed: `);
    expect(failed.message).toContain(failed.problems[0]);
    expect((await fileCountOf(demo.project, 'Broken, failed')) ?? 0).toBe(0);
  }, 120_000);

  it('with onError: skip imports the rest and reports the bad packet as skipped', async () => {
    const imported = await demo.project.directory.importFile(fixtures.broken, {
      directory: 'Broken, skipped',
      onError: 'skip',
      pollMs: 100,
    });

    expect(imported.status).toBe('complete');
    expect(imported.on_error).toBe('skip');
    expect(imported.files_skipped).toBe(1);
    expect(imported.files_created).toBe(fixtures.packetKeys.length - 1);
    expect(imported.problems[0]).toMatch(new RegExp(`^packet ${fixtures.brokenKey} › `));
    expect(await fileCountOf(demo.project, 'Broken, skipped')).toBe(fixtures.packetKeys.length - 1);
  }, 120_000);
});

describe('refusals', () => {
  it('a file that is not Diffgram JSON is refused at once: InvalidImportFileError, the server saying why', async () => {
    const error = await demo.project.directory
      .importFile(fixtures.notDiffgram, { directory: 'Not Diffgram' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidImportFileError);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidImportFileError).code).toBe('invalid_import_file');
    expect((error as InvalidImportFileError).httpStatus).toBe(400);
    expect((error as Error).message.length).toBeGreaterThan(10);
  }, 60_000);

  it('a refused key is an AuthenticationError even when the server answers before taking the whole file', async () => {
    const big = path.join(workDir, 'big.json');
    // 8 MB: more than the connection's buffers hold, so the answer comes while the body is still going.
    await writeFile(big, `{"pad":"${'x'.repeat(8 * 1024 * 1024)}"}`);
    const stranger = new Project({
      projectStringId: 'demo',
      host: demo.server.host,
      clientId: demo.credentials.clientId,
      clientSecret: 'not-the-secret',
    });

    const error = await stranger.directory
      .importFile(big, { directory: 'Nope' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AuthenticationError);
  }, 60_000);
});
