/** A range of the pretty-printed text that can fold: the inside of one top-level entry's object or list. */
export interface TopLevelRange {
  /** The entry's key: a metadata name (`readme`, `label_map`, …) or a file id. */
  key: string;
  /** Just after the opening `{` or `[`. */
  from: number;
  /** At the closing `}` or `]`. */
  to: number;
}

/** The pretty-printed export file and what the preview needs to navigate it. */
export interface PrettyPrintResult {
  /** The JSON, indented two spaces, keys and numbers exactly as the file had them. */
  text: string;
  /** Lines in `text`. */
  lineCount: number;
  /** Every top-level entry whose value is an object or list, in file order. */
  topLevelRanges: TopLevelRange[];
}

/** Raised when the text is not JSON; the message says where it breaks. */
export class PrettyPrintError extends Error {
  override name = 'PrettyPrintError';
}

const literalPattern = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function isDelimiter(code: number): boolean {
  // , : { } [ ] " and whitespace end a literal.
  return (
    isWhitespace(code) ||
    code === 0x2c ||
    code === 0x3a ||
    code === 0x7b ||
    code === 0x7d ||
    code === 0x5b ||
    code === 0x5d ||
    code === 0x22
  );
}

/** Index of the quote closing the string that opens at `start`, or -1. */
function stringEnd(source: string, start: number): number {
  let search = start + 1;
  for (;;) {
    const quote = source.indexOf('"', search);
    if (quote === -1) return -1;
    let backslashes = 0;
    for (let k = quote - 1; k > start && source.charCodeAt(k) === 0x5c; k -= 1) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    search = quote + 1;
  }
}

/**
 * Re-indents JSON text without building its objects: JSON.parse would reorder integer keys (file ids
 * would jump ahead of `readme`) and round large numbers, and the preview must show the file as written.
 * One pass, linear in the size. It checks what would garble the layout (brackets, strings, literals)
 * and throws PrettyPrintError there; it is a formatter, not a full validator.
 */
export function prettyPrintJson(source: string, indentWidth = 2): PrettyPrintResult {
  const indents: string[] = [];
  const newline = (depth: number): string => {
    indents[depth] ??= `\n${' '.repeat(depth * indentWidth)}`;
    return indents[depth];
  };

  // Joining pieces in blocks keeps the array small for files of hundreds of megabytes.
  const blocks: string[] = [];
  let pieces: string[] = [];
  let length = 0;
  let lineCount = 1;
  const emit = (piece: string, newlines = 0): void => {
    pieces.push(piece);
    length += piece.length;
    lineCount += newlines;
    if (pieces.length >= 65_536) {
      blocks.push(pieces.join(''));
      pieces = [];
    }
  };

  const stack: number[] = [];
  const topLevelRanges: TopLevelRange[] = [];
  let rootIsObject = false;
  let expectKey = false;
  let currentKey = '';
  let openEntry: { key: string; from: number } | undefined;
  let sawValue = false;
  const size = source.length;
  let i = 0;

  const fail = (what: string, at: number): never => {
    throw new PrettyPrintError(`The file is not valid JSON: ${what} at character ${at + 1}.`);
  };

  while (i < size) {
    const code = source.charCodeAt(i);
    if (isWhitespace(code)) {
      i += 1;
      continue;
    }
    if (stack.length === 0 && sawValue) fail('text after the end of the JSON value', i);

    if (code === 0x22) {
      const end = stringEnd(source, i);
      if (end === -1) fail('a string that never closes', i);
      const piece = source.slice(i, end + 1);
      if (expectKey) {
        if (stack.length === 1) currentKey = piece.slice(1, -1);
        expectKey = false;
      }
      emit(piece);
      if (stack.length === 0) sawValue = true;
      i = end + 1;
      continue;
    }

    if (code === 0x7b || code === 0x5b) {
      const closer = code === 0x7b ? 0x7d : 0x5d;
      let next = i + 1;
      while (next < size && isWhitespace(source.charCodeAt(next))) next += 1;
      if (stack.length === 0) rootIsObject = code === 0x7b;
      if (source.charCodeAt(next) === closer) {
        emit(code === 0x7b ? '{}' : '[]');
        if (stack.length === 0) sawValue = true;
        i = next + 1;
        continue;
      }
      stack.push(closer);
      emit(code === 0x7b ? '{' : '[');
      if (stack.length === 2 && rootIsObject) openEntry = { key: currentKey, from: length };
      emit(newline(stack.length), 1);
      expectKey = code === 0x7b;
      i += 1;
      continue;
    }

    if (code === 0x7d || code === 0x5d) {
      if (stack.pop() !== code) fail(`an unexpected "${source[i] ?? ''}"`, i);
      emit(newline(stack.length), 1);
      if (stack.length === 1 && openEntry !== undefined) {
        topLevelRanges.push({ key: openEntry.key, from: openEntry.from, to: length });
        openEntry = undefined;
      }
      emit(code === 0x7d ? '}' : ']');
      if (stack.length === 0) sawValue = true;
      i += 1;
      continue;
    }

    if (code === 0x2c) {
      if (stack.length === 0) fail('a comma outside any object or list', i);
      emit(',');
      emit(newline(stack.length), 1);
      expectKey = stack[stack.length - 1] === 0x7d;
      i += 1;
      continue;
    }

    if (code === 0x3a) {
      emit(': ');
      i += 1;
      continue;
    }

    let end = i;
    while (end < size && !isDelimiter(source.charCodeAt(end))) end += 1;
    const literal = source.slice(i, end);
    if (!literalPattern.test(literal)) fail(`an unknown value "${literal.slice(0, 20)}"`, i);
    emit(literal);
    if (stack.length === 0) sawValue = true;
    i = end;
  }

  if (stack.length > 0) {
    throw new PrettyPrintError(
      'The file ends before its JSON does: it may have been cut off. Generate it again.',
    );
  }
  if (!sawValue) throw new PrettyPrintError('The file is empty.');
  blocks.push(pieces.join(''));
  return { text: blocks.join(''), lineCount, topLevelRanges };
}

/** Chunks of about this many characters cross from the worker to the page, one message each. */
export const chunkCharacters = 1 << 20;

/**
 * Cuts text into pieces of about `size` characters, each ending just after a newline (the last
 * excepted), so every piece starts a line: the page can append them to the editor one by one, in
 * short tasks, instead of taking one very long string at once.
 */
export function splitIntoChunks(text: string, size = chunkCharacters): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const newline = text.indexOf('\n', end);
      end = newline === -1 ? text.length : newline + 1;
    }
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}
