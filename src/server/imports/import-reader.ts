import { TokenParser, TokenType, Tokenizer } from '@streamparser/json';
import { isFileIdKey } from '../../contract/export-file.ts';
import { byteSizeWords } from '../http/byte-size-words.ts';
import type { OpenUpload } from './import-run.ts';

// Reads an uploaded file as its top-level entries (the metadata values and the packets), one chunk
// of the upload at a time, so memory holds one chunk's entries, never the file: the parser keeps no
// value once it has handed it over (`keepStack: false`). A top-level value larger than the packet
// limit is refused while it is read, so memory holds at most one packet of that size: the upload
// check refuses such files too, but an upload stored before the limit (or lowered since) is not.

/** The default of IMPORT_MAX_PACKET_BYTES: the most bytes one packet (or metadata value) may take. */
export const defaultMaxPacketBytes = 64 * 1024 * 1024;

/** A metadata value may be this large whatever the packet limit (the upload check's limit too). */
export const metadataByteLimit = 64 * 1024 * 1024;

/** What a person is told of a packet over the limit. */
export function packetTooLargeMessage(key: string, maxPacketBytes: number): string {
  return `packet ${key} is over ${byteSizeWords(maxPacketBytes)}, the most a packet may be; split the file or raise IMPORT_MAX_PACKET_BYTES`;
}

/** What a person is told of a metadata value over its limit. */
function metadataTooLargeMessage(key: string): string {
  return `its "${key.slice(0, 80)}" is larger than ${byteSizeWords(metadataByteLimit)}, far more than any export's metadata; import the Diffgram JSON file as it was exported`;
}

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

// The upload is fed to the parser in pieces no larger than this, so the size checks between pieces
// see a value at most this far past the limit.
const pieceBytes = 1024 * 1024;

/**
 * The entries of the upload, a chunk's worth at a time, in file order. `onBytes` is told the bytes
 * read so far after each chunk. Throws `UnreadableUploadError` when the upload is not one JSON
 * object (or ends early), or when one top-level value is larger than `maxPacketBytes`. Stopping
 * the iteration closes the upload.
 */
export async function* readUploadEntries(
  openUpload: OpenUpload,
  onBytes?: (bytesRead: number) => void,
  maxPacketBytes: number = defaultMaxPacketBytes,
): AsyncGenerator<UploadEntry[]> {
  const tokenizer = new Tokenizer();
  const parser = new TokenParser({ paths: ['$.*'], keepStack: false });
  let pending: UploadEntry[] = [];
  const seen = { notAnObject: false };
  // Where the top-level value being read started (bytes), and its key; depth of the containers.
  const current: { key: string; start: number | undefined; depth: number } = {
    key: '',
    start: undefined,
    depth: 0,
  };
  const tooLarge = (at: number) => {
    if (current.start === undefined) return;
    const packet = isFileIdKey(current.key);
    if (at - current.start <= (packet ? maxPacketBytes : metadataByteLimit)) return;
    throw new UnreadableUploadError(
      packet
        ? packetTooLargeMessage(current.key, maxPacketBytes)
        : metadataTooLargeMessage(current.key),
    );
  };
  tokenizer.onToken = (info) => {
    const { token, offset } = info;
    // Before the depth changes, so the token that closes a packet counts against it.
    tooLarge(offset);
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      current.depth += 1;
      if (current.depth === 2) current.start = offset;
    } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
      current.depth -= 1;
      if (current.depth === 1) current.start = undefined;
    } else if (current.depth === 1 && token === TokenType.STRING) {
      current.key = info.value as string;
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
  const stream = openUpload();
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
          if (error instanceof UnreadableUploadError) throw error;
          throw new UnreadableUploadError(
            `The file is not valid JSON: ${(error as Error).message}`,
            { cause: error },
          );
        }
        bytesRead += piece.byteLength;
        // A value still open (a long string, a big packet) counts as far as it has been read.
        tooLarge(bytesRead);
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
    if (!(tokenizer.isEnded && parser.isEnded)) {
      throw new UnreadableUploadError(
        `The file ends before its JSON does (after ${bytesRead} bytes): the upload is incomplete.`,
      );
    }
  } finally {
    stream.destroy();
  }
}
