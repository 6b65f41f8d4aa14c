import type { TextToken } from '../../contract/export-file.ts';

// The tokens of a text file: what `text_token` instances point into (by token id and character
// offset). The seed and the write API split text the same way, so a text made either way exports
// the same tokens.

export type { TextToken };

/** Splits text into whitespace-separated tokens with their character offsets (end exclusive). */
export function tokenize(text: string): TextToken[] {
  return [...text.matchAll(/\S+/g)].map((match, id) => ({
    id,
    text: match[0],
    start_char: match.index,
    end_char: match.index + match[0].length,
  }));
}
