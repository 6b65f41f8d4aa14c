import { describe, expect, it } from 'vitest';
import type { Import as ImportRecord } from '../../contract/imports.ts';
import { importRecordOf } from '../test-utils/record-builders.ts';
import { exportStatusCell, importSummaryLines, staleLine } from './record-summaries.ts';

// The words `annex` prints about staleness and an import's outcome, from records as the API sends them.

function importRecord(overrides: Partial<ImportRecord> = {}): ImportRecord {
  return importRecordOf({
    directory: { id: 3, name: 'Luckfrill copy' },
    directory_name: 'Luckfrill copy',
    original_filename: 'luckfrill.json',
    ...overrides,
  });
}

describe('staleLine', () => {
  it('counts every changed, added and removed file, and names each count', () => {
    expect(staleLine({ files_changed: 2, files_added: 1, files_removed: 1 })).toBe(
      'Stale: 4 files changed since this export (changed 2, added 1, removed 1)',
    );
    expect(staleLine({ files_changed: 0, files_added: 0, files_removed: 1 })).toBe(
      'Stale: 1 file changed since this export (changed 0, added 0, removed 1)',
    );
  });

  it('is null when nothing changed or the export does not know', () => {
    expect(staleLine({ files_changed: 0, files_added: 0, files_removed: 0 })).toBeNull();
    expect(staleLine(null)).toBeNull();
  });
});

describe('exportStatusCell', () => {
  it('marks a stale export with its count, a running one with its percent', () => {
    expect(
      exportStatusCell('complete', 100, { files_changed: 3, files_added: 0, files_removed: 0 }),
    ).toBe('complete, stale (3 changed)');
    expect(
      exportStatusCell('complete', 100, { files_changed: 0, files_added: 0, files_removed: 0 }),
    ).toBe('complete');
    expect(exportStatusCell('running', 41.6, null)).toBe('running 42%');
    expect(exportStatusCell('failed', 0, null)).toBe('failed');
  });
});

describe('importSummaryLines', () => {
  it('gives the directory, the file and every count of a complete import', () => {
    expect(importSummaryLines(importRecord())).toEqual([
      'Import 7 into directory "Luckfrill copy" (luckfrill.json, 2.0 KB): complete',
      '  files      10 created, 2 updated, 0 skipped of 12 packets',
      '  instances  340 created, 5 updated, 1 removed',
      '  labels     3 created',
    ]);
  });

  it('lists the first problems as the panel words them, and how many more there are', () => {
    const errors = [
      { packet: '812', path: 'instance_list[3] › x_max', message: 'expected a number' },
      { packet: '813', path: '', message: 'unknown file type "audio"' },
      { packet: null, path: 'label_map', message: 'expected an object' },
    ];

    const lines = importSummaryLines(
      importRecord({ on_error: 'skip', files_skipped: 2, error_count: 250, errors }),
      2,
    );

    expect(lines.slice(4)).toEqual([
      '  problems   250 (on-error skip: the bad packets were left out)',
      '    packet 812 › instance_list[3] › x_max: expected a number',
      '    packet 813: unknown file type "audio"',
      '    … and 248 more problems (--json lists the first 3)',
    ]);
  });

  it('gives a failed import its reason, and the name asked for when no directory was made', () => {
    const lines = importSummaryLines(
      importRecord({
        status: 'failed',
        directory: null,
        status_text: '1 packet has problems; nothing was written.',
        files_created: 0,
        files_updated: 0,
        original_filename: null,
        error_count: 1,
        errors: [
          { packet: '9', path: 'file › type', message: 'expected "image", "video" or "text"' },
        ],
      }),
    );

    expect(lines[0]).toBe('Import 7 into directory "Luckfrill copy" (2.0 KB): failed');
    expect(lines).toContain('  reason     1 packet has problems; nothing was written.');
    expect(lines).toContain('  problems   1');
    expect(lines.at(-1)).toBe('    packet 9 › file › type: expected "image", "video" or "text"');
  });
});
