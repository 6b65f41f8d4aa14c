import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import type { ExportFileSink, SinkResult } from './export-file-store.ts';

// The file on disk: the export writer hands it text and learns the size and SHA-256 of what landed,
// without reading the file back (a large export would cost a second pass over the disk).

/** A write stream that honours backpressure, hashes and counts what it writes, and fsyncs on close. */
export class HashingFileSink implements ExportFileSink {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly path: string,
    private readonly stream: fs.WriteStream,
    private readonly signal: AbortSignal | undefined,
  ) {
    // Kept so an error emitted between writes fails the next write instead of crashing the process.
    stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  /**
   * Creates (or truncates) the file at `path` and waits until it is open, so a bad path fails here
   * rather than on the first write. Aborting `signal` stops any later wait on the disk.
   */
  static async open(path: string, signal: AbortSignal | undefined): Promise<HashingFileSink> {
    // `flush: true` fsyncs the descriptor before it is closed.
    const stream = fs.createWriteStream(path, { flush: true });
    try {
      await once(stream, 'ready', { signal });
    } catch (error) {
      await destroyAndRemove(stream, path);
      throw error;
    }
    return new HashingFileSink(path, stream, signal);
  }

  /** Appends `text` as UTF-8; resolves once the stream can take more, so memory stays bounded. */
  async write(text: string): Promise<void> {
    this.throwIfFailed();
    const buffer = Buffer.from(text, 'utf8');
    this.hash.update(buffer);
    this.bytes += buffer.length;
    if (!this.stream.write(buffer)) await once(this.stream, 'drain', { signal: this.signal });
  }

  /** Flushes, fsyncs and closes the file, and returns its size and SHA-256. */
  async close(): Promise<SinkResult> {
    this.throwIfFailed();
    const closed = once(this.stream, 'close');
    this.stream.end();
    await closed;
    this.throwIfFailed();
    return { sizeBytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Closes the file without flushing and removes it, so no half-written export is left behind. */
  async discard(): Promise<void> {
    await destroyAndRemove(this.stream, this.path);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

/**
 * Destroys the stream, waits for it to close, then removes its file. The wait matters: a stream
 * destroyed while its file is still being opened creates the file after a hasty `rm` has run.
 */
async function destroyAndRemove(stream: fs.WriteStream, path: string): Promise<void> {
  if (!stream.closed) {
    const closed = once(stream, 'close').catch(() => undefined);
    stream.destroy();
    await closed;
  }
  await fs.promises.rm(path, { force: true });
}
