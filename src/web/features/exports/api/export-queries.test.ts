import { partialMatchKey } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { buildExport } from '../../../test-utils/builders.ts';
import { exportPollIntervalMs, exportQueries, exportRefetchInterval } from './export-queries.ts';

describe('exportQueries', () => {
  it('gives every project its own keys: one project’s prefix never matches another’s', () => {
    const demoList = exportQueries.list('demo', { limit: 25 }).queryKey;
    expect(partialMatchKey(demoList, exportQueries.lists('demo'))).toBe(true);
    expect(partialMatchKey(demoList, exportQueries.all('demo'))).toBe(true);
    expect(partialMatchKey(demoList, exportQueries.lists('demo-2'))).toBe(false);
    expect(
      partialMatchKey(exportQueries.detail('demo', 4).queryKey, exportQueries.lists('demo')),
    ).toBe(false);
  });

  it('matches a first page by its missing cursor, at any page size', () => {
    const firstPages = exportQueries.firstPages('demo');
    expect(partialMatchKey(exportQueries.list('demo', { limit: 25 }).queryKey, firstPages)).toBe(
      true,
    );
    expect(
      partialMatchKey(
        exportQueries.list('demo', { cursor: undefined, limit: 10 }).queryKey,
        firstPages,
      ),
    ).toBe(true);
    expect(
      partialMatchKey(
        exportQueries.list('demo', { cursor: '175', limit: 25 }).queryKey,
        firstPages,
      ),
    ).toBe(false);
  });
});

describe('exportRefetchInterval', () => {
  it('polls one export only until it is complete or failed', () => {
    expect(exportRefetchInterval(undefined)).toBe(false);
    expect(exportRefetchInterval(buildExport({ status: 'queued' }))).toBe(exportPollIntervalMs);
    expect(exportRefetchInterval(buildExport({ status: 'running' }))).toBe(exportPollIntervalMs);
    expect(exportRefetchInterval(buildExport({ status: 'complete' }))).toBe(false);
    expect(exportRefetchInterval(buildExport({ status: 'failed' }))).toBe(false);
  });
});
