import { describe, expect, it } from 'vitest';
import { byteSizeWords } from './byte-size-words.ts';

describe('byteSizeWords', () => {
  it.each([
    [1, '1 byte'],
    [37, '37 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KiB'],
    [4096, '4 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024, '1 MiB'],
    [64 * 1024 * 1024, '64 MiB'],
    [10 * 1024 ** 3, '10 GiB'],
  ])('says %d bytes as %s', (bytes, words) => {
    expect(byteSizeWords(bytes)).toBe(words);
  });
});
