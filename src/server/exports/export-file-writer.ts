import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import type { Selectable } from 'kysely';
import type { FileType, InstanceType } from '../../contract/annotations.ts';
import { instanceTypes } from '../../contract/annotations.ts';
import { exportFormatVersion, instanceGeometryFields } from '../../contract/export-file.ts';
import type {
  AnyInstance,
  AttributeGroupReference,
  ExportFileMetadata,
  ExportInfo,
  FilePacket,
  ImageFilePacket,
  Instance,
  LabelColourMap,
  LabelMap,
  Readme,
  TextFilePacket,
  TextToken,
  VideoFilePacket,
  VideoFrameInstance,
  VideoSequence,
} from '../../contract/export-file.ts';
import type { PreflightResponse } from '../../contract/exports.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { FileRow, SequenceTable } from '../db/schema.ts';
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
 * The head (the five metadata keys) is written first; then the selected files are read in pages of
 * `pageSize` by file id (keyset), with one query for the page's instances and one for its video
 * sequences, and each page's packets go to the file as one chunk while the next page is read.
 * Memory is bounded by two pages (their files, instances and JSON text), never by the export's size. Bytes are hashed and counted
 * as they are written; the file is fsynced and closed before the result is returned, and removed
 * on any error, so a caller that renames it into place never exposes half a file.
 *
 * The check values in `export_info` are written before the packets, so they are the counts taken
 * at the start; if the data changes while the file is written and the packets or instances written
 * differ from them, the write fails rather than produce a file whose check values lie.
 */

/** What to write: the selection settings plus the export's own record. */
export interface WriteExportRequest extends ExportSettings {
  /** The export's id (`export_info.id`). */
  exportId: number;
  /** When the export was asked for, ISO-8601 UTC (`export_info.created_time`). */
  createdTime: string;
  /** Who asked for it, an email (`export_info.user_created_email`). */
  createdBy: string;
}

/** A signed media URL and the Unix time (seconds) it stops working. */
export interface SignedMediaUrl {
  /** The URL a reader fetches the media with. */
  url: string;
  /** Unix time in seconds. */
  expiry: number;
}

/** How the caller follows, steers and cancels a write. */
export interface WriteHooks {
  /** Called once with the number of files selected, before any packet is written. */
  onStart?: (fileCount: number) => Promise<void> | void;
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

const defaultPageSize = 500;
const defaultProgressIntervalMs = 250;
const defaultUrlLifetimeSeconds = 3600;

/**
 * Writes the export file of `request` to `outPath` (created or truncated; the caller renames it
 * into place) and returns its counts, size and SHA-256. Throws `EmptyExportError` when nothing is
 * selected, and an Error when the files or instances written differ from those counted at the start.
 */
export async function writeExportFile(
  database: AnnexDatabase,
  request: WriteExportRequest,
  outPath: string,
  hooks: WriteHooks = {},
): Promise<ExportFileResult> {
  const { signal } = hooks;
  const pageSize = hooks.pageSize ?? defaultPageSize;
  if (!Number.isSafeInteger(pageSize) || pageSize <= 0) {
    throw new Error(`pageSize must be a positive integer, got ${pageSize}.`);
  }
  const progressIntervalMs = hooks.progressIntervalMs ?? defaultProgressIntervalMs;
  signal?.throwIfAborted();

  const selection = await resolveExportSelection(database, request);
  const preflight = await previewResolvedSelection(database, selection);
  if (preflight.file_count === 0) throw new EmptyExportError(preflight);
  const fileCount = preflight.file_count;
  await hooks.onStart?.(fileCount);
  signal?.throwIfAborted();

  const head = await buildMetadata(
    database,
    selection,
    request,
    fileCount,
    preflight.instance_count,
  );
  const defaultExpiry = Math.floor(Date.now() / 1000) + defaultUrlLifetimeSeconds;
  const sign = hooks.signMediaUrl ?? ((url: string) => ({ url, expiry: defaultExpiry }));

  const sink = await HashingFileSink.open(outPath, signal);
  try {
    // The metadata object without its closing brace; packets follow as `,"<id>":{…}`.
    await sink.write(JSON.stringify(head).slice(0, -1));
    const readPage = async (afterFileId: number): Promise<PageText | null> => {
      const files = await listSelectedFilesPage(database, selection, afterFileId, pageSize);
      const last = files.at(-1);
      if (last === undefined) return null;
      const packets = await buildPackets(database, files, request.includeRemoved, sign);
      let text = '';
      let instances = 0;
      for (const { fileId, packet, instanceCount } of packets) {
        text += `,"${fileId}":${JSON.stringify(packet)}`;
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
      // More files than selected: the check below fails the export, so reading on is pointless.
      nextPage = filesWritten > fileCount ? Promise.resolve(null) : readPage(page.lastFileId);
      // Left unawaited only when the loop ends by an error; that error is the one to report.
      nextPage.catch(() => undefined);
      await writing;
      if (hooks.onProgress !== undefined && Date.now() - lastProgress >= progressIntervalMs) {
        await hooks.onProgress(filesWritten, fileCount);
        lastProgress = Date.now();
      }
    }
    if (filesWritten !== fileCount) {
      throw new Error(
        `file count changed while writing: selected ${fileCount}, wrote ${filesWritten}; generate again`,
      );
    }
    if (instancesWritten !== preflight.instance_count) {
      throw new Error(
        `instance count changed while writing: counted ${preflight.instance_count}, wrote ${instancesWritten}; generate again`,
      );
    }
    await sink.write('}');
    const { sizeBytes, sha256 } = await sink.close();
    await hooks.onProgress?.(filesWritten, fileCount);
    return { fileCount: filesWritten, instanceCount: instancesWritten, sizeBytes, sha256 };
  } catch (error) {
    await sink.discard();
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

// ---- The file on disk -----------------------------------------------------------------------

/** A write stream that honours backpressure, hashes and counts what it writes, and fsyncs on close. */
class HashingFileSink {
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

  static async open(path: string, signal: AbortSignal | undefined): Promise<HashingFileSink> {
    // `flush: true` fsyncs the descriptor before it is closed.
    const stream = fs.createWriteStream(path, { flush: true });
    try {
      await once(stream, 'ready', { signal });
    } catch (error) {
      stream.destroy();
      await fs.promises.rm(path, { force: true });
      throw error;
    }
    return new HashingFileSink(path, stream, signal);
  }

  async write(text: string): Promise<void> {
    this.throwIfFailed();
    const buffer = Buffer.from(text, 'utf8');
    this.hash.update(buffer);
    this.bytes += buffer.length;
    if (!this.stream.write(buffer)) await once(this.stream, 'drain', { signal: this.signal });
  }

  async close(): Promise<{ sizeBytes: number; sha256: string }> {
    this.throwIfFailed();
    const closed = once(this.stream, 'close');
    this.stream.end();
    await closed;
    this.throwIfFailed();
    return { sizeBytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  async discard(): Promise<void> {
    if (!this.stream.closed) {
      const closed = once(this.stream, 'close').catch(() => undefined);
      this.stream.destroy();
      await closed;
    }
    await fs.promises.rm(this.path, { force: true });
  }
}

// ---- Metadata ---------------------------------------------------------------------------------

async function buildMetadata(
  database: AnnexDatabase,
  selection: ResolvedExportSelection,
  request: WriteExportRequest,
  fileCount: number,
  instanceCount: number,
): Promise<ExportFileMetadata> {
  const { db } = database;
  const { project } = selection.source;
  const labels = await db
    .selectFrom('label')
    .select(['id', 'name', 'colour_hex'])
    .where('project_id', '=', project.id)
    .orderBy('id')
    .execute();
  const labelMap: LabelMap = {};
  const labelColourMap: LabelColourMap = {};
  for (const label of labels) {
    labelMap[String(label.id)] = label.name;
    labelColourMap[String(label.id)] = {
      hex: label.colour_hex,
      rgba: { ...rgbOf(label.colour_hex, label.name), a: 1 },
    };
  }

  const readme: Readme = {
    format: `Diffgram JSON, export format version ${exportFormatVersion}`,
    about: `Annotations of project "${project.name}" (${project.project_string_id}), exported by annex.`,
    layout:
      "Five metadata keys (readme, label_map, label_colour_map, export_info, attribute_groups_reference); every other key is a file id whose value is that file's packet.",
    check_values:
      'export_info.file_list_length is the number of file packets in this file and export_info.instance_count the number of instances.',
    signed_urls:
      'Each *_signed_url is where the media can be fetched; do not rely on it after the Unix time in the *_signed_expiry beside it.',
    documentation:
      "Diffgram's export file format, version 1.0 (the Diffgram documentation on exports); annex checks every file it writes against that format, kept as zod schemas in annex's src/contract/export-file.ts.",
  };

  const exportInfo: ExportInfo = {
    id: request.exportId,
    export_format_version: exportFormatVersion,
    created_time: request.createdTime,
    kind: 'Annotations',
    source: request.source,
    ann_is_complete: request.annIsComplete,
    project: { name: project.name, project_string_id: project.project_string_id },
    directory: selection.source.directory,
    job: selection.source.job,
    task: selection.source.task,
    file_list_length: fileCount,
    user_created_email: request.createdBy,
    instance_count: instanceCount,
    include_removed: request.includeRemoved,
  };

  return {
    readme,
    label_map: labelMap,
    label_colour_map: labelColourMap,
    export_info: exportInfo,
    attribute_groups_reference: await buildAttributeGroupsReference(database, project.id),
  };
}

function rgbOf(hex: string, labelName: string): { r: number; g: number; b: number } {
  const match = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/.exec(hex);
  if (match === null)
    throw new Error(
      `Label "${labelName}" has colour "${hex}", which is not #rrggbb; fix the label's colour.`,
    );
  const channel = (digits: string | undefined) => Number.parseInt(digits ?? '', 16);
  return { r: channel(match[1]), g: channel(match[2]), b: channel(match[3]) };
}

async function buildAttributeGroupsReference(
  database: AnnexDatabase,
  projectId: number,
): Promise<AttributeGroupReference[]> {
  const { db } = database;
  const groups = await db
    .selectFrom('attribute_group')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('id')
    .execute();
  if (groups.length === 0) return [];
  const groupIds = groups.map((group) => group.id);
  const templates = await db
    .selectFrom('attribute_template')
    .selectAll()
    .where('group_id', 'in', groupIds)
    .orderBy('group_id')
    .orderBy('display_order')
    .orderBy('id')
    .execute();
  const groupLabels = await db
    .selectFrom('attribute_group_label')
    .innerJoin('label', 'label.id', 'attribute_group_label.label_id')
    .select(['attribute_group_label.group_id', 'label.id', 'label.name'])
    .where('attribute_group_label.group_id', 'in', groupIds)
    .orderBy('attribute_group_label.group_id')
    .orderBy('label.id')
    .execute();

  return groups.map((group) => ({
    id: group.id,
    kind: group.kind,
    name: group.name,
    prompt: group.prompt,
    is_global: group.is_global === 1,
    min_value: group.min_value,
    max_value: group.max_value,
    default_value: group.default_value,
    attribute_template_list: templates
      .filter((template) => template.group_id === group.id)
      .map((template) => ({
        id: template.id,
        name: template.name,
        group_id: template.group_id,
        display_order: template.display_order,
        archived: template.archived === 1,
      })),
    label_file_list: groupLabels
      .filter((row) => row.group_id === group.id)
      .map((row) => ({ id: row.id, name: row.name })),
  }));
}

// ---- Packets ----------------------------------------------------------------------------------

interface InstanceData {
  id: number;
  file_id: number;
  type: InstanceType;
  label_id: number | null;
  geometry: string;
  attribute_values: string | null;
  frame_number: number | null;
  sequence_id: number | null;
  local_sequence_number: number | null;
  interpolated: number;
  soft_deleted: number;
}

interface BuiltPacket {
  fileId: number;
  packet: FilePacket;
  instanceCount: number;
}

const knownInstanceTypes: ReadonlySet<string> = new Set(instanceTypes);

/** The packets of one page of files, from one instance query and one sequence query. */
async function buildPackets(
  database: AnnexDatabase,
  files: FileRow[],
  includeRemoved: boolean,
  sign: (mediaUrl: string) => SignedMediaUrl,
): Promise<BuiltPacket[]> {
  const { db } = database;
  const fileIds = files.map((file) => file.id);
  let instanceQuery = db
    .selectFrom('instance')
    .select([
      'id',
      'file_id',
      'type',
      'label_id',
      'geometry',
      'attribute_values',
      'frame_number',
      'sequence_id',
      'local_sequence_number',
      'interpolated',
      'soft_deleted',
    ])
    .where('file_id', 'in', fileIds)
    .orderBy('file_id')
    .orderBy('id');
  if (!includeRemoved) instanceQuery = instanceQuery.where('soft_deleted', '=', 0);
  const instances: InstanceData[] = await instanceQuery.execute();
  const instancesByFile = groupBy(instances, (instance) => instance.file_id);

  const videoIds = files.filter((file) => file.type === 'video').map((file) => file.id);
  const sequences =
    videoIds.length === 0
      ? []
      : await db
          .selectFrom('sequence')
          .selectAll()
          .where('file_id', 'in', videoIds)
          .orderBy('file_id')
          .orderBy('id')
          .execute();
  const sequencesByFile = groupBy(sequences, (sequence) => sequence.file_id);

  return files.map((file) => {
    const fileInstances = instancesByFile.get(file.id) ?? [];
    const signed = sign(file.media_url);
    const packet = buildPacket(file, fileInstances, sequencesByFile.get(file.id) ?? [], signed);
    return { fileId: file.id, packet, instanceCount: fileInstances.length };
  });
}

type SequenceData = Selectable<SequenceTable>;

function buildPacket(
  file: FileRow,
  instances: InstanceData[],
  sequences: SequenceData[],
  signed: SignedMediaUrl,
): FilePacket {
  const fileBlock = <T extends FileType>(type: T) => ({
    id: file.id,
    original_filename: file.original_filename,
    type,
    created_time: file.created_time,
    ann_is_complete: file.ann_is_complete === 1,
    blob_url: signed.url,
  });
  switch (file.type) {
    case 'image': {
      const packet: ImageFilePacket = {
        file: fileBlock('image'),
        image: {
          width: file.width,
          height: file.height,
          rotation_degrees: file.rotation_degrees,
          original_filename: file.original_filename,
          image_signed_url: signed.url,
          image_signed_expiry: signed.expiry,
        },
        instance_list: instances.map((instance) => toInstance(instance)),
      };
      return packet;
    }
    case 'text': {
      const packet: TextFilePacket = {
        file: fileBlock('text'),
        text: {
          original_filename: file.original_filename,
          tokens: parseTokens(file),
          signed_url: signed.url,
          signed_expiry: signed.expiry,
        },
        instance_list: instances.map((instance) => toInstance(instance)),
      };
      return packet;
    }
    case 'video':
      return buildVideoPacket(file, fileBlock('video'), instances, sequences, signed);
  }
}

function buildVideoPacket(
  file: FileRow,
  fileBlock: VideoFilePacket['file'],
  instances: InstanceData[],
  sequences: SequenceData[],
  signed: SignedMediaUrl,
): VideoFilePacket {
  const globalFrameStart = file.global_frame_start ?? 0;
  const sequenceList: VideoSequence[] = [];
  const sequenceById = new Map<number, VideoSequence>();
  for (const sequence of sequences) {
    const entry: VideoSequence = {
      id: sequence.id,
      label_file_id: sequence.label_id,
      number: sequence.number,
      keyframe_list: parseKeyframes(sequence.keyframe_list, sequence.id),
      single_frame: sequence.single_frame === 1,
      instance_list: [],
    };
    sequenceList.push(entry);
    sequenceById.set(sequence.id, entry);
  }

  const parentInstanceList: AnyInstance[] = [];
  for (const row of instances) {
    if (row.frame_number === null) {
      parentInstanceList.push(toInstance(row));
      continue;
    }
    const sequence = row.sequence_id === null ? undefined : sequenceById.get(row.sequence_id);
    const instance = toInstance(row, {
      frame_number: row.frame_number,
      global_frame_number: globalFrameStart + row.frame_number,
      local_sequence_number: row.local_sequence_number,
      number: sequence?.number ?? null,
      interpolated: row.interpolated === 1,
    }) as VideoFrameInstance;
    // A frame instance whose sequence is gone still belongs to the video: it goes with the parent list.
    if (sequence === undefined) parentInstanceList.push(instance);
    else sequence.instance_list.push(instance);
  }
  for (const sequence of sequenceList) {
    // Rows come in id order; frames are what a reader walks a sequence by (a stable sort keeps ids in order within a frame).
    sequence.instance_list.sort((a, b) => a.frame_number - b.frame_number);
  }

  return {
    file: fileBlock,
    video: {
      width: file.width,
      height: file.height,
      frame_rate: file.frame_rate,
      frame_count: file.frame_count,
      original_fps: file.original_fps,
      fps_conversion_ratio: file.fps_conversion_ratio,
      offset_in_seconds: file.offset_in_seconds,
      global_frame_start: globalFrameStart,
      mp4_video_signed_url: signed.url,
      mp4_video_signed_expiry: signed.expiry,
    },
    parent_instance_list: parentInstanceList,
    sequence_list: sequenceList,
  };
}

interface VideoFrameFields {
  frame_number: number;
  global_frame_number: number;
  local_sequence_number: number | null;
  number: number | null;
  interpolated: boolean;
}

/**
 * One instance in the format's field order: the common fields, exactly its type's geometry fields
 * (anything else stored in its geometry is left out), the video-frame fields when on a frame, and
 * `removed` when soft-deleted (only fetched when the export includes them).
 */
function toInstance(row: InstanceData, frame?: VideoFrameFields): Instance {
  if (!knownInstanceTypes.has(row.type)) {
    throw new Error(
      `Instance ${row.id} has type "${row.type}", which the export format does not know; fix or remove the instance.`,
    );
  }
  const instance: Record<string, unknown> = {
    id: row.id,
    type: row.type,
    label_file_id: row.label_id,
    attribute_groups:
      row.attribute_values === null
        ? null
        : parseJson(row.attribute_values, row.id, 'attribute_values'),
  };
  const geometryFields = instanceGeometryFields[row.type];
  if (geometryFields.length > 0) {
    const parsed = parseJson(row.geometry, row.id, 'geometry');
    if (typeof parsed !== 'object' || parsed === null) {
      throw new Error(
        `Instance ${row.id} (${row.type}) has a stored geometry that is not an object; fix or remove the instance.`,
      );
    }
    const geometry = parsed as Record<string, unknown>;
    for (const field of geometryFields) {
      const value = geometry[field];
      if (value === undefined) {
        throw new Error(
          `Instance ${row.id} (${row.type}) has no "${field}" in its stored geometry; fix or remove the instance.`,
        );
      }
      instance[field] = value;
    }
  }
  if (frame !== undefined) Object.assign(instance, frame);
  if (row.soft_deleted === 1) instance.removed = true;
  return instance as Instance;
}

function parseJson(text: string, instanceId: number, column: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Instance ${instanceId} has invalid JSON in ${column}; fix or remove the instance.`,
      { cause: error },
    );
  }
}

function parseKeyframes(text: string, sequenceId: number): number[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`Sequence ${sequenceId} has invalid JSON in keyframe_list.`, { cause: error });
  }
  if (!Array.isArray(value) || !value.every((frame) => Number.isInteger(frame))) {
    throw new Error(
      `Sequence ${sequenceId} has a keyframe_list that is not a list of frame numbers.`,
    );
  }
  return value as number[];
}

function parseTokens(file: FileRow): TextToken[] {
  if (file.text_tokens === null) return [];
  let value: unknown;
  try {
    value = JSON.parse(file.text_tokens);
  } catch (error) {
    throw new Error(
      `Text file ${file.id} (${file.original_filename}) has invalid JSON in text_tokens.`,
      { cause: error },
    );
  }
  if (!Array.isArray(value))
    throw new Error(
      `Text file ${file.id} (${file.original_filename}) has text_tokens that are not a list.`,
    );
  return value.map((token: unknown, index) => {
    const { id, text, start_char, end_char } = (token ?? {}) as Partial<
      Record<keyof TextToken, unknown>
    >;
    if (
      typeof id !== 'number' ||
      typeof text !== 'string' ||
      typeof start_char !== 'number' ||
      typeof end_char !== 'number'
    ) {
      throw new Error(
        `Text file ${file.id} (${file.original_filename}) has a malformed token at position ${index}.`,
      );
    }
    return { id, text, start_char, end_char };
  });
}

function groupBy<T>(rows: T[], key: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const id = key(row);
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [row]);
    else group.push(row);
  }
  return groups;
}
