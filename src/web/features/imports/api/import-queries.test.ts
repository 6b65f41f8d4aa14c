import { partialMatchKey } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { buildImport, buildImportPage } from '../../../test-utils/builders.ts';
import {
  importListRefetchInterval,
  importPollIntervalMs,
  importQueries,
  importRefetchInterval,
} from './import-queries.ts';

describe('importQueries', () => {
  it('gives every project its own keys', () => {
    const list = importQueries.list('demo', { limit: 5 }).queryKey;
    expect(partialMatchKey(list, importQueries.lists('demo'))).toBe(true);
    expect(partialMatchKey(list, importQueries.lists('demo-2'))).toBe(false);
    expect(
      partialMatchKey(importQueries.detail('demo', 8).queryKey, importQueries.lists('demo')),
    ).toBe(false);
  });
});

describe('importRefetchInterval', () => {
  it('polls one import only until it is complete or failed', () => {
    expect(importRefetchInterval(undefined)).toBe(false);
    expect(importRefetchInterval(buildImport({ status: 'queued' }))).toBe(importPollIntervalMs);
    expect(importRefetchInterval(buildImport({ status: 'running', stage: 'writing' }))).toBe(
      importPollIntervalMs,
    );
    expect(importRefetchInterval(buildImport({ status: 'complete' }))).toBe(false);
    expect(importRefetchInterval(buildImport({ status: 'failed' }))).toBe(false);
  });

  it('polls the list only while one of its imports runs', () => {
    expect(importListRefetchInterval(undefined)).toBe(false);
    expect(importListRefetchInterval(buildImportPage([buildImport()]))).toBe(false);
    expect(
      importListRefetchInterval(
        buildImportPage([buildImport(), buildImport({ id: 9, status: 'running' })]),
      ),
    ).toBe(importPollIntervalMs);
  });
});
