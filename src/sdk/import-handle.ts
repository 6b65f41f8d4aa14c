import {
  formatImportProblem,
  importResponseSchema,
  isFinalImportStatus,
} from '../contract/imports.ts';
import type { Import as ImportRecord } from '../contract/imports.ts';
import { ImportFailedError, ImportTimeoutError } from './annex-errors.ts';
import type { AnnexHttpClient } from './annex-http-client.ts';
import { contractRecord } from './contract-record.ts';
import { pollUntilFinal } from './status-polling.ts';
import type { PollOptions } from './status-polling.ts';

/** Options of `Import.waitUntilDone`. */
export type ImportWaitOptions = PollOptions<Import>;

/**
 * One import of a Diffgram JSON file, as the server keeps it: its contract fields as readonly
 * properties (`status`, `stage`, `percent_complete`, `files_created`, `errors`…), and the calls that
 * follow it to its end. Returned by `project.directory.importFile()`, `directory.importFile()`,
 * `project.import.getById()` and `project.import.list()`.
 */
export class Import extends contractRecord<ImportRecord>() {
  readonly #client: AnnexHttpClient;
  #record: ImportRecord;

  /** Wraps an import record the server sent; the SDK builds these, scripts get them from its calls. */
  constructor(client: AnnexHttpClient, record: ImportRecord) {
    super(record);
    this.#client = client;
    this.#record = record;
  }

  /** True once the import wrote what it could (bad packets skipped with `onError: 'skip'`). */
  get isComplete(): boolean {
    return this.status === 'complete';
  }

  /** True once the import will not change any more (complete or failed). */
  get isFinal(): boolean {
    return isFinalImportStatus(this.status);
  }

  /**
   * Its problems, one line each (`packet 812 › instance_list[3] › x_max: expected a number`): the
   * first ones the record holds (at most 100); `error_count` counts them all.
   */
  get problems(): string[] {
    return this.#record.errors.map(formatImportProblem);
  }

  /** The contract record, as the API sent it last; also what `JSON.stringify` writes. */
  toJSON(): ImportRecord {
    return { ...this.#record };
  }

  /** Reads the import's current status, stage and counts from the server into this object. */
  async refresh(): Promise<this> {
    const path = `/api/v1/projects/${encodeURIComponent(this.project_string_id)}/imports/${this.id}`;
    const { import: record } = await this.#client.sendJson(
      { method: 'GET', path },
      importResponseSchema,
    );
    this.#record = record;
    Object.assign(this, record);
    return this;
  }

  /**
   * Waits until the import is final, reading it every `pollMs`. Resolves with this import when it
   * completed (read `files_skipped` and `problems` for what `onError: 'skip'` left out); throws
   * ImportFailedError (with the record and its problems) when it failed, ImportTimeoutError when
   * `timeoutMs` passes first (the import goes on; wait again).
   */
  async waitUntilDone(options: ImportWaitOptions = {}): Promise<this> {
    await pollUntilFinal<Import>(
      this,
      options,
      (timeoutMs) =>
        new ImportTimeoutError(
          `Import ${this.id} is still ${this.status}${this.stage === null ? '' : ` (${this.stage})`} ` +
            `at ${Math.round(this.percent_complete)}% after ${Math.round(timeoutMs / 1000)} s. ` +
            'It goes on on the server: wait again, or give a longer timeout.',
          this.toJSON(),
        ),
    );
    if (this.status === 'failed') throw new ImportFailedError(this.toJSON());
    return this;
  }
}
