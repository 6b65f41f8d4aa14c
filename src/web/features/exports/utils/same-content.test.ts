import { describe, expect, it } from 'vitest';
import { buildExport } from '../../../test-utils/builders.ts';
import { sameContentAs } from './same-content.ts';

const hash = (digit: string) => digit.repeat(64);

describe('sameContentAs', () => {
  it('names the newest older export with the same source, settings and content, whatever the list order', () => {
    const exports = [
      buildExport({ id: 9, content_sha256: hash('a') }),
      buildExport({ id: 7, content_sha256: hash('a') }),
      buildExport({ id: 3, content_sha256: hash('a') }),
    ];
    expect(sameContentAs(exports)).toEqual(
      new Map([
        [9, 7],
        [7, 3],
      ]),
    );
  });

  it('says nothing across content, settings, sources, or for exports without a hash', () => {
    const base = { content_sha256: hash('a') };
    const exports = [
      buildExport({ id: 1, ...base }),
      buildExport({ id: 2, content_sha256: hash('b') }),
      buildExport({ id: 3, ...base, ann_is_complete: false }),
      buildExport({ id: 4, ...base, include_removed: true }),
      buildExport({ id: 5, ...base, directory: { id: 11, name: 'Night drives' } }),
      buildExport({
        id: 6,
        ...base,
        source: 'job',
        directory: null,
        job: { id: 10, name: 'Street scenes' },
      }),
      buildExport({ id: 7, content_sha256: null }),
      buildExport({ id: 8, ...base, status: 'failed', status_text: 'no' }),
      buildExport({ id: 9, ...base, directory: null }),
      buildExport({ id: 10, ...base, directory: null }),
    ];
    expect(sameContentAs(exports)).toEqual(new Map());
  });
});
