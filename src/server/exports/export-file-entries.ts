import type { Readable } from 'node:stream';
import { TokenParser, Tokenizer } from '@streamparser/json';

// Reads a stored export file (one the writer made) as its top-level entries, one chunk of the file
// at a time, so memory holds one chunk's entries, never the file: the parser keeps no value once it
// has handed it over (`keepStack: false`). The spot-check's sample and the diff read files this way.
//
// No packet size limit, unlike the import's reader of uploads: the file is the server's own, and
// the writer held each packet whole as one string to write it, so reading one back whole is what
// writing it took already; a limit could only refuse a valid export (a long video's packet).

/** One top-level entry of the file: a metadata value or a packet, by its key. */
export interface ExportFileEntry {
  /** The top-level key. */
  key: string;
  /** The value, as JSON.parse would give it. */
  value: unknown;
}

/** A stored export file is not the file annex wrote (not JSON, cut short, a packet that is not one). */
export class UnreadableExportFileError extends Error {
  override name = 'UnreadableExportFileError';

  constructor(
    /** The export whose file it is. */
    readonly exportId: number,
    /** What is wrong, lowercase and without a closing period: "it ends before its JSON does …". */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `The file of export ${exportId} cannot be read as an export file: ${reason}. Generate the export again.`,
      options,
    );
  }
}

// The file is fed to the parser in pieces no larger than this, so one write's work stays small.
const pieceBytes = 1024 * 1024;

/**
 * The entries of export `exportId`'s file, a chunk's worth at a time, in file order. Throws
 * `UnreadableExportFileError` when the file is not one JSON object (or ends early); rejects with the
 * signal's reason when `signal` aborts. Stopping the iteration closes the file.
 */
export async function* readExportFileEntries(
  open: () => Readable,
  exportId: number,
  signal?: AbortSignal,
): AsyncGenerator<ExportFileEntry[]> {
  signal?.throwIfAborted();
  const tokenizer = new Tokenizer();
  const parser = new TokenParser({ paths: ['$.*'], keepStack: false });
  let pending: ExportFileEntry[] = [];
  // An object, so the check after a write sees what the parser's callback set.
  const seen = { notAnObject: false };
  tokenizer.onToken = (info) => parser.write(info);
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
          throw new UnreadableExportFileError(
            exportId,
            `it is not valid JSON (${(error as Error).message.replace(/\.$/, '')})`,
            { cause: error },
          );
        }
        bytesRead += piece.byteLength;
      }
      if (seen.notAnObject)
        throw new UnreadableExportFileError(exportId, 'it holds a list at the top, not an object');
      if (pending.length > 0) {
        const entries = pending;
        pending = [];
        yield entries;
      }
    }
    if (!(tokenizer.isEnded && parser.isEnded)) {
      throw new UnreadableExportFileError(
        exportId,
        `it ends before its JSON does (after ${bytesRead} bytes), so it was cut short`,
      );
    }
  } finally {
    signal?.removeEventListener('abort', abort);
    stream.destroy();
  }
}
