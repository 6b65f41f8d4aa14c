import { Readable } from 'node:stream';
import { ApiError } from '../http/api-error.ts';
import { byteSizeWords } from '../http/byte-size-words.ts';
import { InvalidImportFileError } from './import-file-check.ts';
import type { ImportUploadStorage, StoredUpload } from '../storage/import-uploads.ts';

// Receiving an import's file: the request body streamed to upload storage, chunk by chunk, never
// held whole in memory. On its way each chunk is counted (past IMPORT_MAX_BYTES the upload stops
// with 413) and fed to the upload check, which refuses a file that is not Diffgram JSON as soon as
// it can tell (400 `invalid_import_file`). Whatever stops an upload (a refusal, the limit, a client
// that hangs up), storage removes the part received, so nothing is left behind.

/**
 * Reads a file as it arrives and refuses it, by throwing, when it cannot be Diffgram JSON: the
 * pipeline's `ImportFileCheck` (`import-file-check.ts`). A refusal is an `InvalidImportFileError`
 * whose message says what is wrong; any other error it throws is a fault of the check, not of the file.
 */
export interface UploadCheck {
  /** Reads the next chunk; throws a refusal as soon as the file cannot be Diffgram JSON. */
  write(chunk: Uint8Array): void;
  /** The file ended; throws a refusal when it ended too early (an unfinished document). */
  end(): void;
}

/** Makes a fresh check for each upload. */
export type UploadCheckFactory = () => UploadCheck;

/** How one upload is received. */
export interface ReceiveUploadOptions {
  /** Where the file goes. */
  storage: ImportUploadStorage;
  /** The most bytes accepted (IMPORT_MAX_BYTES). */
  maxBytes: number;
  /** The check the file is fed through. */
  check: UploadCheck;
}

/** The 413 an upload over the limit gets, before it is read or once it passes the limit. */
export function uploadTooLarge(maxBytes: number): ApiError {
  return new ApiError(
    'payload_too_large',
    `The file is larger than this server accepts for an import (${byteSizeWords(maxBytes)}, IMPORT_MAX_BYTES). Split it into smaller files, or ask the administrator to raise IMPORT_MAX_BYTES.`,
    { max_bytes: maxBytes },
  );
}

function refusal(message: string): ApiError {
  return new ApiError('invalid_import_file', message);
}

/** Runs one call of the check, turning its refusal into the 400 that names what is wrong. */
function checked(call: () => void): void {
  try {
    call();
  } catch (error) {
    if (error instanceof InvalidImportFileError) throw refusal(error.message);
    throw error;
  }
}

/** The body's chunks, counted against the limit and fed to the check, in order. */
async function* guardedChunks(
  body: Readable,
  maxBytes: number,
  check: UploadCheck,
): AsyncGenerator<Buffer> {
  let received = 0;
  // Not destroyed when the loop stops early: the request stays open so its refusal can be answered.
  for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw uploadTooLarge(maxBytes);
    checked(() => check.write(chunk));
    yield chunk;
  }
  checked(() => check.end());
}

/**
 * Streams `body` into storage through the limit and the check; resolves with the stored file. A
 * refusal is a 400 `invalid_import_file`, the limit a 413, and a client that hung up mid-file a 400
 * nobody reads; in each case storage has removed the part it received.
 */
export async function receiveUpload(
  body: Readable,
  options: ReceiveUploadOptions,
): Promise<StoredUpload> {
  try {
    return await options.storage.store(
      Readable.from(guardedChunks(body, options.maxBytes, options.check), { objectMode: false }),
    );
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (body.destroyed && !body.readableEnded) {
      throw new ApiError(
        'bad_request',
        'The upload stopped before the whole file arrived (the connection closed). Send the file again.',
      );
    }
    throw error;
  }
}
