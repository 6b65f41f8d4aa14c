import cliProgress from 'cli-progress';
import type { DownloadProgress, Export } from '../export-handle.ts';
import type { UploadProgress } from '../file-import.ts';
import type { Import } from '../import-handle.ts';

/** A count with its noun, singular or plural: `1 file`, `12 files`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Bytes as people read them: `512 B`, `1.2 MB`. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

// A job's bar (an export's or an import's percent) and a transfer's bar (bytes of a file).
const statusFormat = '{label} [{bar}] {percentage}% | {state}';
const bytesFormat = '{label} [{bar}] {percentage}% | {doneBytes} of {totalBytes}';

/** Where the reporter writes: stderr, so stdout stays clean for data and `--json`. */
export interface ProgressStream extends NodeJS.WritableStream {
  /** True when a person watches it live; a bar is drawn only then. */
  isTTY?: boolean;
}

/**
 * Shows a long wait or download on stderr: a progress bar when stderr is a terminal, and otherwise
 * (a log file, CI) a plain line per change of state, which reads well in a log.
 */
export class ProgressReporter {
  readonly #stream: ProgressStream;
  #bar: cliProgress.SingleBar | undefined;
  // The format of the bar in progress: an upload's bar gives way to the import's when the format changes.
  #barFormat = '';
  #lastLine = '';

  /** Builds a reporter writing to `stream`. */
  constructor(stream: ProgressStream) {
    this.#stream = stream;
  }

  get #interactive(): boolean {
    return this.#stream.isTTY === true;
  }

  /** Shows where an export being waited for stands; call it with every status read. */
  exportProgress(current: Export): void {
    const source =
      current.directory?.name ?? current.job?.name ?? current.task?.name ?? current.source;
    const files =
      current.file_list_length === null ? '' : ` · ${plural(current.file_list_length, 'file')}`;
    if (!this.#interactive) {
      // The outcome (complete or failed) gets its own line from the command; only the wait is news here.
      if (!current.isFinal)
        this.#line(`annex: export ${current.id} (${source}) is ${current.status}${files}`);
      return;
    }
    const payload = { label: `export ${current.id}`, state: `${current.status}${files}` };
    this.#show(statusFormat, 100, current.percent_complete, payload);
  }

  /**
   * Shows where an import being waited for stands (its stage, validating then writing, and its
   * percent over both); call it with every status read.
   */
  importProgress(current: Import): void {
    const packets =
      current.packet_count === null ? '' : ` · ${plural(current.packet_count, 'file packet')}`;
    const state = current.stage === null ? current.status : current.stage;
    if (!this.#interactive) {
      if (!current.isFinal)
        this.#line(`annex: import ${current.id} (${current.directory_name}) is ${state}${packets}`);
      return;
    }
    const payload = { label: `import ${current.id}`, state: `${state}${packets}` };
    this.#show(statusFormat, 100, current.percent_complete, payload);
  }

  /** Shows a download's bytes; call it as bytes arrive. */
  downloadProgress(label: string, progress: DownloadProgress): void {
    this.#transfer('downloading', label, progress);
  }

  /** Shows an upload's bytes; call it as bytes are sent. */
  uploadProgress(label: string, progress: UploadProgress): void {
    this.#transfer('uploading', label, progress);
  }

  #transfer(verb: string, label: string, progress: DownloadProgress | UploadProgress): void {
    if (!this.#interactive) {
      this.#line(`annex: ${verb} ${label} (${formatBytes(progress.totalBytes)})`);
      return;
    }
    // `total` and `value` are the bar's own tokens, so the byte counts take other names.
    const payload = {
      label,
      doneBytes: formatBytes(progress.bytes),
      totalBytes: formatBytes(progress.totalBytes),
    };
    this.#show(bytesFormat, Math.max(progress.totalBytes ?? 0, 1), progress.bytes, payload);
  }

  /** Ends the bar in progress, if any, so the next output starts on a fresh line. */
  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
    this.#barFormat = '';
  }

  // Draws `value` of `total` on the bar of this format, ending another bar first.
  #show(format: string, total: number, value: number, payload: Record<string, string>): void {
    if (this.#bar !== undefined && this.#barFormat !== format) this.stop();
    if (this.#bar === undefined) {
      this.#bar = this.#newBar(format);
      this.#barFormat = format;
      this.#bar.start(total, value, payload);
    } else {
      this.#bar.update(value, payload);
    }
  }

  /** Prints a line of news (after stopping any bar). */
  note(line: string): void {
    this.stop();
    this.#stream.write(`${line}\n`);
  }

  // The cursor stays visible: a bar that hid it would leave it hidden after Ctrl-C.
  #newBar(format: string): cliProgress.SingleBar {
    return new cliProgress.SingleBar(
      { stream: this.#stream, format, hideCursor: false, clearOnComplete: false, barsize: 30 },
      cliProgress.Presets.shades_classic,
    );
  }

  // Without a terminal only changes are worth a line: a log of the same line every second helps no one.
  #line(line: string): void {
    if (line === this.#lastLine) return;
    this.#lastLine = line;
    this.#stream.write(`${line}\n`);
  }
}
