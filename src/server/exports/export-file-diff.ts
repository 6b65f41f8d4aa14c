import type { Readable } from 'node:stream';
import { isFileIdKey, isMetadataKey, labelMapSchema } from '../../contract/export-file.ts';
import type { LabelMap } from '../../contract/export-file.ts';
import { readExportFileEntries, UnreadableExportFileError } from './export-file-entries.ts';
import type { ExportFileEntry } from './export-file-entries.ts';
import { UnreadablePacketError, viewOfPacket } from './export-diff-packet.ts';
import type { PacketView } from './export-diff-packet.ts';
import { ExportDiffTally } from './export-diff-tally.ts';
import type { ExportDiffFindings } from './export-diff-tally.ts';

// The diff of two export files as a merge-join: both files are read at once, one packet of each in
// memory at a time (export-file-entries.ts, which keeps no value once handed over), and since
// annex writes packets in ascending file id order, the smaller id of the two heads is a file the
// other side does not hold, and equal ids are the same file in both. Memory stays flat whatever the
// files' size: the tally keeps counts and bounded lists only.
//
// A file whose packets are not in ascending order cannot be joined this way; rather than fall back
// to holding one side in memory (what flat memory promises not to do), the diff stops and says
// which file and where. Annex never writes such a file; an edited or foreign one may be.

/** One side of the diff: the export (named in errors) and how to open its file. */
export interface DiffSide {
  exportId: number;
  open: () => Readable;
}

/** One of the files cannot be compared: not JSON, a packet that is not one, or out of file id order. */
export class ExportDiffError extends Error {
  override name = 'ExportDiffError';
}

/** Reads one side's packets in order, keeping its label map as it passes. */
class PacketCursor {
  labelMap: LabelMap | undefined;
  private readonly entries: AsyncGenerator<ExportFileEntry[]>;
  private batch: ExportFileEntry[] = [];
  private at = 0;
  private lastFileId = 0;

  constructor(
    private readonly side: DiffSide,
    signal: AbortSignal | undefined,
  ) {
    this.entries = readExportFileEntries(side.open, side.exportId, signal);
  }

  /** The next packet, or undefined at the end of the file. */
  async next(): Promise<PacketView | undefined> {
    for (;;) {
      const entry = await this.nextEntry();
      if (entry === undefined) return undefined;
      const { key, value } = entry;
      if (isMetadataKey(key)) {
        if (key === 'label_map') this.keepLabelMap(value);
        continue;
      }
      if (!isFileIdKey(key)) {
        throw this.error(
          `it holds a top-level key "${key.slice(0, 80)}" that is neither metadata nor a file id`,
        );
      }
      const packet = this.view(key, value);
      if (packet.fileId <= this.lastFileId) {
        throw this.error(
          `its packets are not in ascending file id order (file ${packet.fileId} comes after file ${this.lastFileId}), so it cannot be compared in flat memory`,
        );
      }
      this.lastFileId = packet.fileId;
      return packet;
    }
  }

  /** Stops reading (closes the file). */
  async close(): Promise<void> {
    await this.entries.return(undefined);
  }

  private async nextEntry(): Promise<ExportFileEntry | undefined> {
    while (this.at >= this.batch.length) {
      let result: IteratorResult<ExportFileEntry[]>;
      try {
        result = await this.entries.next();
      } catch (error) {
        if (error instanceof UnreadableExportFileError) throw this.error(error.reason, error);
        throw error;
      }
      if (result.done === true) return undefined;
      this.batch = result.value;
      this.at = 0;
    }
    const entry = this.batch[this.at];
    // Let the entry go once handed over, so the batch does not keep every packet of a chunk alive.
    this.batch[this.at] = { key: '', value: null };
    this.at += 1;
    return entry;
  }

  private view(key: string, value: unknown): PacketView {
    try {
      return viewOfPacket(key, value);
    } catch (error) {
      if (error instanceof UnreadablePacketError) throw this.error(error.message, error);
      throw error;
    }
  }

  private keepLabelMap(value: unknown): void {
    const parsed = labelMapSchema.safeParse(value);
    if (!parsed.success) throw this.error('its label_map is not an object of label names by id');
    this.labelMap = parsed.data;
  }

  private error(reason: string, cause?: unknown): ExportDiffError {
    return new ExportDiffError(
      `The file of export ${this.side.exportId} cannot be compared: ${reason}. Generate the export again.`,
      { cause },
    );
  }
}

/**
 * What `to` holds that `from` does not, and the reverse: files added, removed, changed and with
 * their completion changed, instances added, removed and changed per label (see export-diff-packet.ts
 * for what counts as a change). Throws `ExportDiffError` when a file cannot be compared; stops
 * (rejecting with the signal's reason) when `signal` aborts.
 */
export async function diffExportFiles(
  from: DiffSide,
  to: DiffSide,
  signal?: AbortSignal,
): Promise<ExportDiffFindings> {
  const before = new PacketCursor(from, signal);
  const after = new PacketCursor(to, signal);
  const tally = new ExportDiffTally();
  try {
    let left = await before.next();
    let right = await after.next();
    while (left !== undefined || right !== undefined) {
      signal?.throwIfAborted();
      if (left !== undefined && (right === undefined || left.fileId < right.fileId)) {
        tally.fileRemoved(left);
        left = await before.next();
      } else if (right !== undefined && (left === undefined || right.fileId < left.fileId)) {
        tally.fileAdded(right);
        right = await after.next();
      } else if (left !== undefined && right !== undefined) {
        tally.fileInBoth(left, right);
        [left, right] = await Promise.all([before.next(), after.next()]);
      }
    }
  } finally {
    await Promise.all([before.close(), after.close()]);
  }
  return tally.findings({
    ...(before.labelMap === undefined ? {} : { from: before.labelMap }),
    ...(after.labelMap === undefined ? {} : { to: after.labelMap }),
  });
}
