import type { Selectable } from 'kysely';
import type { FileType, InstanceType } from '../../contract/annotations.ts';
import { instanceTypes } from '../../contract/annotations.ts';
import type {
  AnyInstance,
  FilePacket,
  ImageFilePacket,
  Instance,
  TextFilePacket,
  VideoFilePacket,
  VideoFrameInstance,
  VideoSequence,
} from '../../contract/export-file.ts';
import type { DatabaseReader } from '../db/database.ts';
import type { FileRow, SequenceTable } from '../db/schema.ts';
import {
  StoredValueError,
  readAttributeValues,
  readGeometry,
  readKeyframes,
  readTextTokens,
} from './export-file-stored-json.ts';

// The packets of an export file: one per selected file, built from its row, its instances and (for
// a video) its sequences. A page of files costs one instance query and one sequence query, never a
// query per file.

/** A signed media URL and the Unix time (seconds) it stops working. */
export interface SignedMediaUrl {
  /** The URL a reader fetches the media with. */
  url: string;
  /** Unix time in seconds. */
  expiry: number;
}

/** One file's packet, with what the writer checks the file against. */
export interface BuiltPacket {
  /** The file's id: the packet's top-level key. */
  fileId: number;
  /** The packet. */
  packet: FilePacket;
  /** Instances in the packet, sequence instances included. */
  instanceCount: number;
}

/** The columns of an instance row the packet reads. */
export interface InstanceRow {
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

/** A sequence row. */
export type SequenceRow = Selectable<SequenceTable>;

const knownInstanceTypes: ReadonlySet<string> = new Set(instanceTypes);

/**
 * The packets of one page of files, in the page's order, from one instance query and one sequence
 * query. Soft-deleted instances are read only when `includeRemoved`. Throws, naming the file and the
 * row, when a stored value does not fit the format.
 */
export async function buildPackets(
  database: DatabaseReader,
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
  const instances: InstanceRow[] = await instanceQuery.execute();
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

/**
 * One file's packet from its row, its instances (in id order) and its sequences. A bad stored value
 * fails with the file named in front of the row's own message, so a person knows where to look.
 */
export function buildPacket(
  file: FileRow,
  instances: InstanceRow[],
  sequences: SequenceRow[],
  signed: SignedMediaUrl,
): FilePacket {
  try {
    return buildPacketOfType(file, instances, sequences, signed);
  } catch (error) {
    if (!(error instanceof StoredValueError)) throw error;
    throw new StoredValueError(
      `Cannot export file ${file.id} (${file.original_filename}): ${error.message}`,
      { cause: error },
    );
  }
}

function buildPacketOfType(
  file: FileRow,
  instances: InstanceRow[],
  sequences: SequenceRow[],
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
          tokens: readTextTokens(file.text_tokens),
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
  instances: InstanceRow[],
  sequences: SequenceRow[],
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
      keyframe_list: readKeyframes(sequence.keyframe_list, sequence.id),
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
    const instance = toInstance(
      row,
      frameFieldsOf(row, row.frame_number, globalFrameStart, sequence?.number ?? null),
    ) as VideoFrameInstance;
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

function frameFieldsOf(
  row: InstanceRow,
  frameNumber: number,
  globalFrameStart: number,
  sequenceNumber: number | null,
): VideoFrameFields {
  return {
    frame_number: frameNumber,
    global_frame_number: globalFrameStart + frameNumber,
    local_sequence_number: row.local_sequence_number,
    number: sequenceNumber,
    interpolated: row.interpolated === 1,
  };
}

/**
 * A file's instances as one flat list in the rows' order (id order), each in the export's shape:
 * on a video, an instance on a frame carries the video-frame fields as its packet would (`number` of
 * its sequence, null when it has none). The write API answers with it, so what a script reads back
 * is what it would find in an export, and what it may send again.
 */
export function fileInstanceList(
  file: FileRow,
  instances: InstanceRow[],
  sequences: SequenceRow[],
): AnyInstance[] {
  const globalFrameStart = file.global_frame_start ?? 0;
  const numberById = new Map(sequences.map((sequence) => [sequence.id, sequence.number]));
  return instances.map((row) => {
    if (file.type !== 'video' || row.frame_number === null) return toInstance(row);
    const number = row.sequence_id === null ? null : (numberById.get(row.sequence_id) ?? null);
    return toInstance(row, frameFieldsOf(row, row.frame_number, globalFrameStart, number));
  });
}

/**
 * One instance in the format's field order: the common fields, exactly its type's geometry fields
 * (anything else stored in its geometry is left out), the video-frame fields when on a frame, and
 * `removed` when soft-deleted (only fetched when the export includes them).
 */
function toInstance(row: InstanceRow, frame?: VideoFrameFields): Instance {
  // The column's type says InstanceType, but the database holds whatever was stored.
  if (!knownInstanceTypes.has(row.type)) {
    throw new StoredValueError(
      `Instance ${row.id} has type "${row.type}", which the export format does not know; fix or remove the instance.`,
    );
  }
  const instance: Record<string, unknown> = {
    id: row.id,
    type: row.type,
    label_file_id: row.label_id,
    attribute_groups: readAttributeValues(row.attribute_values, row),
    ...readGeometry(row.geometry, row),
  };
  if (frame !== undefined) Object.assign(instance, frame);
  if (row.soft_deleted === 1) instance.removed = true;
  return instance as Instance;
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
