import { TokenType } from '@streamparser/json';
import { isFileIdKey } from '../../contract/export-file.ts';
import { byteSizeWords } from '../http/byte-size-words.ts';
import { readJsonObjectEntries } from '../storage/json-object-entries.ts';
import type { JsonObjectEntry } from '../storage/json-object-entries.ts';
import type { OpenUpload } from './import-run.ts';

// Reads an uploaded file as its top-level entries (the metadata values and the packets), one chunk
// of the upload at a time (storage/json-object-entries.ts, as the export readers do), so memory
// holds one chunk's entries, never the file. A top-level value larger than the packet
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
export type UploadEntry = JsonObjectEntry;

/** The upload is not the JSON it was when the route checked it (or the route did not check it). */
export class UnreadableUploadError extends Error {
  override name = 'UnreadableUploadError';
}

/**
 * The entries of the upload, a chunk's worth at a time, in file order. `onBytes` is told the bytes
 * read so far after each chunk. Throws `UnreadableUploadError` when the upload is not one JSON
 * object (or ends early), or when one top-level value is larger than `maxPacketBytes`. Stopping
 * the iteration closes the upload.
 */
export function readUploadEntries(
  openUpload: OpenUpload,
  onBytes?: (bytesRead: number) => void,
  maxPacketBytes: number = defaultMaxPacketBytes,
): AsyncGenerator<UploadEntry[]> {
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
  return readJsonObjectEntries(openUpload, {
    onToken: (info) => {
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
    },
    // A value still open (a long string, a big packet) counts as far as it has been read.
    afterPiece: tooLarge,
    ...(onBytes === undefined ? {} : { afterChunk: onBytes }),
    errors: {
      invalidJson: (detail, cause) =>
        new UnreadableUploadError(`The file is not valid JSON: ${detail}`, { cause }),
      notAnObject: () =>
        new UnreadableUploadError('The file holds a list at the top, not an object.'),
      cutShort: (bytesRead) =>
        new UnreadableUploadError(
          `The file ends before its JSON does (after ${bytesRead} bytes): the upload is incomplete.`,
        ),
    },
  });
}
