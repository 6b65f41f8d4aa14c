import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { checkWarnings } from '../contract/export-checks.ts';
import type { CheckWarning } from '../contract/export-checks.ts';
import { exportFileSchema } from '../contract/export-file.ts';
import type { ExportFile } from '../contract/export-file.ts';
import {
  createExportRequestSchema,
  exportLinkSchema,
  exportSchema,
  isFinalStatus,
  isStale,
  sourceIdFields,
} from '../contract/exports.ts';
import type {
  ChangesSince,
  ExportLink,
  Export as ExportRecord,
  ReturnType,
} from '../contract/exports.ts';
import {
  AnnexError,
  ExportCancelledError,
  ExportFailedError,
  ExportNotReadyError,
  ExportTimeoutError,
  InvalidInputError,
} from './annex-errors.ts';
import type { AnnexHttpClient } from './annex-http-client.ts';
import { contractRecord } from './contract-record.ts';
import { cancelledErrorOf } from './export-cancelled.ts';
import { ExportFileStream } from './export-file-stream.ts';
import { pollUntilFinal } from './status-polling.ts';
import type { PollOptions } from './status-polling.ts';

/** Options of `Export.waitUntilDone`. */
export type WaitOptions = PollOptions<Export>;

/** Options of `Export.accessData`. */
export interface AccessDataOptions<R extends ReturnType = ReturnType> {
  /** `data` (default): the parsed file. `url`: a download link to it. */
  returnType?: R;
}

/** Bytes of a download so far. */
export interface DownloadProgress {
  /** Bytes written so far. */
  bytes: number;
  /** The file's size when the server said it; else null. */
  totalBytes: number | null;
}

/** Options of `Export.download`. */
export interface DownloadOptions {
  /** Called as bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** What a finished download wrote. */
export interface DownloadResult {
  /** Bytes written. */
  bytes: number;
  /** SHA-256 of what was written, hex; checked against the export's own when it has one. */
  sha256: string;
}

/** Reads a whole export file from an answer and parses it with the contract's file schema. */
export async function readExportFile(
  client: AnnexHttpClient,
  response: Response,
  label: string,
): Promise<ExportFile> {
  return client.readJson(response, exportFileSchema, label);
}

/**
 * One export, as Diffgram's SDK has it: its contract fields as readonly properties (`status`,
 * `percent_complete`, `file_list_length`…), and the calls that follow an export from queued to
 * its data. Returned by `generateExport({ waitForExportGeneration: false })`, `project.export.list()`
 * and `project.export.getById()`. It holds metadata, not annotations: `accessData()` fetches those.
 * `checks` holds its check values (instances per label and type, files per type, geometry that
 * cannot be right, tasks against files, expected against written), null until it is complete and
 * for exports made before annex kept them; `checkWarnings()` says which of them found something.
 */
export class Export extends contractRecord<ExportRecord>() {
  readonly #client: AnnexHttpClient;
  #record: ExportRecord;

  /** Wraps an export record the server sent; the SDK builds these, scripts get them from its calls. */
  constructor(client: AnnexHttpClient, record: ExportRecord) {
    super(record);
    this.#client = client;
    this.#record = record;
  }

  /** True once the file is ready to download. */
  get isComplete(): boolean {
    return this.status === 'complete';
  }

  /** True once the export will not change any more (complete, failed or cancelled). */
  get isFinal(): boolean {
    return isFinalStatus(this.status);
  }

  /**
   * What changed in the export's source since the snapshot it read (`files_changed`, `files_added`,
   * `files_removed`), as of the last read (`refresh()` reads again); null until it is complete, and
   * for exports made before change tracking.
   */
  get changesSince(): ChangesSince | null {
    return this.#record.changes_since;
  }

  /**
   * True when anything in its source changed since its snapshot (the panel's "Stale" badge): its file
   * no longer shows the data as it is. `regenerate()` asks for a fresh one.
   */
  get isStale(): boolean {
    return isStale(this.#record.changes_since);
  }

  /**
   * The check values that found something, most serious first, in the panel's and the CLI's words:
   * each with `key`, `title`, `sentence` (what it means and what to do) and `finding` (the count and
   * the first places to look: file, instance and frame ids). An empty list when every check passed;
   * null when the export has no check values (`checks` is null: not complete yet, or made before
   * annex kept them), so "nothing found" and "not checked" never read alike.
   */
  checkWarnings(): CheckWarning[] | null {
    return this.#record.checks === null ? null : checkWarnings(this.#record.checks);
  }

  /**
   * Asks for a new export with this one's settings (source, its id, `ann_is_complete`,
   * `include_removed`) and returns it at once, queued: `await (await old.regenerate()).waitUntilDone()`
   * waits for it. This export is left as it is.
   */
  async regenerate(): Promise<Export> {
    const ref = this.#record[this.source];
    if (ref === null) {
      throw new AnnexError(
        `Export ${this.id} reads a ${this.source} but names none, so it cannot be regenerated.`,
        { code: 'unexpected_response' },
      );
    }
    const body = createExportRequestSchema.parse({
      source: this.source,
      ...sourceIdFields(this.source, ref.id),
      ann_is_complete: this.ann_is_complete,
      include_removed: this.include_removed,
      wait_for_export_generation: false,
    });
    const record = await this.#client.sendJson(
      {
        method: 'POST',
        path: `/api/v1/projects/${encodeURIComponent(this.project_string_id)}/exports`,
        body,
      },
      exportSchema,
    );
    return new Export(this.#client, record);
  }

  /** The contract record, as the API sent it last; also what `JSON.stringify` writes. */
  toJSON(): ExportRecord {
    return { ...this.#record };
  }

  get #path(): string {
    return `/api/v1/projects/${encodeURIComponent(this.project_string_id)}/exports/${this.id}`;
  }

  get #label(): string {
    return `export ${this.id}`;
  }

  /** Reads the export's current status and progress from the server into this object. */
  async refresh(): Promise<this> {
    const record = await this.#client.sendJson({ method: 'GET', path: this.#path }, exportSchema);
    this.#update(record);
    return this;
  }

  /**
   * Waits until the export is complete, reading its status every `pollMs`, so no caller has to guess
   * a sleep. Resolves with this export (complete); throws ExportFailedError when it fails,
   * ExportCancelledError when someone cancels it, and ExportTimeoutError when `timeoutMs` passes first.
   */
  async waitUntilDone(options: WaitOptions = {}): Promise<this> {
    await pollUntilFinal<Export>(
      this,
      options,
      (timeoutMs) =>
        new ExportTimeoutError(
          `Export ${this.id} is still ${this.status} (${this.percent_complete}%) after ${Math.round(timeoutMs / 1000)} s. ` +
            'Wait again, or give a longer timeout.',
          this.toJSON(),
        ),
    );
    if (this.status === 'failed') {
      throw new ExportFailedError(this.status_text ?? `Export ${this.id} failed.`, this.toJSON());
    }
    if (this.status === 'cancelled') throw cancelledErrorOf(this.toJSON());
    return this;
  }

  /**
   * A fresh download link to the file (`url` made absolute). Throws ExportNotReadyError ("Export not
   * ready yet", with the export's `status`) while it is queued or running, ExportFailedError ("This
   * export failed: …", the server's 409) when it failed, ExportCancelledError when it was cancelled;
   * each refusal refreshes the handle to the export as the server sent it.
   */
  async getLink(): Promise<ExportLink> {
    try {
      const link = await this.#client.sendJson(
        { method: 'POST', path: `${this.#path}/link` },
        exportLinkSchema,
      );
      this.#update(link.export);
      return { ...link, url: this.#client.resolveUrl(link.url) };
    } catch (error) {
      // The refusal carries the export as it is now: the handle shows that status from here on.
      if (
        error instanceof ExportNotReadyError ||
        error instanceof ExportFailedError ||
        error instanceof ExportCancelledError
      )
        this.#update(error.export);
      throw error;
    }
  }

  /**
   * The export's file: parsed and typed (`returnType: 'data'`, the default) or a download URL
   * (`'url'`). Throws ExportNotReadyError ("Export not ready yet", with `.status`) when the export is
   * not complete: call `waitUntilDone()` first. A failed export throws ExportFailedError instead, a
   * cancelled one ExportCancelledError, since neither will ever be ready; either way the handle's
   * status is refreshed to the server's.
   */
  async accessData(options: AccessDataOptions<'url'>): Promise<string>;
  async accessData(options?: AccessDataOptions<'data'>): Promise<ExportFile>;
  async accessData(options?: AccessDataOptions): Promise<ExportFile | string>;
  async accessData(options: AccessDataOptions = {}): Promise<ExportFile | string> {
    // Typed callers cannot pass anything else, but scripts in plain JavaScript can.
    const returnType: unknown = options.returnType ?? 'data';
    if (returnType !== 'data' && returnType !== 'url') {
      throw new InvalidInputError(
        `returnType must be "data" or "url"; got ${JSON.stringify(returnType)}.`,
        {
          code: 'bad_request',
          issues: [{ field: 'returnType', message: 'must be "data" or "url"' }],
        },
      );
    }
    const link = await this.getLink();
    if (returnType === 'url') return link.url;
    const response = await this.#client.fetchUrl(link.url);
    return readExportFile(this.#client, response, this.#label);
  }

  /**
   * The file as a stream of `[fileId, packet]` pairs, each parsed and typed, with the metadata on the
   * side: for files too large to hold as one object. The download starts when iteration does.
   */
  streamFilePackets(): ExportFileStream {
    return new ExportFileStream({
      client: this.#client,
      label: this.#label,
      open: async () => this.#client.fetchUrl((await this.getLink()).url),
    });
  }

  /**
   * Downloads the file byte for byte, to a path (written under a temporary name, then renamed, so the
   * path never holds half a file) or into a stream (left open). Checks size and SHA-256 against the
   * export's own and throws when they differ.
   */
  async download(
    destination: string | Writable,
    options: DownloadOptions = {},
  ): Promise<DownloadResult> {
    const response = await this.#client.fetchUrl((await this.getLink()).url);
    if (response.body === null) {
      throw new AnnexError(`The download of ${this.#label} has no body.`, {
        code: 'unexpected_response',
        httpStatus: response.status,
      });
    }
    const declared = Number(response.headers.get('content-length'));
    const totalBytes = Number.isFinite(declared) && declared > 0 ? declared : this.size_bytes;
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        bytes += chunk.length;
        options.onProgress?.({ bytes, totalBytes });
        callback(null, chunk);
      },
    });
    const body = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
    let bodyError: unknown;
    body.once('error', (error) => (bodyError = error));
    const temporaryPath =
      typeof destination === 'string'
        ? `${destination}.${randomUUID().slice(0, 8)}.part`
        : undefined;
    try {
      if (typeof destination === 'string') {
        await pipeline(body, meter, createWriteStream(temporaryPath ?? destination));
      } else {
        await pipeline(body, meter, destination, { end: false });
      }
    } catch (error) {
      if (temporaryPath !== undefined) await rm(temporaryPath, { force: true });
      if (bodyError !== undefined) {
        throw this.#client.networkError(
          bodyError,
          `Lost the connection to annex at ${this.#client.host} while downloading ${this.#label}`,
        );
      }
      // The download was fine; writing it was not (no such folder, disk full): the caller's to fix.
      throw new AnnexError(
        `Could not write ${this.#label}: ${error instanceof Error ? error.message : String(error)}`,
        {
          code: 'write_failed',
          cause: error,
        },
      );
    }
    const sha256 = hash.digest('hex');
    const mismatch =
      (this.size_bytes !== null && this.size_bytes !== bytes) ||
      (this.sha256 !== null && this.sha256 !== sha256);
    if (mismatch) {
      if (temporaryPath !== undefined) await rm(temporaryPath, { force: true });
      throw new AnnexError(
        `The download of ${this.#label} is damaged: got ${bytes} bytes (sha256 ${sha256}), ` +
          `the export has ${String(this.size_bytes)} bytes (sha256 ${String(this.sha256)}). Download it again.`,
        { code: 'unexpected_response' },
      );
    }
    if (temporaryPath !== undefined && typeof destination === 'string')
      await rename(temporaryPath, destination);
    return { bytes, sha256 };
  }

  /**
   * Cancels the export while it is queued or running: it ends `cancelled` (this object is updated)
   * and the worker stops between pages, leaving no file. Throws AnnexError `conflict` when it had
   * already finished, PermissionError for someone else's export unless you are a project admin.
   */
  async cancel(): Promise<this> {
    const record = await this.#client.sendJson(
      { method: 'POST', path: `${this.#path}/cancel` },
      exportSchema,
    );
    this.#update(record);
    return this;
  }

  /**
   * Retries a failed or cancelled export: returns the new export, queued with the same settings, its
   * `retry_of` naming this one (`await (await old.retry()).waitUntilDone()` waits for it). Throws
   * AnnexError `conflict` for an export that is not failed or cancelled, or was retried already.
   */
  async retry(): Promise<Export> {
    const record = await this.#client.sendJson(
      { method: 'POST', path: `${this.#path}/retry` },
      exportSchema,
    );
    return new Export(this.#client, record);
  }

  /** Archives the export: gone from the list, its file deleted. */
  async archive(): Promise<void> {
    await this.#client.send({ method: 'DELETE', path: this.#path });
  }

  #update(record: ExportRecord): void {
    this.#record = record;
    Object.assign(this, record);
  }
}
