import { describe, expect, it } from 'vitest';
import { tokenize } from './text-tokens.ts';

describe('tokenize', () => {
  it('gives each whitespace-separated token its id and character offsets', () => {
    expect(tokenize('  A cat\tsat. ')).toEqual([
      { id: 0, text: 'A', start_char: 2, end_char: 3 },
      { id: 1, text: 'cat', start_char: 4, end_char: 7 },
      { id: 2, text: 'sat.', start_char: 8, end_char: 12 },
    ]);
  });

  it('gives text with no words no tokens', () => {
    expect(tokenize(' \n\t ')).toEqual([]);
  });
});
