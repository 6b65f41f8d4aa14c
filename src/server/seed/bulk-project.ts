import { generateMersenne32Randomizer } from '@faker-js/faker';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type {
  AttributeGroupKind,
  FileType,
  InstanceType,
  TaskStatus,
} from '../../contract/annotations.ts';
import type { AnnexDatabase, DialectName } from '../db/database.ts';
import type { Database, Flag, NewFile, NewInstance } from '../db/schema.ts';
import { batchesOf, insertBatched } from './batch-insert.ts';

/*
 * A project of any size for benchmarks, built for speed: one seeded Mersenne Twister (Faker's own,
 * without Faker's per-call overhead) draws everything, rows are built as plain objects in chunks of
 * files and written with the largest multi-row INSERTs the dialect allows, all in one transaction.
 *
 * Shape, for N files (file i = 0 … N-1, named `bulk-000000.jpg` …):
 * - every 20th file (i % 20 === 10) is a 300-frame video with two 10-frame box sequences and a
 *   global instance; every 20th (i % 20 === 15) is a text file with 3–5 text_token instances;
 *   the rest are 1920×1080 images with 5–10 drawn instances of mixed types (box most often) and,
 *   on about 30% of them, a global instance;
 * - about 70% of files are complete, about 1% are removed, about 2% of instances are soft-deleted;
 * - directories `Luckfrill` (every file, the default) and `Sample` (every 10th file);
 * - jobs `Bulk round 1` (a task on each of the first 10% of files) and `Bulk review` (a task on
 *   every 50th file, so those in the first 10% are in both jobs), task statuses cycling through
 *   available, in_progress, complete, archived.
 */

/** What `seedBulkProject` builds. */
export interface BulkProjectOptions {
  /** How many files (at least 1). */
  files: number;
  /** The new project's `project_string_id`; must not exist yet. */
  projectStringId: string;
  /** Seed for the random numbers; the same seed and size give the same project. */
  seed?: number;
  /** Called after each chunk of files is written, for a progress display. */
  onProgress?: (filesWritten: number, filesTotal: number) => void;
}

/** What `seedBulkProject` made. */
export interface BulkProjectSummary {
  /** Project id. */
  projectId: number;
  /** The project's `project_string_id`. */
  projectStringId: string;
  /** The default directory (`Luckfrill`, holding every file). */
  defaultDirectoryId: number;
  /** The `Sample` directory (every 10th file). */
  sampleDirectoryId: number;
  /** Row counts. */
  counts: {
    files: number;
    images: number;
    videos: number;
    texts: number;
    /** Files with `ann_is_complete` = 1 (removed ones included). */
    completeFiles: number;
    removedFiles: number;
    instances: number;
    softDeletedInstances: number;
    sequences: number;
    tasks: number;
  };
}

/** project_string_id rules: what a URL path segment and a shell argument carry without quoting. */
export const projectStringIdPattern = /^[a-z0-9][a-z0-9_-]{0,99}$/;

const filesPerChunk = 5_000;
const baseTime = Date.parse('2024-01-01T00:00:00.000Z');
const imageWidth = 1920;
const imageHeight = 1080;
const videoFrames = 300;

const labels = [
  { name: 'car', colour: '#e6194b' },
  { name: 'pedestrian', colour: '#3cb44b' },
  { name: 'cyclist', colour: '#ffe119' },
  { name: 'traffic light', colour: '#4363d8' },
  { name: 'street sign', colour: '#f58231' },
  { name: 'lane marking', colour: '#911eb4' },
  { name: 'place', colour: '#42d4f4' },
] as const;
type LabelName = (typeof labels)[number]['name'];

const groups: {
  name: string;
  kind: AttributeGroupKind;
  labels: LabelName[];
  templates: string[];
  min?: number;
  max?: number;
}[] = [
  {
    name: 'occlusion',
    kind: 'select',
    labels: ['car', 'pedestrian', 'cyclist'],
    templates: ['none', 'partial', 'heavy'],
  },
  {
    name: 'confidence',
    kind: 'slider',
    labels: ['car', 'pedestrian', 'cyclist', 'street sign'],
    templates: [],
    min: 1,
    max: 10,
  },
  { name: 'time of day', kind: 'select', labels: [], templates: ['day', 'dusk', 'night'] },
];

// Weighted draw of an image instance's type: boxes dominate, as in real street-scene projects.
const imageTypeTable: InstanceType[] = [
  ...Array<InstanceType>(8).fill('box'),
  'polygon',
  'polygon',
  'line',
  'point',
  'ellipse',
  'cuboid',
  'keypoints',
];
const labelsByType: Record<InstanceType, LabelName[]> = {
  box: ['car', 'pedestrian', 'cyclist', 'traffic light', 'street sign'],
  polygon: ['car', 'street sign'],
  line: ['lane marking'],
  point: ['traffic light'],
  ellipse: ['traffic light', 'street sign'],
  cuboid: ['car'],
  keypoints: ['pedestrian'],
  text_token: ['place'],
  global: [],
};
const taskCycle: TaskStatus[] = ['available', 'in_progress', 'complete', 'archived'];

const sentence =
  'The silver van turned left onto Harbour Street while a cyclist waited at the light near the station .';
const tokenList = [...sentence.matchAll(/\S+/g)].map((match, id) => ({
  id,
  text: match[0],
  start_char: match.index,
  end_char: match.index + match[0].length,
}));
const tokensJson = JSON.stringify(tokenList);

function fileTypeOf(index: number): FileType {
  const slot = index % 20;
  return slot === 10 ? 'video' : slot === 15 ? 'text' : 'image';
}

function fileName(index: number, type: FileType): string {
  const extension = type === 'image' ? 'jpg' : type === 'video' ? 'mp4' : 'txt';
  return `bulk-${String(index).padStart(6, '0')}.${extension}`;
}

function time(seconds: number): string {
  return new Date(baseTime + seconds * 1000).toISOString();
}

/** Seeds a project of `files` files (shape in this module's header) in one transaction; fast enough for 100,000. */
export async function seedBulkProject(
  database: AnnexDatabase,
  options: BulkProjectOptions,
): Promise<BulkProjectSummary> {
  if (!Number.isInteger(options.files) || options.files < 1) {
    throw new Error(`files must be a positive whole number, got ${options.files}`);
  }
  if (!projectStringIdPattern.test(options.projectStringId)) {
    throw new Error(
      `project "${options.projectStringId}" is not a valid project_string_id: use 1–100 lowercase letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
  const summary = await database.db
    .transaction()
    .execute((trx) => writeBulk(trx, database.dialect, options));
  // Fresh statistics, or PostgreSQL plans the first counts over a million new rows blind.
  if (database.dialect === 'postgres')
    await sql`ANALYZE file, directory_file, task, sequence, instance`.execute(database.db);
  return summary;
}

async function writeBulk(
  db: Kysely<Database>,
  dialect: DialectName,
  options: BulkProjectOptions,
): Promise<BulkProjectSummary> {
  const { files: total, projectStringId } = options;
  const existing = await db
    .selectFrom('project')
    .select('id')
    .where('project_string_id', '=', projectStringId)
    .executeTakeFirst();
  if (existing !== undefined) {
    throw new Error(
      `A project "${projectStringId}" already exists (id ${existing.id}); choose another name with --project.`,
    );
  }
  const random = generateMersenne32Randomizer();
  random.seed(options.seed ?? 42);
  const int = (min: number, max: number) => min + Math.floor(random.next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random.next() * list.length)] as T;

  const project = await db
    .insertInto('project')
    .values({
      project_string_id: projectStringId,
      name: `Bulk: ${total.toLocaleString('en-US')} files`,
      default_directory_id: null,
      created_time: time(0),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const projectId = project.id;
  const directories = await db
    .insertInto('directory')
    .values([
      { project_id: projectId, nickname: 'Luckfrill', created_time: time(1) },
      { project_id: projectId, nickname: 'Sample', created_time: time(2) },
    ])
    .returning(['id', 'nickname'])
    .execute();
  const directoryId = (nickname: string) =>
    lookup(new Map(directories.map((row) => [row.nickname, row.id])), nickname);
  const defaultDirectoryId = directoryId('Luckfrill');
  const sampleDirectoryId = directoryId('Sample');
  await db
    .updateTable('project')
    .set({ default_directory_id: defaultDirectoryId })
    .where('id', '=', projectId)
    .execute();

  const labelRows = await db
    .insertInto('label')
    .values(
      labels.map((label) => ({
        project_id: projectId,
        name: label.name,
        colour_hex: label.colour,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  const labelIds = new Map(labelRows.map((row) => [row.name, row.id]));
  const groupRows = await db
    .insertInto('attribute_group')
    .values(
      groups.map((group) => ({
        project_id: projectId,
        kind: group.kind,
        name: group.name,
        prompt: `${group.name}?`,
        is_global: group.labels.length === 0 ? (1 as const) : (0 as const),
        min_value: group.min ?? null,
        max_value: group.max ?? null,
        default_value: null,
        created_time: time(3),
      })),
    )
    .returning(['id', 'name'])
    .execute();
  const groupIds = new Map(groupRows.map((row) => [row.name, row.id]));
  const templateRows = await db
    .insertInto('attribute_template')
    .values(
      groups.flatMap((group) =>
        group.templates.map((name, order) => ({
          group_id: lookup(groupIds, group.name),
          name,
          display_order: order,
          archived: 0 as const,
        })),
      ),
    )
    .returning(['id', 'group_id'])
    .execute();
  await insertBatched(
    db,
    dialect,
    'attribute_group_label',
    groups.flatMap((group) =>
      group.labels.map((label) => ({
        group_id: lookup(groupIds, group.name),
        label_id: lookup(labelIds, label),
      })),
    ),
  );

  // Attribute answers are prepared per label once; each instance then draws from small lists.
  const templatesOf = (groupName: string) => {
    const groupId = lookup(groupIds, groupName);
    return templateRows.filter((row) => row.group_id === groupId).map((row) => row.id);
  };
  const occlusion = { id: lookup(groupIds, 'occlusion'), templates: templatesOf('occlusion') };
  const confidenceId = lookup(groupIds, 'confidence');
  const timeOfDay = { id: lookup(groupIds, 'time of day'), templates: templatesOf('time of day') };
  const answersFor = (label: LabelName | null): string | null => {
    if (label === null) return `{"${timeOfDay.id}":${pick(timeOfDay.templates)}}`;
    const parts: string[] = [];
    if (label === 'car' || label === 'pedestrian' || label === 'cyclist')
      parts.push(`"${occlusion.id}":${pick(occlusion.templates)}`);
    if (label !== 'traffic light' && label !== 'lane marking' && label !== 'place')
      parts.push(`"${confidenceId}":${int(1, 10)}`);
    return parts.length === 0 ? null : `{${parts.join(',')}}`;
  };

  const jobRows = await db
    .insertInto('job')
    .values([
      {
        project_id: projectId,
        name: 'Bulk round 1',
        status: 'active',
        label_schema: JSON.stringify([...labelIds.values()]),
        created_time: time(4),
      },
      {
        project_id: projectId,
        name: 'Bulk review',
        status: 'active',
        label_schema: JSON.stringify([...labelIds.values()]),
        created_time: time(5),
      },
    ])
    .returning(['id', 'name'])
    .execute();
  const jobIds = new Map(jobRows.map((row) => [row.name, row.id]));
  const roundJobId = lookup(jobIds, 'Bulk round 1');
  const reviewJobId = lookup(jobIds, 'Bulk review');
  const roundFiles = Math.max(1, Math.floor(total / 10));

  const counts: BulkProjectSummary['counts'] = {
    files: 0,
    images: 0,
    videos: 0,
    texts: 0,
    completeFiles: 0,
    removedFiles: 0,
    instances: 0,
    softDeletedInstances: 0,
    sequences: 0,
    tasks: 0,
  };

  for (let chunkStart = 0; chunkStart < total; chunkStart += filesPerChunk) {
    const chunkEnd = Math.min(total, chunkStart + filesPerChunk);
    const fileRows: NewFile[] = [];
    for (let index = chunkStart; index < chunkEnd; index++) {
      const type = fileTypeOf(index);
      const complete: Flag = random.next() < 0.7 ? 1 : 0;
      const removed = random.next() < 0.01;
      counts.files += 1;
      counts[type === 'image' ? 'images' : type === 'video' ? 'videos' : 'texts'] += 1;
      counts.completeFiles += complete;
      if (removed) counts.removedFiles += 1;
      fileRows.push({
        project_id: projectId,
        type,
        original_filename: fileName(index, type),
        width: type === 'text' ? null : imageWidth,
        height: type === 'text' ? null : imageHeight,
        rotation_degrees: type === 'text' ? null : 0,
        frame_rate: type === 'video' ? 30 : null,
        frame_count: type === 'video' ? videoFrames : null,
        original_fps: type === 'video' ? 30 : null,
        fps_conversion_ratio: type === 'video' ? 1 : null,
        offset_in_seconds: type === 'video' ? 0 : null,
        global_frame_start: type === 'video' ? 0 : null,
        parent_file_id: null,
        text_tokens: type === 'text' ? tokensJson : null,
        media_url: `https://media.example.com/annex/${projectStringId}/${fileName(index, type)}`,
        ann_is_complete: complete,
        state: removed ? 'removed' : 'added',
        created_time: time(10 + index),
        last_modified_time: time(10 + index + int(0, 86_400)),
      });
    }

    const fileIds = new Map<string, number>();
    for (const batch of batchesOf(dialect, fileRows)) {
      const rows = await db
        .insertInto('file')
        .values(batch)
        .returning(['id', 'original_filename'])
        .execute();
      for (const row of rows) fileIds.set(row.original_filename, row.id);
    }
    const fileIdAt = (index: number) => lookup(fileIds, fileName(index, fileTypeOf(index)));

    const memberships: { directory_id: number; file_id: number }[] = [];
    const tasks: { job_id: number; file_id: number; status: TaskStatus; created_time: string }[] =
      [];
    for (let index = chunkStart; index < chunkEnd; index++) {
      const fileId = fileIdAt(index);
      memberships.push({ directory_id: defaultDirectoryId, file_id: fileId });
      if (index % 10 === 0) memberships.push({ directory_id: sampleDirectoryId, file_id: fileId });
      if (index < roundFiles)
        tasks.push({
          job_id: roundJobId,
          file_id: fileId,
          status: taskCycle[index % 4] ?? 'available',
          created_time: time(20 + index),
        });
      if (index % 50 === 0)
        tasks.push({
          job_id: reviewJobId,
          file_id: fileId,
          status: taskCycle[(index / 50) % 4] ?? 'available',
          created_time: time(30 + index),
        });
    }
    await insertBatched(db, dialect, 'directory_file', memberships);
    await insertBatched(db, dialect, 'task', tasks);
    counts.tasks += tasks.length;

    // Video sequences first: their instances need the sequence ids.
    const sequenceRows: {
      file_id: number;
      label_id: number;
      number: number;
      keyframe_list: string;
      single_frame: Flag;
    }[] = [];
    const sequenceStarts: number[] = [];
    for (let index = chunkStart; index < chunkEnd; index++) {
      if (fileTypeOf(index) !== 'video') continue;
      for (let number = 1; number <= 2; number++) {
        const start = int(0, videoFrames - 11);
        sequenceStarts.push(start);
        sequenceRows.push({
          file_id: fileIdAt(index),
          label_id: lookup(labelIds, number === 1 ? 'car' : 'pedestrian'),
          number: 1,
          keyframe_list: JSON.stringify([start, start + 4, start + 9]),
          single_frame: 0,
        });
      }
    }
    const sequenceIds = new Map<string, number>();
    for (const batch of batchesOf(dialect, sequenceRows)) {
      const rows = await db
        .insertInto('sequence')
        .values(batch)
        .returning(['id', 'file_id', 'label_id'])
        .execute();
      for (const row of rows) sequenceIds.set(`${row.file_id}/${row.label_id}`, row.id);
    }
    counts.sequences += sequenceRows.length;

    const instances: NewInstance[] = [];
    const add = (
      fileId: number,
      type: InstanceType,
      label: LabelName | null,
      geometry: string,
      createdSecond: number,
      video?: { frame: number; sequenceId: number; position: number; interpolated: Flag },
    ) => {
      const softDeleted: Flag = random.next() < 0.02 ? 1 : 0;
      counts.instances += 1;
      counts.softDeletedInstances += softDeleted;
      instances.push({
        project_id: projectId,
        file_id: fileId,
        type,
        label_id: label === null ? null : lookup(labelIds, label),
        geometry,
        attribute_values: answersFor(label),
        frame_number: video?.frame ?? null,
        sequence_id: video?.sequenceId ?? null,
        local_sequence_number: video?.position ?? null,
        interpolated: video?.interpolated ?? 0,
        soft_deleted: softDeleted,
        created_time: time(createdSecond),
        last_modified_time: time(createdSecond + softDeleted * 60),
      });
    };

    let sequenceCursor = 0;
    for (let index = chunkStart; index < chunkEnd; index++) {
      const fileId = fileIdAt(index);
      const type = fileTypeOf(index);
      const createdSecond = 100_000 + index * 10;
      if (type === 'image') {
        const count = int(5, 10);
        for (let n = 0; n < count; n++) {
          const instanceType = pick(imageTypeTable);
          add(
            fileId,
            instanceType,
            pick(labelsByType[instanceType]),
            geometryJson(instanceType, int),
            createdSecond + n,
          );
        }
        if (random.next() < 0.3) add(fileId, 'global', null, '{}', createdSecond + count);
      } else if (type === 'text') {
        const count = int(3, 5);
        for (let n = 0; n < count; n++) {
          const startToken = int(0, tokenList.length - 3);
          const endToken = startToken + int(0, 2);
          const geometry = `{"start_char":${tokenList[startToken]?.start_char ?? 0},"end_char":${tokenList[endToken]?.end_char ?? 0},"start_token":${startToken},"end_token":${endToken}}`;
          add(fileId, 'text_token', 'place', geometry, createdSecond + n);
        }
      } else {
        add(fileId, 'global', null, '{}', createdSecond);
        for (const label of ['car', 'pedestrian'] as const) {
          const sequenceId = lookup(sequenceIds, `${fileId}/${lookup(labelIds, label)}`);
          const start = sequenceStarts[sequenceCursor++] ?? 0;
          const box = {
            x: int(0, imageWidth - 300),
            y: int(0, imageHeight - 200),
            w: int(20, 180),
            h: int(20, 180),
          };
          for (let position = 0; position < 10; position++) {
            const x = box.x + position * 6;
            const geometry = `{"x_min":${x},"y_min":${box.y},"x_max":${x + box.w},"y_max":${box.y + box.h}}`;
            const interpolated: Flag = position === 0 || position === 4 || position === 9 ? 0 : 1;
            add(fileId, 'box', label, geometry, createdSecond + position, {
              frame: start + position,
              sequenceId,
              position,
              interpolated,
            });
          }
        }
      }
    }
    await insertBatched(db, dialect, 'instance', instances);
    options.onProgress?.(chunkEnd, total);
  }

  return { projectId, projectStringId, defaultDirectoryId, sampleDirectoryId, counts };
}

/** The geometry JSON of a drawn image instance, written as text: this runs some 750,000 times for 100,000 files. */
function geometryJson(type: InstanceType, int: (min: number, max: number) => number): string {
  const x0 = int(0, imageWidth - 200);
  const y0 = int(0, imageHeight - 200);
  const x1 = x0 + int(20, 180);
  const y1 = y0 + int(20, 180);
  const bounds = `"x_min":${x0},"y_min":${y0},"x_max":${x1},"y_max":${y1}`;
  switch (type) {
    case 'box':
      return `{${bounds}}`;
    case 'polygon':
      return `{${bounds},"points":[{"x":${x0},"y":${y0}},{"x":${x1},"y":${y0}},{"x":${x1},"y":${y1}},{"x":${x0},"y":${y1}}]}`;
    case 'line':
      return `{${bounds},"points":[{"x":${x0},"y":${y0}},{"x":${x1},"y":${y1}}]}`;
    case 'point':
      return `{"points":[{"x":${x0},"y":${y0}}]}`;
    case 'ellipse':
      return `{"center_x":${(x0 + x1) / 2},"center_y":${(y0 + y1) / 2},"width":${x1 - x0},"height":${y1 - y0},"angle":0}`;
    case 'cuboid': {
      const face = (d: number) =>
        `{"top_left":{"x":${x0 + d},"y":${y0 + d}},"top_right":{"x":${x1 + d},"y":${y0 + d}},"bot_left":{"x":${x0 + d},"y":${y1 + d}},"bot_right":{"x":${x1 + d},"y":${y1 + d}}}`;
      return `{"front_face":${face(0)},"rear_face":${face(10)}}`;
    }
    case 'keypoints':
      return `{"nodes":[{"id":"n0","name":"head","x":${x0},"y":${y0},"occluded":false},{"id":"n1","name":"left foot","x":${x0},"y":${y1},"occluded":false},{"id":"n2","name":"right foot","x":${x1},"y":${y1},"occluded":true}],"edges":[{"from":"n0","to":"n1"},{"from":"n0","to":"n2"}]}`;
    case 'text_token':
      return '{"start_char":0,"end_char":3,"start_token":0,"end_token":0}';
    case 'global':
      return '{}';
  }
}

function lookup<K, V>(map: Map<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`The bulk seed lost track of ${String(key)}`);
  return value;
}
