import type { Readable } from 'node:stream';
import { TokenParser, Tokenizer } from '@streamparser/json';
import type { ParsedTokenInfo } from '@streamparser/json';

// Reads a stored JSON file that holds one object (an export file, an uploaded import) as its
// top-level entries, one chunk of the file at a time, so memory holds one chunk's entries, never
// the file: the parser keeps no value once it has handed it over (`keepStack: false`). The export
// readers (spot check, diff) and the import reader share it; each words its own errors and adds
// its own checks through the hooks.

/** One top-level entry of the file: a metadata value or a packet, by its key. */
export interface JsonObjectEntry {
  /** The top-level key. */
  key: string;
  /** The value, as JSON.parse would give it. */
  value: unknown;
}

/** What a reader says when the file is not one JSON object, in its own words. */
export interface JsonObjectReadErrors {
  /** The bytes are not JSON; `detail` is the parser's message. */
  invalidJson(detail: string, cause: unknown): Error;
  /** The top-level value is a list. */
  notAnObject(): Error;
  /** The file ends inside its JSON, after `bytesRead` bytes. */
  cutShort(bytesRead: number): Error;
}

/** How to read: the error wording, and hooks for checks of the reader's own (sizes, progress). */
export interface JsonObjectReadOptions {
  errors: JsonObjectReadErrors;
  /** Each token, before the parser takes it; what it throws ends the read as is. */
  onToken?: (token: ParsedTokenInfo) => void;
  /** The bytes read so far, after each piece fed to the parser; what it throws ends the read as is. */
  afterPiece?: (bytesRead: number) => void;
  /** The bytes read so far, after each chunk of the file. */
  afterChunk?: (bytesRead: number) => void;
  /** Aborting it destroys the file's stream: the read rejects with the signal's reason. */
  signal?: AbortSignal;
}

// The file is fed to the parser in pieces no larger than this, so one write's work stays small and
// a size check between pieces sees a value at most this far past its limit.
const pieceBytes = 1024 * 1024;

/**
 * The entries of the file `open` streams, a chunk's worth at a time, in file order. Throws what
 * `options.errors` makes when the file is not one JSON object (or ends early). Stopping the
 * iteration closes the file.
 */
export async function* readJsonObjectEntries(
  open: () => Readable,
  options: JsonObjectReadOptions,
): AsyncGenerator<JsonObjectEntry[]> {
  const { errors, signal } = options;
  signal?.throwIfAborted();
  const tokenizer = new Tokenizer();
  const parser = new TokenParser({ paths: ['$.*'], keepStack: false });
  let pending: JsonObjectEntry[] = [];
  // Objects, so the checks after a write see what the callbacks set.
  const seen = { notAnObject: false };
  const hook: { failure: unknown } = { failure: undefined };
  tokenizer.onToken = (info) => {
    try {
      options.onToken?.(info);
    } catch (error) {
      hook.failure = error;
      throw error;
    }
    parser.write(info);
  };
  tokenizer.onEnd = () => {
    if (!parser.isEnded) parser.end();
  };
  parser.onError = (error) => tokenizer.error(error);
  parser.onEnd = () => {
    if (!tokenizer.isEnded) tokenizer.end();
  };
  parser.onValue = ({ value, key, parent }) => {
    if (Array.isArray(parent) || typeof key !== 'string') {
      seen.notAnObject = true;
      return;
    }
    pending.push({ key, value });
  };
  const stream = open();
  const abort = () => stream.destroy(signal?.reason as Error);
  signal?.addEventListener('abort', abort, { once: true });
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let at = 0; at < bytes.byteLength; at += pieceBytes) {
        const piece = bytes.subarray(at, at + pieceBytes);
        try {
          // The parser ends itself after the top-level value; anything after it is an error it throws.
          tokenizer.write(piece);
        } catch (error) {
          if (error === hook.failure) throw error;
          throw errors.invalidJson((error as Error).message, error);
        }
        bytesRead += piece.byteLength;
        options.afterPiece?.(bytesRead);
      }
      if (seen.notAnObject) throw errors.notAnObject();
      options.afterChunk?.(bytesRead);
      if (pending.length > 0) {
        const entries = pending;
        pending = [];
        yield entries;
      }
    }
    if (!(tokenizer.isEnded && parser.isEnded)) throw errors.cutShort(bytesRead);
  } finally {
    signal?.removeEventListener('abort', abort);
    stream.destroy();
  }
}
