import { describe, expect, it } from 'vitest';
import {
  isRetentionOn,
  RetentionJudge,
  retentionPolicyOf,
  retentionSourceKey,
} from './export-retention.ts';
import type { RetentionCandidate } from './export-retention.ts';

const now = new Date('2025-06-01T00:00:00.000Z');

function candidate(id: number, overrides: Partial<RetentionCandidate> = {}): RetentionCandidate {
  return {
    id,
    project_id: 1,
    kind: 'Annotations',
    source: 'directory',
    directory_id: 7,
    job_id: null,
    task_id: null,
    ann_is_complete: 1,
    include_removed: 0,
    status: 'complete',
    created_time: '2025-05-31T00:00:00.000Z',
    ...overrides,
  };
}

describe('retention rules', () => {
  it('reads the policy from the configuration; off when neither setting is set', () => {
    const off = retentionPolicyOf({});
    expect(off).toEqual({ retentionDays: null, keepPerSource: null });
    expect(isRetentionOn(off)).toBe(false);
    expect(isRetentionOn(retentionPolicyOf({ EXPORT_KEEP_PER_SOURCE: 3 }))).toBe(true);
    expect(isRetentionOn(retentionPolicyOf({ EXPORT_RETENTION_DAYS: 7 }))).toBe(true);
  });

  it('tells sources apart by project, source, its id and both settings', () => {
    const base = retentionSourceKey(candidate(1));
    expect(retentionSourceKey(candidate(2, { status: 'failed' }))).toBe(base);
    for (const other of [
      { project_id: 2 },
      { source: 'job', directory_id: null, job_id: 7 },
      { directory_id: 8 },
      { ann_is_complete: 0 },
      { include_removed: 1 },
    ] as const)
      expect(retentionSourceKey(candidate(3, other)), JSON.stringify(other)).not.toBe(base);
  });

  it('judges newest first only, and refuses an export out of order', () => {
    const judge = new RetentionJudge({ retentionDays: null, keepPerSource: 1 }, now);
    expect(judge.judge(candidate(10))).toBeNull();
    expect(() => judge.judge(candidate(10))).toThrow(
      'Retention judges exports newest first; 10 came after 10',
    );
  });

  it('counts an export exactly the retention days old as young enough', () => {
    const judge = new RetentionJudge({ retentionDays: 30, keepPerSource: null }, now);
    expect(judge.judge(candidate(10))).toBeNull(); // the newest complete
    expect(judge.judge(candidate(9, { created_time: '2025-05-02T00:00:00.000Z' }))).toBeNull();
    expect(judge.judge(candidate(8, { created_time: '2025-05-01T23:59:59.999Z' }))).toEqual({
      reason: 'age',
      newerFinished: 2,
      keptCompleteId: 10,
    });
  });
});
