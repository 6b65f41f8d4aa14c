import { describe, expect, it } from 'vitest';
import {
  ExportFailedError,
  InvalidInputError,
  NetworkError,
  NotFoundError,
} from './annex-errors.ts';
import { generateExport } from './export-generator.ts';
import { Project } from './project-client.ts';
import { findFreePort } from './test-utils/annex-server.ts';
import { clientAs, demoProjectAs, useDemoProject } from './test-utils/demo-project.ts';
import { queueFailingExport } from './test-utils/failing-export.ts';

// The Project client's errors against a real server with the demo: what is missing, unreachable,
// refused or failed arrives as the error class a script catches, saying why. The calls that succeed
// are in project-client.test.ts.

const demo = useDemoProject();

describe('errors', () => {
  it('an unknown job is a NotFoundError that names it and lists the jobs', async () => {
    const error = await demo.project.job.getById(987_654).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('not_found');
    expect((error as Error).message).toMatch(/No job 987654 in project "demo"/);
    expect((error as Error).message).toContain('Street scenes, round 1');
  });

  it('an unknown directory, export or project is a NotFoundError with the server message', async () => {
    await expect(demo.project.directory.getByName('Nowhere')).rejects.toThrow(
      /No directory "Nowhere".*Luckfrill/,
    );
    await expect(demo.project.directory.getById(987_654)).rejects.toThrow(NotFoundError);

    const missingExport = await demo.project.export
      .getById(987_654)
      .catch((caught: unknown) => caught);
    expect(missingExport).toBeInstanceOf(NotFoundError);
    expect((missingExport as NotFoundError).httpStatus).toBe(404);
    expect((missingExport as Error).message).toContain('987654');

    const stranger = demoProjectAs(demo.server, demo.credentials, 'no-such-project');
    await expect(stranger.job.getById(1)).rejects.toThrow(NotFoundError);
    await expect(stranger.directory.default()).rejects.toThrow(/no-such-project/);
    // annex answers 404, not 403, for a project the account is not in: the message says so.
    await expect(stranger.details()).rejects.toThrow(
      /Project "no-such-project" was not found\. If it does exist, your account \(API key \S+\) is not a member of it/,
    );
  });

  it('a host where nothing listens is a NetworkError that names the host', async () => {
    const port = await findFreePort();
    const nowhere = new Project({ projectStringId: 'demo', host: `http://127.0.0.1:${port}` });

    const error = await nowhere.job.getById(1).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('network_error');
    expect((error as Error).message).toContain(
      `Could not reach annex at http://127.0.0.1:${port}: is it running?`,
    );
  });

  it('bad input is an InvalidInputError naming the field, before anything is sent', async () => {
    expect(() => new Project({ projectStringId: '' })).toThrow(InvalidInputError);
    expect(() => new Project({ projectStringId: 'demo', host: 'ftp://example.com' })).toThrow(
      /http:\/\/ or https:\/\//,
    );
    expect(() => new Project({ projectStringId: 'demo', host: 'not a url' })).toThrow(
      /host must be a URL/,
    );
    await expect(demo.project.job.getById(0)).rejects.toThrow(/positive integer/);
    await expect(demo.project.job.getById(1.5)).rejects.toThrow(InvalidInputError);
    await expect(demo.project.directory.getByName('  ')).rejects.toThrow(InvalidInputError);

    const badOption = await demo.streetJob
      .generateExport({ returnType: 'csv' as 'url' })
      .catch((caught: unknown) => caught);
    expect(badOption).toBeInstanceOf(InvalidInputError);
    expect((badOption as InvalidInputError).issues.map((issue) => issue.field)).toEqual([
      'returnType',
    ]);

    const exp = await demo.streetJob.generateExport({ waitForExportGeneration: false });
    await expect(exp.waitUntilDone({ pollMs: 0 })).rejects.toThrow(/pollMs/);
    await expect(exp.accessData({ returnType: 'xml' as 'url' })).rejects.toThrow(InvalidInputError);
  });

  it("the server's refusals arrive as InvalidInputError with its field issues", async () => {
    const client = clientAs(demo.server, demo.credentials);

    const error = await client
      .send({
        method: 'POST',
        path: '/api/v1/projects/demo/exports',
        body: { source: 'directory', directory_id: 987_654 },
      })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).httpStatus).toBe(400);
    expect((error as InvalidInputError).issues.map((issue) => issue.field)).toContain(
      'body.directory_id',
    );
    expect((error as Error).message).toContain('987654');
  });

  it('a failed export is an ExportFailedError carrying its status_text, whether waited for or asked for its file', async () => {
    const record = await queueFailingExport(demo.server, 'demo');
    const exp = await demo.project.export.getById(record.id);

    const waited = await exp.waitUntilDone({ pollMs: 50 }).catch((caught: unknown) => caught);

    expect(waited).toBeInstanceOf(ExportFailedError);
    expect(exp.status).toBe('failed');
    expect(exp.status_text).toEqual(expect.any(String));
    expect((waited as ExportFailedError).message).toBe(exp.status_text);
    expect((waited as ExportFailedError).export.id).toBe(exp.id);
    await expect(exp.accessData()).rejects.toThrow(ExportFailedError);
  });

  it('a link or the data of a failed export is the server\'s 409 export_failed: "This export failed: <status_text>"', async () => {
    const record = await queueFailingExport(demo.server, 'demo');
    const exp = await demo.project.export.getById(record.id);
    await exp.waitUntilDone({ pollMs: 50 }).catch(() => undefined);

    for (const asked of [
      () => exp.getLink(),
      () => exp.accessData(),
      () => exp.accessData({ returnType: 'url' }),
    ]) {
      const error = await asked().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ExportFailedError);
      expect((error as ExportFailedError).httpStatus).toBe(409);
      expect((error as ExportFailedError).code).toBe('export_failed');
      expect((error as Error).message).toBe(`This export failed: ${exp.status_text ?? ''}`);
      expect((error as ExportFailedError).export.status).toBe('failed');
    }
  });

  it("a blocking export that fails is the server's 422, an ExportFailedError saying why", async () => {
    const record = await queueFailingExport(demo.server, 'demo');
    const taskId = record.task?.id;
    if (taskId === undefined) throw new Error('the failing export has no task');

    const error = await generateExport(
      clientAs(demo.server, demo.credentials),
      'demo',
      { source: 'task', id: taskId },
      {},
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ExportFailedError);
    expect((error as ExportFailedError).httpStatus).toBe(422);
    expect((error as ExportFailedError).code).toBe('export_failed');
    expect((error as ExportFailedError).export.status).toBe('failed');
    expect((error as Error).message).toBe((error as ExportFailedError).export.status_text);
  });
});
