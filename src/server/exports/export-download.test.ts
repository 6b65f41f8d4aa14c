import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../http/content-disposition.ts';
import { parseRangeHeader } from './export-download.ts';

describe('parseRangeHeader', () => {
  it.each([
    [undefined, { kind: 'full' }],
    ['bytes=0-9', { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=10-', { kind: 'partial', range: { start: 10, end: 99 } }],
    ['bytes=90-500', { kind: 'partial', range: { start: 90, end: 99 } }],
    ['bytes=-5', { kind: 'partial', range: { start: 95, end: 99 } }],
    ['bytes=-500', { kind: 'partial', range: { start: 0, end: 99 } }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    // Ignored (whole file), as RFC 9110 allows: several ranges, other units, bad syntax.
    ['bytes=0-1,5-6', { kind: 'full' }],
    ['items=0-1', { kind: 'full' }],
    ['bytes=5-2', { kind: 'full' }],
    ['bytes=-', { kind: 'full' }],
  ])('%s of a 100-byte file → %j', (header, expected) => {
    expect(parseRangeHeader(header, 100)).toEqual(expected);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII name as is, in both parameters', () => {
    expect(
      contentDisposition('inline', '12_diffgram_annotations__source_directory_Luckfrill.json'),
    ).toBe(
      `inline; filename="12_diffgram_annotations__source_directory_Luckfrill.json"; filename*=UTF-8''12_diffgram_annotations__source_directory_Luckfrill.json`,
    );
  });

  it('keeps a non-ASCII name exact in filename* and safe in the fallback', () => {
    const value = contentDisposition('attachment', `5_source_directory_Café "x"'(1).json`);
    expect(value).toBe(
      `attachment; filename="5_source_directory_Caf_ _x_'(1).json"; filename*=UTF-8''5_source_directory_Caf%C3%A9%20%22x%22%27%281%29.json`,
    );
    expect(decodeURIComponent(value.split("UTF-8''")[1] ?? '')).toBe(
      `5_source_directory_Café "x"'(1).json`,
    );
  });
});
