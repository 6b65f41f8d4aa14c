import type { PreflightResponse } from '../../contract/exports.ts';
import { currentChangeSeq } from '../annotations/file-changes.ts';
import type { AnnexDatabase, DatabaseReader } from '../db/database.ts';
import { ContentHashObserver } from './export-content-hash.ts';
import { buildMetadata } from './export-file-metadata.ts';
import type { ExportRecord } from './export-file-metadata.ts';
import type { ExportFileObserver } from './export-file-observer.ts';
import { buildPackets } from './export-file-packets.ts';
import type { SignedMediaUrl } from './export-file-packets.ts';
import { HashingFileSink } from '../storage/hashing-file-sink.ts';
import type { ExportFileSink } from '../storage/export-file-store.ts';
import {
  listSelectedFilesPage,
  previewResolvedSelection,
  resolveExportSelection,
} from './export-selection.ts';
import type { ResolvedExportSelection } from './export-selection.ts';
import type { ExportSettings } from './export-settings.ts';

/*
 * Writes one export as a Diffgram JSON 1.0 file (src/contract/export-file.ts), streaming.
 *
 * Every read happens inside ONE read-only snapshot of the database (`AnnexDatabase.readSnapshot`):
 * the selection, the counts, the metadata and every page. So the file is exactly the data as of the
 * snapshot, however long it takes to write and whatever is annotated meanwhile, and the check values
 * in `export_info`, counted before the first packet, are the counts of what follows. The project's
 * change counter is read in the same snapshot and returned (`snapshotSeq`): a file stamped above it
 * was changed after the export's data, which is how `changes_since` finds them. The hooks run
 * outside the snapshot, on whatever the caller closes over (the worker writes progress through the
 * main database), so they never wait on it nor write through it.
 *
 * The head (the five metadata keys) is written first; then the selected files are read in pages of
 * `pageSize` by file id (keyset), with one query for the page's instances and one for its video
 * sequences, and each page's packets go to the file as one chunk while the next page is read.
 * Memory is bounded by two pages (their files, instances and JSON text), never by the export's
 * size. Observers (`hooks.observers`, and always the content hash: export-content-hash.ts) see the
 * head and each packet, with the packet's text, as it is written: no second pass. Bytes are hashed
 * and counted as they are written; the file is fsynced and closed before the
 * result is returned, and removed on any error, so a caller that renames it into place never
 * exposes half a file.
 *
 * This module orchestrates; the seams live beside it: the file on disk (export-file-sink.ts), the
 * five metadata keys (export-file-metadata.ts), the packets (export-file-packets.ts) and the stored
 * JSON columns they read with the contract's schemas (export-file-stored-json.ts).
 */

export type { SignedMediaUrl } from './export-file-packets.ts';

/** What to write: the selection settings plus the export's own record (id, when, by whom). */
export interface WriteExportRequest extends ExportSettings, ExportRecord {}

/** How the caller follows, steers and cancels a write. */
export interface WriteHooks {
  /**
   * Called once with the number of files selected and the project's change counter in the snapshot
   * read (`export.snapshot_seq`), before any packet is written.
   */
  onStart?: (fileCount: number, snapshotSeq: number) => Promise<void> | void;
  /**
   * Called as packets are written, at most every `progressIntervalMs` (and once at the end with
   * `filesWritten === fileCount`); awaited, so a slow caller slows the writer rather than piling up.
   */
  onProgress?: (filesWritten: number, fileCount: number) => Promise<void> | void;
  /** Aborting stops the write between pages (or while waiting on the disk) and removes the partial file. */
  signal?: AbortSignal;
  /** Signs a file's stored media URL; default: the URL unchanged, expiring an hour after the write started. */
  signMediaUrl?: (mediaUrl: string) => SignedMediaUrl;
  /** Files read (and written) per page; default 500. Tuning only: any size writes the same file. */
  pageSize?: number;
  /** Least time between two `onProgress` calls, in milliseconds; default 250. */
  progressIntervalMs?: number;
  /** See the head, then every packet in file id order, as they are written (export-file-observer.ts). */
  observers?: readonly ExportFileObserver[];
  /**
   * Called once, inside the snapshot, after the selection is counted and before the head is
   * written: reads that must see exactly the data the file holds (the task check values). Reads
   * only; awaited.
   */
  readInSnapshot?: (
    snapshot: DatabaseReader,
    selection: ResolvedExportSelection,
    preflight: PreflightResponse,
  ) => Promise<void>;
}

/** What was written. */
export interface ExportFileResult {
  /** File packets written (`export_info.file_list_length`). */
  fileCount: number;
  /** Instances written over every packet (`export_info.instance_count`). */
  instanceCount: number;
  /** Size of the file in bytes. */
  sizeBytes: number;
  /** SHA-256 of the file, lowercase hex. */
  sha256: string;
  /**
   * SHA-256 of the file without what differs between two writes of the same data (the export's
   * id, time and creator; media URLs and their expiry), lowercase hex: see export-content-hash.ts.
   */
  contentSha256: string;
  /** The project's change counter in the snapshot the file was read from. */
  snapshotSeq: number;
}

/** The settings select no file; the message says why and what to change. No file is written. */
export class EmptyExportError extends Error {
  override name = 'EmptyExportError';

  /** @param preflight The counts that explain the empty selection. */
  constructor(readonly preflight: PreflightResponse) {
    super(
      preflight.empty_reason ??
        'No file matches these export settings. Choose All or another source.',
    );
  }
}

/**
 * Where the file goes: a path on the local disk (created or truncated; the caller puts it in place),
 * or a function that opens a sink once there is something to write (a storage's upload), so an
 * empty selection writes nothing anywhere.
 */
export type ExportOutput = string | ((signal: AbortSignal | undefined) => Promise<ExportFileSink>);

const defaultPageSize = 500;
const defaultProgressIntervalMs = 250;
const defaultUrlLifetimeSeconds = 3600;

/**
 * Writes the export file of `request` to `output` (see `ExportOutput`) from one snapshot of `database`, and returns its counts, size, SHA-256 and the
 * snapshot's change counter. Throws `EmptyExportError` when nothing is selected.
 */
export async function writeExportFile(
  database: AnnexDatabase,
  request: WriteExportRequest,
  output: ExportOutput,
  hooks: WriteHooks = {},
): Promise<ExportFileResult> {
  const pageSize = hooks.pageSize ?? defaultPageSize;
  if (!Number.isSafeInteger(pageSize) || pageSize <= 0) {
    throw new Error(`pageSize must be a positive integer, got ${pageSize}.`);
  }
  hooks.signal?.throwIfAborted();
  return database.readSnapshot((snapshot) =>
    writeFromSnapshot(snapshot, request, output, hooks, pageSize),
  );
}

async function writeFromSnapshot(
  snapshot: DatabaseReader,
  request: WriteExportRequest,
  output: ExportOutput,
  hooks: WriteHooks,
  pageSize: number,
): Promise<ExportFileResult> {
  const { signal } = hooks;
  const progressIntervalMs = hooks.progressIntervalMs ?? defaultProgressIntervalMs;

  const selection = await resolveExportSelection(snapshot, request);
  const snapshotSeq = await currentChangeSeq(snapshot.db, selection.source.project.id);
  const preflight = await previewResolvedSelection(snapshot, selection);
  if (preflight.file_count === 0) throw new EmptyExportError(preflight);
  const fileCount = preflight.file_count;
  await hooks.onStart?.(fileCount, snapshotSeq);
  signal?.throwIfAborted();
  await hooks.readInSnapshot?.(snapshot, selection, preflight);
  signal?.throwIfAborted();

  const head = await buildMetadata(snapshot, selection, request, {
    fileCount,
    instanceCount: preflight.instance_count,
  });
  // The content hash is always taken: every export records it (`export.content_sha256`).
  const contentHash = new ContentHashObserver();
  const observers = [contentHash, ...(hooks.observers ?? [])];
  for (const observer of observers) observer.onHead(head);
  const defaultExpiry = Math.floor(Date.now() / 1000) + defaultUrlLifetimeSeconds;
  const sign = hooks.signMediaUrl ?? ((url: string) => ({ url, expiry: defaultExpiry }));

  const sink =
    typeof output === 'string' ? await HashingFileSink.open(output, signal) : await output(signal);
  try {
    // The metadata object without its closing brace; packets follow as `,"<id>":{…}`.
    await sink.write(JSON.stringify(head).slice(0, -1));
    const readPage = async (afterFileId: number): Promise<PageText | null> => {
      const files = await listSelectedFilesPage(snapshot, selection, afterFileId, pageSize);
      const last = files.at(-1);
      if (last === undefined) return null;
      const packets = await buildPackets(snapshot, files, request.includeRemoved, sign);
      let text = '';
      let instances = 0;
      for (const { fileId, packet, instanceCount } of packets) {
        // Serialised once: the observers get the very text that is written.
        const packetText = JSON.stringify(packet);
        for (const observer of observers) observer.onPacket(fileId, packet, packetText);
        text += `,"${fileId}":${packetText}`;
        instances += instanceCount;
      }
      return { text, files: files.length, instances, lastFileId: last.id };
    };
    let filesWritten = 0;
    let instancesWritten = 0;
    let lastProgress = Date.now();
    // One page is read and built while the previous one drains to disk: at most two pages in memory.
    let nextPage = readPage(0);
    for (;;) {
      const page = await nextPage;
      signal?.throwIfAborted();
      if (page === null) break;
      filesWritten += page.files;
      instancesWritten += page.instances;
      const writing = sink.write(page.text);
      nextPage = readPage(page.lastFileId);
      // Left unawaited only when the loop ends by an error; that error is the one to report.
      nextPage.catch(() => undefined);
      await writing;
      if (hooks.onProgress !== undefined && Date.now() - lastProgress >= progressIntervalMs) {
        await hooks.onProgress(filesWritten, fileCount);
        lastProgress = Date.now();
      }
    }
    // The counts and the pages read one snapshot through one predicate (export-selection.ts), so
    // they agree unless that predicate and the packet reader disagree: a bug, never a user's edit.
    // Checked anyway, because the file would otherwise carry check values that lie.
    if (filesWritten !== fileCount || instancesWritten !== preflight.instance_count) {
      throw new Error(
        `annex wrote ${filesWritten} file packets and ${instancesWritten} instances but counted ${fileCount} and ${preflight.instance_count} in the same snapshot; this is a bug in annex, please report it with the export's settings`,
      );
    }
    await sink.write('}');
    const { sizeBytes, sha256 } = await sink.close();
    await hooks.onProgress?.(filesWritten, fileCount);
    return {
      fileCount: filesWritten,
      instanceCount: instancesWritten,
      sizeBytes,
      sha256,
      contentSha256: contentHash.digest(),
      snapshotSeq,
    };
  } catch (error) {
    // The failure is what the export reports: a cleanup that fails too must not replace it. The
    // worker's builder discards again, and logs what still fails.
    await sink.discard().catch(() => undefined);
    throw error;
  }
}

/** One page of packets as JSON text, ready to append. */
interface PageText {
  text: string;
  files: number;
  instances: number;
  lastFileId: number;
}
