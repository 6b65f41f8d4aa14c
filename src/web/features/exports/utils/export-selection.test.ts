import { describe, expect, it } from 'vitest';
import {
  initialSelection,
  preselectFromSearchParams,
  toCreateExportRequest,
  toPreflightQuery,
} from './export-selection.ts';

describe('preselectFromSearchParams', () => {
  it('reads ?job_id= and ?task_id=, the task winning', () => {
    expect(preselectFromSearchParams(new URLSearchParams('job_id=4'))).toEqual({
      source: 'job',
      id: 4,
    });
    expect(preselectFromSearchParams(new URLSearchParams('task_id=9&job_id=4'))).toEqual({
      source: 'task',
      id: 9,
    });
  });

  it('ignores anything that is not a positive integer', () => {
    for (const search of [
      '',
      'job_id=',
      'job_id=0',
      'job_id=-3',
      'job_id=2.5',
      'task_id=abc',
      'job_id=1e3',
    ]) {
      expect(preselectFromSearchParams(new URLSearchParams(search))).toBeNull();
    }
  });
});

describe('one id per source', () => {
  it('sends only the chosen source’s id, under the contract’s field name', () => {
    const selection = {
      ...initialSelection({ source: 'job', id: 21 }, 10),
      taskId: 99,
    };
    expect(toPreflightQuery(selection)).toEqual({
      source: 'job',
      job_id: 21,
      ann_is_complete: 'true',
      include_removed: 'false',
    });
    expect(toCreateExportRequest(selection, 7)).toEqual({
      source: 'job',
      job_id: 21,
      ann_is_complete: true,
      include_removed: false,
      expected_file_count: 7,
    });
  });

  it('has nothing to send while the source is incomplete', () => {
    const selection = initialSelection({ source: 'job', id: 21 }, 10);
    const noJob = { ...selection, jobId: null };
    expect(toPreflightQuery(noJob)).toBeNull();
    expect(toCreateExportRequest(noJob, undefined)).toBeNull();
  });
});
