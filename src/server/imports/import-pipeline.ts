import {
  countPacketInstances,
  isFileIdKey,
  isMetadataKey,
  metadataKeys,
} from '../../contract/export-file.ts';
import type { MetadataKey } from '../../contract/export-file.ts';
import { formatImportProblem } from '../../contract/imports.ts';
import type { ImportProblem, ImportStage } from '../../contract/imports.ts';
import type { InstanceIdMaps } from '../annotations/instance-rows.ts';
import { importIdMaps, sourceTargetIds } from './import-id-maps.ts';
import { MetadataCollector, missingLabelMapMessage } from './import-metadata.ts';
import type { ImportMetadata } from './import-metadata.ts';
import { checkPacket } from './import-packet-check.ts';
import { writePage } from './import-page-writer.ts';
import type { PagePacket } from './import-page-writer.ts';
import { ProblemList } from './import-problems.ts';
import { readUploadEntries, UnreadableUploadError } from './import-reader.ts';
import type { UploadEntry } from './import-reader.ts';
import { ImportConflictError, prepareReferences } from './import-references.ts';
import type { ImportCounts, ImportOutcome, OpenUpload, RunImport } from './import-run.ts';

/*
 * The import pipeline (the seam is import-run.ts; read its comment first). Two reads of the upload:
 *
 * 1. Validating (the first 30% of the progress, by bytes read): every packet is parsed with the
 *    contract and checked against the file's metadata (import-packet-check.ts); nothing is written.
 *    A bad metadata value, or a file that is not JSON, fails the import whatever `on_error` says:
 *    no packet can be read without it. With `on_error=fail`, any bad packet fails it too.
 * 2. Writing (the rest): the directory, labels and attribute groups in one transaction
 *    (import-references.ts), then the good packets page by page, one transaction and one change
 *    counter value each (import-page-writer.ts). The packets are parsed again rather than
 *    remembered, so memory holds one page whatever the file's size.
 *
 * The metadata is read as it comes. Annex and Diffgram write it before the packets; a file that
 * puts it after them is read once more for its metadata alone before its packets are checked.
 */

/** Packets written per transaction. */
const defaultPageSize = 500;
/** A page also ends once it holds this many instances, so 500 huge packets are never one page. */
const defaultPageInstances = 50_000;
/** Least time between two progress reports. */
const defaultProgressIntervalMs = 250;
/** The share of the progress the validating read stands for. */
const validatingShare = 30;

/** Options for tests and the benchmark; the queue uses the defaults. */
export interface PipelineOptions {
  /** Packets per page (transaction); default 500. */
  pageSize?: number;
  /** Instances per page: a page ends once it holds this many, whatever its packets; default 50,000. */
  pageInstances?: number;
  /** IMPORT_MAX_PACKET_BYTES: a larger packet fails the import (an upload stored before the limit). */
  maxPacketBytes?: number;
  /** Least time between two progress reports, in milliseconds; default 250. */
  progressIntervalMs?: number;
}

/** Runs one import (the `RunImport` of import-run.ts) with the default options. */
export const runImport: RunImport = (database, spec, openUpload, sizeBytes, hooks = {}) =>
  runImportWith({}, database, spec, openUpload, sizeBytes, hooks);

/** `runImport` with options (page size); see the module comment. */
export async function runImportWith(
  options: PipelineOptions,
  ...[database, spec, openUpload, sizeBytes, hooks = {}]: Parameters<RunImport>
): Promise<ImportOutcome> {
  const pageSize = options.pageSize ?? defaultPageSize;
  const pageInstances = options.pageInstances ?? defaultPageInstances;
  const { maxPacketBytes } = options;
  const progressIntervalMs = options.progressIntervalMs ?? defaultProgressIntervalMs;
  const counts: ImportCounts = {
    packet_count: null,
    files_created: 0,
    files_updated: 0,
    files_skipped: 0,
    instances_created: 0,
    instances_updated: 0,
    instances_removed: 0,
    labels_created: 0,
    error_count: 0,
  };
  const problems = new ProblemList();
  const { signal } = hooks;
  let lastReport = 0;
  const report = async (stage: ImportStage, percent: number, force = false) => {
    if (hooks.onProgress === undefined) return;
    const now = Date.now();
    if (!force && now - lastReport < progressIntervalMs) return;
    lastReport = now;
    counts.error_count = problems.count;
    await hooks.onProgress({
      stage,
      percent: Math.min(100, Math.max(0, percent)),
      counts: { ...counts },
      errors: [...problems.kept],
    });
  };
  const share = (bytes: number, from: number, to: number) =>
    from + ((to - from) * Math.min(bytes, sizeBytes)) / Math.max(sizeBytes, 1);
  const failed = (statusText: string, directoryId: number | null = null): ImportOutcome => {
    counts.error_count = problems.count;
    return { status: 'failed', statusText, directoryId, counts, errors: problems.kept };
  };
  const fileProblem = (problem: ImportProblem) => {
    problems.addFileProblem(problem);
    return failed(
      `The file cannot be imported: ${formatImportProblem(problem)}; nothing was imported. Import the Diffgram JSON file as it was exported.`,
    );
  };

  // 1. Validating.
  await report('validating', 0, true);
  const validation = await validate(
    openUpload,
    signal,
    problems,
    async (bytes) => report('validating', share(bytes, 0, validatingShare)),
    maxPacketBytes,
  );
  if ('fatal' in validation) return fileProblem(validation.fatal);
  const { metadata, packetCount, badPackets } = validation;
  counts.packet_count = packetCount;
  counts.error_count = problems.count;
  await report('validating', validatingShare, true);
  if (badPackets > 0 && spec.onError === 'fail') {
    const [first] = problems.kept;
    const noun = badPackets === 1 ? '1 packet is' : `${badPackets} packets are`;
    return failed(
      `${noun} not valid Diffgram JSON (first: ${first === undefined ? 'see the errors' : formatImportProblem(first)}); nothing was imported. Fix them, or import with on_error=skip to leave them out.`,
    );
  }
  counts.files_skipped = badPackets;

  // 2. Writing.
  signal?.throwIfAborted();
  const { db, dialect } = database;
  let references;
  try {
    references = await db
      .transaction()
      .execute((trx) =>
        prepareReferences(
          trx,
          dialect,
          spec.projectId,
          spec.directoryName,
          metadata,
          new Date().toISOString(),
        ),
      );
  } catch (error) {
    if (error instanceof ImportConflictError)
      return failed(`${error.message} Nothing was imported.`);
    throw error;
  }
  counts.labels_created = references.labelsCreated;
  const { directoryId } = references;
  await hooks.onDirectory?.(directoryId);
  const maps = importIdMaps(metadata, references.target);
  const writeOne = async (page: PagePacket[]) => {
    signal?.throwIfAborted();
    const written = await db
      .transaction()
      .execute((trx) =>
        writePage(
          trx,
          { dialect, projectId: spec.projectId, directoryId, maps, now: new Date().toISOString() },
          page,
        ),
      );
    counts.files_created += written.filesCreated;
    counts.files_updated += written.filesUpdated;
    counts.instances_created += written.instancesCreated;
    counts.instances_updated += written.instancesUpdated;
    counts.instances_removed += written.instancesRemoved;
  };

  let page: PagePacket[] = [];
  let instancesInPage = 0;
  let bytesRead = 0;
  await report('writing', validatingShare, true);
  for await (const entries of readUploadEntries(
    openUpload,
    (bytes) => (bytesRead = bytes),
    maxPacketBytes,
  )) {
    for (const { key, value } of entries) {
      if (isMetadataKey(key)) continue;
      const checked = checkPacket(key, value, maps);
      // Checked the same way a moment ago; bad packets are the ones `skip` leaves out. One the first
      // pass passed (or any, under on_error=fail) failing now is a bug: never drop it silently.
      if (!checked.ok) {
        if (spec.onError === 'fail' || badPackets === 0)
          throw new Error(
            `Bug: packet ${key} passed validation but failed the writing pass's check (${checked.problems.map(formatImportProblem).join('; ')})`,
          );
        continue;
      }
      page.push({ sourceFileId: Number(key), packet: checked.packet });
      instancesInPage += countPacketInstances(checked.packet);
      if (page.length >= pageSize || instancesInPage >= pageInstances) {
        await writeOne(page);
        page = [];
        instancesInPage = 0;
        await report('writing', share(bytesRead, validatingShare, 100));
      }
    }
  }
  if (page.length > 0) await writeOne(page);
  await report('writing', 100, true);
  counts.error_count = problems.count;
  return { status: 'complete', statusText: null, directoryId, counts, errors: problems.kept };
}

type Validation =
  { fatal: ImportProblem } | { metadata: ImportMetadata; packetCount: number; badPackets: number };

/** The validating read (see the module comment): problems go to `problems`. */
async function validate(
  openUpload: OpenUpload,
  signal: AbortSignal | undefined,
  problems: ProblemList,
  onBytes: (bytes: number) => Promise<void>,
  maxPacketBytes: number | undefined,
): Promise<Validation> {
  const collector = new MetadataCollector();
  let maps: InstanceIdMaps | undefined;
  let packetCount = 0;
  let badPackets = 0;
  let bytesRead = 0;
  const seenMetadata = new Set<MetadataKey>();
  const readyMaps = (): InstanceIdMaps | ImportProblem => {
    const metadata = collector.result();
    if (metadata === undefined)
      return { packet: null, path: 'label_map', message: missingLabelMapMessage };
    return importIdMaps(metadata, sourceTargetIds(metadata));
  };
  const onMetadata = ({
    key,
    value,
  }: UploadEntry & { key: MetadataKey }): ImportProblem | undefined => {
    if (seenMetadata.has(key))
      return { packet: null, path: key, message: 'appears twice at the top level' };
    seenMetadata.add(key);
    const [problem] = collector.add(key, value);
    return problem;
  };

  try {
    let metadataFirst = true;
    reading: for await (const entries of readUploadEntries(
      openUpload,
      (bytes) => (bytesRead = bytes),
      maxPacketBytes,
    )) {
      signal?.throwIfAborted();
      for (const entry of entries) {
        const { key } = entry;
        if (isMetadataKey(key)) {
          const problem = onMetadata({ ...entry, key });
          if (problem !== undefined) return { fatal: problem };
          continue;
        }
        if (!isFileIdKey(key)) return { fatal: notAFileId(key) };
        if (maps === undefined) {
          if (!collector.readyForPackets) {
            metadataFirst = false;
            break reading;
          }
          const ready = readyMaps();
          if (!('label' in ready)) return { fatal: ready };
          maps = ready;
        }
        packetCount += 1;
        const checked = checkPacket(key, entry.value, maps);
        if (!checked.ok) {
          badPackets += 1;
          problems.addPacket(checked.problems);
        }
      }
      await onBytes(bytesRead);
    }
    if (metadataFirst) {
      if (maps === undefined) {
        const ready = readyMaps();
        if (!('label' in ready)) return { fatal: ready };
      }
      const metadata = collector.result();
      if (metadata === undefined)
        return { fatal: { packet: null, path: 'label_map', message: missingLabelMapMessage } };
      return { metadata, packetCount, badPackets };
    }

    // The metadata comes after (some) packets: read it all first, then the packets.
    for await (const entries of readUploadEntries(openUpload, undefined, maxPacketBytes)) {
      signal?.throwIfAborted();
      for (const entry of entries) {
        const { key } = entry;
        if (!isMetadataKey(key) || seenMetadata.has(key)) continue;
        const problem = onMetadata({ ...entry, key });
        if (problem !== undefined) return { fatal: problem };
      }
    }
    const ready = readyMaps();
    if (!('label' in ready)) return { fatal: ready };
    const metadata = collector.result();
    if (metadata === undefined)
      return { fatal: { packet: null, path: 'label_map', message: missingLabelMapMessage } };
    for await (const entries of readUploadEntries(
      openUpload,
      (bytes) => (bytesRead = bytes),
      maxPacketBytes,
    )) {
      signal?.throwIfAborted();
      for (const { key, value } of entries) {
        if (isMetadataKey(key)) continue;
        if (!isFileIdKey(key)) return { fatal: notAFileId(key) };
        packetCount += 1;
        const checked = checkPacket(key, value, ready);
        if (!checked.ok) {
          badPackets += 1;
          problems.addPacket(checked.problems);
        }
      }
      await onBytes(bytesRead);
    }
    return { metadata, packetCount, badPackets };
  } catch (error) {
    if (error instanceof UnreadableUploadError)
      return { fatal: { packet: null, path: '', message: error.message } };
    throw error;
  }
}

function notAFileId(key: string): ImportProblem {
  return {
    packet: null,
    path: JSON.stringify(key).slice(0, 80),
    message: `is neither a metadata key (${metadataKeys.join(', ')}) nor an integer file id`,
  };
}
