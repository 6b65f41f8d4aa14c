import { describe, expect, it } from 'vitest';
import { buildExport } from '../../../test-utils/builders.ts';
import {
  isStaleExport,
  regenerateRequest,
  staleBreakdown,
  staleFileCount,
  staleSentence,
} from './export-regeneration.ts';

const changes = { files_changed: 2, files_added: 1, files_removed: 0 };

describe('regenerateRequest', () => {
  it('asks for the same directory, completion filter and removed instances', () => {
    expect(
      regenerateRequest(buildExport({ ann_is_complete: false, include_removed: true })),
    ).toEqual({
      source: 'directory',
      directory_id: 10,
      ann_is_complete: false,
      include_removed: true,
    });
  });

  it('asks for the same job or task by its id', () => {
    expect(
      regenerateRequest(
        buildExport({ source: 'job', directory: null, job: { id: 21, name: 'Street scenes' } }),
      ),
    ).toEqual({ source: 'job', job_id: 21, ann_is_complete: true, include_removed: false });
    expect(
      regenerateRequest(
        buildExport({
          source: 'task',
          directory: null,
          job: { id: 21, name: 'Street scenes' },
          task: { id: 99, name: 'Street scenes / street-03.jpg' },
        }),
      ),
    ).toEqual({ source: 'task', task_id: 99, ann_is_complete: true, include_removed: false });
  });

  it('has nothing to ask for when the source was deleted', () => {
    expect(regenerateRequest(buildExport({ directory: null }))).toBeNull();
  });
});

describe('isStaleExport', () => {
  it('is true only for a complete export with some change counted', () => {
    expect(isStaleExport(buildExport({ changes_since: changes }))).toBe(true);
    expect(
      isStaleExport(
        buildExport({ changes_since: { files_changed: 0, files_added: 0, files_removed: 0 } }),
      ),
    ).toBe(false);
    expect(isStaleExport(buildExport({ changes_since: null }))).toBe(false);
    expect(isStaleExport(buildExport({ status: 'failed', changes_since: changes }))).toBe(false);
  });
});

describe('the stale sentence', () => {
  it('counts changed, added and removed files together', () => {
    expect(staleFileCount({ files_changed: 2, files_added: 1, files_removed: 4 })).toBe(7);
    expect(staleSentence(changes)).toBe('3 files changed since this export');
    expect(staleSentence({ files_changed: 0, files_added: 0, files_removed: 1 })).toBe(
      '1 file changed since this export',
    );
    expect(staleBreakdown({ files_changed: 1200, files_added: 1, files_removed: 0 })).toBe(
      '1,200 changed · 1 added · 0 removed',
    );
  });
});
