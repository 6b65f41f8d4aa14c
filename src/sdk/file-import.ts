import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { FieldIssue } from '../contract/errors.ts';
import { createImportQuerySchema, importResponseSchema } from '../contract/imports.ts';
import type { ImportErrorMode } from '../contract/imports.ts';
import { InvalidInputError } from './annex-errors.ts';
import type { AnnexHttpClient } from './annex-http-client.ts';
import { Import } from './import-handle.ts';
import type { ImportWaitOptions } from './import-handle.ts';
import { checkPollOptions } from './status-polling.ts';

/** Bytes of an upload so far. */
export interface UploadProgress {
  /** The upload phase: the file is being sent. */
  phase: 'upload';
  /** Bytes handed to the connection so far. */
  bytes: number;
  /** The file's size. */
  totalBytes: number;
}

/** The import after the upload, as last read: its `status`, `stage` and `percent_complete`. */
export interface ImportRunProgress {
  /** The import phase: the server validates, then writes. */
  phase: 'import';
  /** The import as last read. */
  import: Import;
}

/** What `importFile`'s `onProgress` is called with: upload bytes first, then the import's progress. */
export type ImportFileProgress = UploadProgress | ImportRunProgress;

/** Options of `directory.importFile()`. */
export interface ImportFileOptions extends Omit<ImportWaitOptions, 'onProgress'> {
  /** A bad packet fails the import with nothing written (`fail`, the default) or is left out (`skip`). */
  onError?: ImportErrorMode;
  /**
   * Wait until the import is final (default true) and return it complete, or throw ImportFailedError;
   * false returns the import as soon as the server has the file (queued).
   */
  wait?: boolean;
  /**
   * Called as the file is sent (`phase: 'upload'`, with bytes), then, while waiting, after every read
   * of the import (`phase: 'import'`, with the import: `stage`, `percent_complete`, counts).
   */
  onProgress?: (progress: ImportFileProgress) => void;
}

/** Options of `project.directory.importFile()`: which directory, and the rest as `directory.importFile()`. */
export interface ProjectImportFileOptions extends ImportFileOptions {
  /** The directory's name (nickname); made when missing. Default: the project's default directory. */
  directory?: string;
}

// The query's fields back to the names a caller wrote, so an error names what they typed.
const optionNameOfQueryField: Record<string, string> = {
  directory: 'directory',
  on_error: 'onError',
  filename: 'path',
};

function invalidOptions(issues: FieldIssue[]): InvalidInputError {
  return new InvalidInputError(
    `Invalid import options: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}.`,
    { code: 'validation_failed', issues },
  );
}

function checkImportOptions(directory: string, filePath: string, options: ImportFileOptions) {
  const query = createImportQuerySchema.safeParse({
    directory,
    on_error: options.onError,
    filename: path.basename(filePath),
  });
  if (!query.success) {
    throw invalidOptions(
      query.error.issues.map((issue) => {
        const field = String(issue.path[0] ?? 'options');
        return { field: optionNameOfQueryField[field] ?? field, message: issue.message };
      }),
    );
  }
  // Typed callers cannot pass anything else, but scripts in plain JavaScript can.
  const wait: unknown = options.wait ?? true;
  if (typeof wait !== 'boolean')
    throw invalidOptions([{ field: 'wait', message: 'must be true or false' }]);
  checkPollOptions(options);
  return { query: query.data, wait };
}

/** Checks that `filePath` is a readable file and returns its size; InvalidInputError saying why not. */
async function fileSizeOf(filePath: string): Promise<number> {
  const refuse = (message: string) =>
    new InvalidInputError(`Cannot import ${filePath}: ${message}.`, {
      code: 'bad_request',
      issues: [{ field: 'path', message }],
    });
  let info;
  try {
    info = await stat(filePath);
    await access(filePath, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw refuse('there is no such file');
    if (code === 'EACCES') throw refuse('it may not be read (permission denied)');
    throw refuse(error instanceof Error ? error.message : String(error));
  }
  if (!info.isFile()) throw refuse('it is not a file');
  return info.size;
}

/**
 * The file as a request body, read from disk as the connection takes it (64 KiB at a time, never the
 * whole file), calling `onBytes` with the bytes handed on so far. `destroy()` closes the file when
 * the server answered before taking it all.
 */
export function uploadBody(
  filePath: string,
  onBytes?: (bytes: number) => void,
): { body: ReadableStream<Uint8Array>; destroy: () => void } {
  const file = createReadStream(filePath);
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      onBytes?.(bytes);
      callback(null, chunk);
    },
  });
  file.once('error', (error) => meter.destroy(error));
  const counted = file.pipe(meter);
  return {
    body: Readable.toWeb(counted) as unknown as ReadableStream<Uint8Array>,
    destroy: () => {
      file.destroy();
      meter.destroy();
    },
  };
}

/**
 * Imports a Diffgram JSON file into a directory of a project (made when missing): streams it from
 * disk as the request body, then by default waits for the import to end (see ImportFileOptions).
 * Throws InvalidInputError for bad options or a path that is not a readable file (before sending),
 * InvalidImportFileError when the server refuses the file as not Diffgram JSON, ImportFailedError
 * when the import fails, ImportTimeoutError when the wait runs out.
 */
export async function importFile(
  client: AnnexHttpClient,
  projectStringId: string,
  directory: string,
  filePath: string,
  options: ImportFileOptions = {},
): Promise<Import> {
  if (typeof filePath !== 'string' || filePath === '') {
    throw invalidOptions([{ field: 'path', message: 'must be the path of a file' }]);
  }
  const { query, wait } = checkImportOptions(directory, filePath, options);
  const totalBytes = await fileSizeOf(filePath);
  const upload = uploadBody(filePath, (bytes) =>
    options.onProgress?.({ phase: 'upload', bytes, totalBytes }),
  );
  const importsPath = `/api/v1/projects/${encodeURIComponent(projectStringId)}/imports`;
  let created: Import;
  try {
    const response = await client.upload({
      path: importsPath,
      query,
      body: upload.body,
      contentType: 'application/json',
      contentLength: totalBytes,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const { import: record } = await client.readJson(
      response,
      importResponseSchema,
      `POST ${importsPath}`,
    );
    created = new Import(client, record);
  } finally {
    upload.destroy();
  }
  if (!wait) return created;
  return created.waitUntilDone({
    ...options,
    onProgress: (current) => options.onProgress?.({ phase: 'import', import: current }),
  });
}
