import { describe, expect, it } from 'vitest';
import { retentionPolicyText } from './export-storage.ts';

describe('retentionPolicyText', () => {
  it('says nothing when no retention is set', () => {
    expect(retentionPolicyText({ retention_days: null, keep_per_source: null })).toBeNull();
  });

  it('names the age, the keep count, or both, and the export that always stays', () => {
    const always = 'the newest complete export of each source always stays.';
    expect(retentionPolicyText({ retention_days: 30, keep_per_source: null })).toBe(
      `Retention: exports older than 30 days are archived automatically and their files deleted; ${always}`,
    );
    expect(retentionPolicyText({ retention_days: null, keep_per_source: 5 })).toBe(
      `Retention: all but the newest 5 exports of each source are archived automatically and their files deleted; ${always}`,
    );
    expect(retentionPolicyText({ retention_days: 1, keep_per_source: 1 })).toBe(
      `Retention: exports older than 1 day and all but the newest export of each source are archived automatically and their files deleted; ${always}`,
    );
  });
});
