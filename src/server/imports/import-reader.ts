import { JSONParser } from '@streamparser/json';
import type { OpenUpload } from './import-run.ts';

// Reads an uploaded file as its top-level entries (the metadata values and the packets), one chunk
// of the upload at a time, so memory holds one chunk's entries, never the file: the parser keeps no
// value once it has handed it over (`keepStack: false`).

/** One top-level entry of the file: a metadata value or a packet, by its key. */
export interface UploadEntry {
  /** The top-level key. */
  key: string;
  /** The value, as JSON.parse would give it. */
  value: unknown;
}

/** The upload is not the JSON it was when the route checked it (or the route did not check it). */
export class UnreadableUploadError extends Error {
  override name = 'UnreadableUploadError';
}

/**
 * The entries of the upload, a chunk's worth at a time, in file order. `onBytes` is told the bytes
 * read so far after each chunk. Throws `UnreadableUploadError` when the upload is not one JSON
 * object (or ends early). Stopping the iteration closes the upload.
 */
export async function* readUploadEntries(
  openUpload: OpenUpload,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<UploadEntry[]> {
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  let pending: UploadEntry[] = [];
  const seen = { notAnObject: false };
  parser.onValue = ({ value, key, parent }) => {
    if (Array.isArray(parent) || typeof key !== 'string') {
      seen.notAnObject = true;
      return;
    }
    pending.push({ key, value });
  };
  const stream = openUpload();
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytesRead += bytes.byteLength;
      try {
        // The parser ends itself after the top-level value; anything after it is an error it throws.
        parser.write(bytes);
      } catch (error) {
        throw new UnreadableUploadError(`The file is not valid JSON: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (seen.notAnObject)
        throw new UnreadableUploadError('The file holds a list at the top, not an object.');
      onBytes?.(bytesRead);
      if (pending.length > 0) {
        const entries = pending;
        pending = [];
        yield entries;
      }
    }
    if (!parser.isEnded) {
      throw new UnreadableUploadError(
        `The file ends before its JSON does (after ${bytesRead} bytes): the upload is incomplete.`,
      );
    }
  } finally {
    stream.destroy();
  }
}
