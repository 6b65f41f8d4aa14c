import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { AnyInstance, FilePacket } from '../../contract/export-file.ts';
import { markFilesChanged, nextChangeSeq } from '../annotations/file-changes.ts';
import { instanceContent, sameContent } from '../annotations/instance-rows.ts';
import type { InstanceContent, InstanceIdMaps } from '../annotations/instance-rows.ts';
import type { DialectName } from '../db/database.ts';
import type { Database, FileRow, NewFile, NewInstance } from '../db/schema.ts';
import { batchesOf, insertBatched } from '../seed/batch-insert.ts';

/*
 * Writes one page of good packets into a directory, in the caller's transaction, with one value of
 * the project's change counter (`nextChangeSeq`, taken first: it also makes the page's writers of
 * this project take turns, which the file ids below rely on on SQLite).
 *
 * A packet whose source file id the directory has imported before (`imported_file`) updates that
 * file in place: its fields when they differ, its sequences by (label, number), its instances by
 * `source_instance_id` (changed ones rewritten, new ones made, live ones the packet no longer holds
 * soft-deleted); a file nothing changed on is not stamped. Any other packet makes a file, its
 * membership, its `imported_file` row, its sequences and its instances.
 *
 * Every statement is a batch over the page (a changed file's own row and a changed sequence are one
 * UPDATE each; only a re-import that changes them pays that), so 100,000 files cost a few hundred
 * statements, never one per instance.
 */

/** One good packet of the page, by the source's file id. */
export interface PagePacket {
  /** The packet's key: the file's id in the imported file. */
  sourceFileId: number;
  /** The packet, as the contract parsed it. */
  packet: FilePacket;
}

/** Where the page goes and how its ids map. */
export interface PageTarget {
  dialect: DialectName;
  projectId: number;
  directoryId: number;
  /** The file's label and attribute ids to the project's. */
  maps: InstanceIdMaps;
  /** The time written into new rows and changed ones. */
  now: string;
}

/** What one page did. */
export interface PageCounts {
  filesCreated: number;
  filesUpdated: number;
  instancesCreated: number;
  instancesUpdated: number;
  instancesRemoved: number;
  /** The change counter value the page took. */
  seq: number;
}

/** The file columns a packet sets, compared on re-import. */
type FileFields = Pick<
  FileRow,
  | 'type'
  | 'original_filename'
  | 'width'
  | 'height'
  | 'rotation_degrees'
  | 'frame_rate'
  | 'frame_count'
  | 'original_fps'
  | 'fps_conversion_ratio'
  | 'offset_in_seconds'
  | 'global_frame_start'
  | 'text_tokens'
  | 'media_url'
  | 'ann_is_complete'
  | 'state'
  | 'created_time'
>;

const fileFieldNames = [
  'type',
  'original_filename',
  'width',
  'height',
  'rotation_degrees',
  'frame_rate',
  'frame_count',
  'original_fps',
  'fps_conversion_ratio',
  'offset_in_seconds',
  'global_frame_start',
  'text_tokens',
  'media_url',
  'ann_is_complete',
  'state',
  'created_time',
] as const satisfies readonly (keyof FileFields)[];

/** The file columns of a packet: media block fields, the signed URL as the media URL. */
export function fileFieldsOf(packet: FilePacket): FileFields {
  const common = {
    original_filename: packet.file.original_filename,
    ann_is_complete: packet.file.ann_is_complete ? (1 as const) : (0 as const),
    state: 'added' as const,
    created_time: packet.file.created_time,
  };
  const none = {
    width: null,
    height: null,
    rotation_degrees: null,
    frame_rate: null,
    frame_count: null,
    original_fps: null,
    fps_conversion_ratio: null,
    offset_in_seconds: null,
    global_frame_start: null,
    text_tokens: null,
  };
  if ('image' in packet) {
    const { image } = packet;
    return {
      ...none,
      ...common,
      type: 'image',
      width: image.width,
      height: image.height,
      rotation_degrees: image.rotation_degrees,
      media_url: image.image_signed_url,
    };
  }
  if ('video' in packet) {
    const { video } = packet;
    return {
      ...none,
      ...common,
      type: 'video',
      width: video.width,
      height: video.height,
      frame_rate: video.frame_rate,
      frame_count: video.frame_count,
      original_fps: video.original_fps,
      fps_conversion_ratio: video.fps_conversion_ratio,
      offset_in_seconds: video.offset_in_seconds,
      global_frame_start: video.global_frame_start,
      media_url: video.mp4_video_signed_url,
    };
  }
  return {
    ...none,
    ...common,
    type: 'text',
    text_tokens: JSON.stringify(packet.text.tokens),
    media_url: packet.text.signed_url,
  };
}

/** A packet's sequences as rows (without their file), in packet order. */
interface SequenceFields {
  label_id: number;
  number: number;
  keyframe_list: string;
  single_frame: 0 | 1;
}

/** One instance of a packet with the sequence it belongs to (its index in `sequence_list`). */
interface PacketInstance {
  instance: AnyInstance;
  sequenceIndex: number | null;
}

/** A packet's instances in write order: parent (or plain) list first, then each sequence's. */
function instancesOf(packet: FilePacket): PacketInstance[] {
  if (!('sequence_list' in packet)) {
    return packet.instance_list.map((instance) => ({ instance, sequenceIndex: null }));
  }
  return [
    ...packet.parent_instance_list.map((instance) => ({ instance, sequenceIndex: null })),
    ...packet.sequence_list.flatMap((sequence, sequenceIndex) =>
      sequence.instance_list.map((instance) => ({ instance, sequenceIndex })),
    ),
  ];
}

function sequencesOf(packet: FilePacket, maps: InstanceIdMaps): SequenceFields[] {
  if (!('sequence_list' in packet)) return [];
  return packet.sequence_list.map((sequence) => ({
    label_id: mapped(maps.label(sequence.label_file_id), `label ${sequence.label_file_id}`),
    number: sequence.number,
    keyframe_list: JSON.stringify(sequence.keyframe_list),
    single_frame: sequence.single_frame ? 1 : 0,
  }));
}

function mapped(id: number | undefined, what: string): number {
  // The validation pass checked every id with the same maps; a miss here is a bug, not bad input.
  if (id === undefined) throw new Error(`The import lost track of ${what}`);
  return id;
}

const sequenceKey = (fileId: number, labelId: number, number: number) =>
  `${fileId}/${labelId}/${number}`;

/** What the page will write, gathered before any statement that writes instances. */
class PagePlan {
  readonly newInstances: NewInstance[] = [];
  /** Changed instances: deleted and written again under their own id (two statements per page). */
  readonly rewritten: (NewInstance & { id: number })[] = [];
  readonly removedIds: number[] = [];
  readonly newSequences: (SequenceFields & { file_id: number })[] = [];
  /** Sequence ids by file, label and number: the existing ones, then the new ones once written. */
  readonly sequenceIds = new Map<string, number>();
  /** Rows whose sequence is new, waiting for its id. */
  readonly waiting: { key: string; row: NewInstance }[] = [];
  /** Files a re-import changed (new files are stamped as they are made). */
  readonly changedFiles = new Set<number>();

  constructor(private readonly target: PageTarget) {}

  /**
   * The content of `instance` of file `fileId`, with its sequence's id when that sequence exists;
   * `pendingKey` says which new sequence it waits for otherwise.
   */
  content(
    fileId: number,
    instance: AnyInstance,
    sequence: SequenceFields | undefined,
  ): { content: InstanceContent; pendingKey: string | null } {
    if (sequence === undefined) {
      return { content: instanceContent(instance, this.target.maps, null), pendingKey: null };
    }
    const key = sequenceKey(fileId, sequence.label_id, sequence.number);
    const id = this.sequenceIds.get(key);
    return {
      content: instanceContent(instance, this.target.maps, id ?? null),
      pendingKey: id === undefined ? key : null,
    };
  }

  /** Queues a new instance row. */
  create(fileId: number, instance: AnyInstance, sequence: SequenceFields | undefined): void {
    const { content, pendingKey } = this.content(fileId, instance, sequence);
    const row: NewInstance = {
      project_id: this.target.projectId,
      file_id: fileId,
      ...content,
      created_time: this.target.now,
      last_modified_time: this.target.now,
      source_instance_id: instance.id,
    };
    this.newInstances.push(row);
    if (pendingKey !== null) this.waiting.push({ key: pendingKey, row });
  }

  /** Writes the sequences, then fills in the waiting rows' sequence ids. */
  async writeSequences(trx: Kysely<Database>): Promise<void> {
    for (const batch of batchesOf(this.target.dialect, this.newSequences)) {
      const rows = await trx
        .insertInto('sequence')
        .values(batch)
        .returning(['id', 'file_id', 'label_id', 'number'])
        .execute();
      for (const row of rows)
        this.sequenceIds.set(sequenceKey(row.file_id, row.label_id, row.number), row.id);
    }
    for (const { key, row } of this.waiting) {
      row.sequence_id = mapped(this.sequenceIds.get(key), `sequence ${key}`);
    }
  }
}

/** Writes one page (see the module comment); run it inside a transaction. */
export async function writePage(
  trx: Kysely<Database>,
  target: PageTarget,
  page: readonly PagePacket[],
): Promise<PageCounts> {
  const { dialect, projectId, directoryId, now } = target;
  const seq = await nextChangeSeq(trx, projectId);
  const counts: PageCounts = {
    filesCreated: 0,
    filesUpdated: 0,
    instancesCreated: 0,
    instancesUpdated: 0,
    instancesRemoved: 0,
    seq,
  };
  // A key given twice in the file: the later packet wins, as JSON.parse would have it.
  const bySource = new Map<number, FilePacket>();
  for (const { sourceFileId, packet } of page) bySource.set(sourceFileId, packet);

  const known = new Map<number, number>();
  for (const chunk of chunksOf([...bySource.keys()], 5_000)) {
    const rows = await trx
      .selectFrom('imported_file')
      .select(['source_file_id', 'file_id'])
      .where('directory_id', '=', directoryId)
      .where('source_file_id', 'in', chunk)
      .execute();
    for (const row of rows) known.set(row.source_file_id, row.file_id);
  }
  const fresh: [number, FilePacket][] = [];
  const again: { fileId: number; packet: FilePacket }[] = [];
  for (const [sourceId, packet] of bySource) {
    const fileId = known.get(sourceId);
    if (fileId === undefined) fresh.push([sourceId, packet]);
    else again.push({ fileId, packet });
  }

  const plan = new PagePlan(target);
  if (fresh.length > 0) {
    const ids = await allocateFileIds(trx, dialect, fresh.length);
    const fileRows = fresh.map(([, packet], index) => ({
      id: mapped(ids[index], 'a new file id'),
      project_id: projectId,
      ...fileFieldsOf(packet),
      parent_file_id: null,
      last_modified_time: now,
      change_seq: seq,
      created_seq: seq,
    })) satisfies NewFile[];
    await insertBatched(trx, dialect, 'file', fileRows);
    await insertBatched(
      trx,
      dialect,
      'directory_file',
      fileRows.map((row) => ({ directory_id: directoryId, file_id: row.id, added_seq: seq })),
    );
    await insertBatched(
      trx,
      dialect,
      'imported_file',
      fresh.map(([sourceId], index) => ({
        directory_id: directoryId,
        source_file_id: sourceId,
        file_id: mapped(fileRows[index]?.id, 'a new file id'),
      })),
    );
    fresh.forEach(([, packet], index) => {
      const fileId = mapped(fileRows[index]?.id, 'a new file id');
      const sequences = sequencesOf(packet, target.maps);
      for (const sequence of sequences) plan.newSequences.push({ ...sequence, file_id: fileId });
      for (const { instance, sequenceIndex } of instancesOf(packet)) {
        plan.create(
          fileId,
          instance,
          sequenceIndex === null ? undefined : sequences[sequenceIndex],
        );
      }
    });
    counts.filesCreated = fresh.length;
  }
  if (again.length > 0) {
    await planKnownFiles(trx, target, seq, again, plan, counts);
    // Only files the packet changed (fields, membership, sequences or instances): an unchanged
    // re-import updates nothing and says so.
    counts.filesUpdated = again.filter(({ fileId }) => plan.changedFiles.has(fileId)).length;
  }

  await plan.writeSequences(trx);
  await insertBatched(trx, dialect, 'instance', plan.newInstances);
  counts.instancesCreated = plan.newInstances.length;
  for (const chunk of chunksOf(plan.rewritten, 5_000)) {
    await trx
      .deleteFrom('instance')
      .where(
        'id',
        'in',
        chunk.map((row) => row.id),
      )
      .execute();
  }
  await insertBatched(trx, dialect, 'instance', plan.rewritten);
  for (const chunk of chunksOf(plan.removedIds, 5_000)) {
    await trx
      .updateTable('instance')
      .set({ soft_deleted: 1, last_modified_time: now })
      .where('id', 'in', chunk)
      .execute();
  }
  await markFilesChanged(trx, [...plan.changedFiles], seq, now);
  return counts;
}

/** Plans the re-import of files the directory imported before; writes their own rows and sequences. */
async function planKnownFiles(
  trx: Kysely<Database>,
  target: PageTarget,
  seq: number,
  again: readonly { fileId: number; packet: FilePacket }[],
  plan: PagePlan,
  counts: PageCounts,
): Promise<void> {
  const { dialect, projectId, directoryId, maps, now } = target;
  const fileIds = again.map(({ fileId }) => fileId);
  const storedFiles = new Map<number, FileFields>();
  const members = new Set<number>();
  const storedSequences = new Map<
    string,
    { id: number; keyframe_list: string; single_frame: number }
  >();
  const storedInstances = new Map<number, StoredInstance[]>();
  for (const chunk of chunksOf(fileIds, 2_000)) {
    for (const row of await trx
      .selectFrom('file')
      .select(['id', ...fileFieldNames])
      .where('id', 'in', chunk)
      .execute())
      storedFiles.set(row.id, row);
    for (const row of await trx
      .selectFrom('directory_file')
      .select('file_id')
      .where('directory_id', '=', directoryId)
      .where('file_id', 'in', chunk)
      .execute())
      members.add(row.file_id);
    for (const row of await trx
      .selectFrom('sequence')
      .select(['id', 'file_id', 'label_id', 'number', 'keyframe_list', 'single_frame'])
      .where('file_id', 'in', chunk)
      .orderBy('id')
      .execute()) {
      const key = sequenceKey(row.file_id, row.label_id, row.number);
      if (storedSequences.has(key)) continue;
      storedSequences.set(key, row);
      plan.sequenceIds.set(key, row.id);
    }
    for (const row of await trx
      .selectFrom('instance')
      .select([
        'id',
        'file_id',
        'source_instance_id',
        'type',
        'label_id',
        'geometry',
        'attribute_values',
        'frame_number',
        'sequence_id',
        'local_sequence_number',
        'interpolated',
        'soft_deleted',
        'created_time',
      ])
      .where('file_id', 'in', chunk)
      .orderBy('id')
      .execute()) {
      const list = storedInstances.get(row.file_id);
      if (list === undefined) storedInstances.set(row.file_id, [row]);
      else list.push(row);
    }
  }

  const newMembers = fileIds.filter((fileId) => !members.has(fileId));
  await insertBatched(
    trx,
    dialect,
    'directory_file',
    newMembers.map((fileId) => ({ directory_id: directoryId, file_id: fileId, added_seq: seq })),
  );
  for (const fileId of newMembers) plan.changedFiles.add(fileId);

  for (const { fileId, packet } of again) {
    const stored = storedFiles.get(fileId);
    const fields = fileFieldsOf(packet);
    const changedFields: Partial<FileFields> = {};
    for (const name of fileFieldNames) {
      if (stored?.[name] !== fields[name]) Object.assign(changedFields, { [name]: fields[name] });
    }
    if (Object.keys(changedFields).length > 0) {
      await trx.updateTable('file').set(changedFields).where('id', '=', fileId).execute();
      plan.changedFiles.add(fileId);
    }

    const sequences = sequencesOf(packet, maps);
    for (const sequence of sequences) {
      const key = sequenceKey(fileId, sequence.label_id, sequence.number);
      const existing = storedSequences.get(key);
      if (existing === undefined) {
        plan.newSequences.push({ ...sequence, file_id: fileId });
        plan.changedFiles.add(fileId);
      } else if (
        existing.keyframe_list !== sequence.keyframe_list ||
        existing.single_frame !== sequence.single_frame
      ) {
        await trx
          .updateTable('sequence')
          .set({ keyframe_list: sequence.keyframe_list, single_frame: sequence.single_frame })
          .where('id', '=', existing.id)
          .execute();
        plan.changedFiles.add(fileId);
      }
    }

    const bySourceId = new Map<number, StoredInstance>();
    for (const row of storedInstances.get(fileId) ?? []) {
      if (row.source_instance_id !== null && !bySourceId.has(row.source_instance_id))
        bySourceId.set(row.source_instance_id, row);
    }
    const kept = new Set<number>();
    for (const { instance, sequenceIndex } of instancesOf(packet)) {
      const sequence = sequenceIndex === null ? undefined : sequences[sequenceIndex];
      const existing = bySourceId.get(instance.id);
      if (existing === undefined) {
        plan.create(fileId, instance, sequence);
        plan.changedFiles.add(fileId);
        continue;
      }
      kept.add(existing.id);
      const { content, pendingKey } = plan.content(fileId, instance, sequence);
      if (pendingKey === null && sameContent(storedContent(existing), content)) continue;
      const row = {
        id: existing.id,
        project_id: projectId,
        file_id: fileId,
        ...content,
        created_time: existing.created_time,
        last_modified_time: now,
        source_instance_id: instance.id,
      };
      plan.rewritten.push(row);
      if (pendingKey !== null) plan.waiting.push({ key: pendingKey, row });
      counts.instancesUpdated += 1;
      plan.changedFiles.add(fileId);
    }
    for (const row of storedInstances.get(fileId) ?? []) {
      if (kept.has(row.id) || row.soft_deleted === 1) continue;
      plan.removedIds.push(row.id);
      counts.instancesRemoved += 1;
      plan.changedFiles.add(fileId);
    }
  }
}

/** The columns of a stored instance a re-import compares and keeps. */
interface StoredInstance extends InstanceContent {
  id: number;
  file_id: number;
  source_instance_id: number | null;
  created_time: string;
}

function storedContent(row: StoredInstance): InstanceContent {
  return row;
}

/**
 * Takes `count` unused file ids. The rows are inserted with them, so each packet's file id is known
 * without matching RETURNING rows back to packets (neither engine promises their order, and nothing
 * in a file row tells two new packets apart). PostgreSQL: from the id column's sequence. SQLite: past
 * the highest id ever given (AUTOINCREMENT's own rule), safe because `nextChangeSeq` already took the
 * write lock for this transaction.
 */
async function allocateFileIds(
  trx: Kysely<Database>,
  dialect: DialectName,
  count: number,
): Promise<number[]> {
  if (dialect === 'postgres') {
    const { rows } = await sql<{ id: number }>`
      select nextval(pg_get_serial_sequence('file', 'id')) as id from generate_series(1, ${count})
    `.execute(trx);
    return rows.map((row) => row.id).sort((a, b) => a - b);
  }
  const { rows } = await sql<{ top: number }>`
    select max(
      coalesce((select seq from sqlite_sequence where name = 'file'), 0),
      coalesce((select max(id) from file), 0)
    ) as top
  `.execute(trx);
  const top = rows[0]?.top ?? 0;
  return Array.from({ length: count }, (_, index) => top + 1 + index);
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}
