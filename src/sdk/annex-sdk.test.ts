import { describe, expect, it } from 'vitest';
import * as annex from 'annex';
import type { ExportFile, ExportRecord, ExportStatus } from 'annex';
import { Export as ExportHandle } from './export-handle.ts';
import { Project as ProjectClient } from './project-client.ts';

// A script writes `import { Project } from 'annex'` (package.json "exports", resolved by the package's
// own name): this test imports it the same way, so losing a name from the entry turns it red.

describe("the SDK's public entry, 'annex'", () => {
  it('offers Project, the Export handle and every error class, and no more values than that', () => {
    expect(Object.keys(annex).sort()).toEqual(
      [
        'AnnexError',
        'AuthenticationError',
        'Directory',
        'Export',
        'ExportCancelledError',
        'ExportFailedError',
        'ExportNotReadyError',
        'ExportTimeoutError',
        'Import',
        'ImportFailedError',
        'ImportTimeoutError',
        'InvalidImportFileError',
        'InvalidInputError',
        'Job',
        'NetworkError',
        'NotFoundError',
        'PermissionError',
        'Project',
        'ProjectDirectories',
        'ProjectExports',
        'ProjectImports',
        'ProjectJobs',
        'RateLimitedError',
        'defaultAnnexHost',
        'defaultPollMs',
        'defaultWaitTimeoutMs',
      ].sort(),
    );
  });

  it('is the same code as the modules behind it, not a copy', () => {
    expect(annex.Project).toBe(ProjectClient);
    expect(annex.Export).toBe(ExportHandle);
  });

  it('builds a Project as the README shows, without talking to a server yet', () => {
    const project = new annex.Project({
      projectStringId: 'demo',
      host: 'http://127.0.0.1:8080/',
      clientId: 'annex_readme',
      clientSecret: 'readme-secret',
    });

    expect(project.projectStringId).toBe('demo');
    expect(project.clientId).toBe('annex_readme');
    expect(project.host).toBe('http://127.0.0.1:8080');
    expect(typeof project.job.getById).toBe('function');
    expect(typeof project.directory.default).toBe('function');
    expect(typeof project.export.list).toBe('function');
    expect(typeof project.directory.importFile).toBe('function');
    expect(typeof project.import.getById).toBe('function');
  });

  it('throws its typed errors, each an AnnexError', () => {
    let caught: unknown;
    try {
      new annex.Project({ projectStringId: '' });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(annex.InvalidInputError);
    expect(caught).toBeInstanceOf(annex.AnnexError);
    for (const ErrorClass of [
      annex.NotFoundError,
      annex.InvalidInputError,
      annex.ExportNotReadyError,
      annex.ExportFailedError,
      annex.ExportTimeoutError,
      annex.ImportFailedError,
      annex.ImportTimeoutError,
      annex.InvalidImportFileError,
      annex.NetworkError,
      annex.AuthenticationError,
      annex.PermissionError,
      annex.RateLimitedError,
    ]) {
      expect(ErrorClass.prototype).toBeInstanceOf(annex.AnnexError);
    }
  });

  it('carries the contract types a script sees (checked by tsc)', () => {
    const status: ExportStatus = 'complete';
    const countFiles = (file: ExportFile): number => file.export_info.file_list_length;
    const idOf = (record: ExportRecord): number => record.id;

    expect(status).toBe('complete');
    expect(typeof countFiles).toBe('function');
    expect(typeof idOf).toBe('function');
  });
});
