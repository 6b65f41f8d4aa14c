import { describe, expect, it } from 'vitest';
import { ImportFailedError } from './annex-errors.ts';
import { AnnexHttpClient } from './annex-http-client.ts';
import { Export } from './export-handle.ts';
import { Import } from './import-handle.ts';
import { findFreePort } from './test-utils/annex-server.ts';
import { exportRecordOf, importRecordOf } from './test-utils/record-builders.ts';

// What the Export and Import handles make of a record, without a server: staleness, problems, and
// the failed import's error. The client points where nothing listens; none of this calls it.

const client = new AnnexHttpClient(`http://127.0.0.1:${await findFreePort()}`);

const problems = [
  { packet: '812', path: 'instance_list[3] › x_max', message: 'expected a number' },
  { packet: '813', path: '', message: 'unknown file type "audio"' },
  { packet: '814', path: 'file › width', message: 'expected a number' },
  { packet: null, path: 'label_map', message: 'expected an object' },
];

describe('Export staleness', () => {
  it('changesSince is the contract object; isStale is true once any count is above 0', () => {
    const changes = { files_changed: 2, files_added: 1, files_removed: 0 };

    const stale = new Export(client, exportRecordOf({ changes_since: changes }));
    const fresh = new Export(client, exportRecordOf());
    const unknown = new Export(client, exportRecordOf({ status: 'running', changes_since: null }));

    expect(stale.changesSince).toEqual(changes);
    expect(stale.isStale).toBe(true);
    expect(fresh.isStale).toBe(false);
    expect(unknown.changesSince).toBeNull();
    expect(unknown.isStale).toBe(false);
  });
});

describe('Import', () => {
  it('gives its problems as lines and says when it is final', () => {
    const running = new Import(
      client,
      importRecordOf({
        status: 'running',
        stage: 'validating',
        error_count: 2,
        errors: problems.slice(0, 2),
      }),
    );
    const done = new Import(client, importRecordOf());

    expect(running.problems).toEqual([
      'packet 812 › instance_list[3] › x_max: expected a number',
      'packet 813: unknown file type "audio"',
    ]);
    expect(running.isFinal).toBe(false);
    expect(done.isFinal).toBe(true);
    expect(done.isComplete).toBe(true);
    expect(JSON.parse(JSON.stringify(done))).toEqual(importRecordOf());
  });
});

describe('ImportFailedError', () => {
  it('says why, lists the first three problems and counts the rest', () => {
    const record = importRecordOf({
      status: 'failed',
      status_text: '250 packets have problems; nothing was written.',
      error_count: 250,
      errors: problems,
    });

    const error = new ImportFailedError(record);

    expect(error.message).toBe(
      'Import 7 failed: 250 packets have problems; nothing was written. Problems: ' +
        'packet 812 › instance_list[3] › x_max: expected a number; packet 813: unknown file type "audio"; ' +
        'packet 814 › file › width: expected a number; and 247 more.',
    );
    expect(error.code).toBe('import_failed');
    expect(error.reason).toBe('250 packets have problems; nothing was written.');
    expect(error.problems).toHaveLength(4);
    expect(error.problems[3]).toBe('file › label_map: expected an object');
    expect(error.import).toEqual(record);
  });

  it('without problems or a reason still says which import failed', () => {
    const error = new ImportFailedError(importRecordOf({ status: 'failed' }));

    expect(error.message).toBe('Import 7 failed: no reason was recorded');
  });
});
