import { generateMersenne32Randomizer } from '@faker-js/faker';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { InstanceType } from '../../contract/annotations.ts';
import type { AnnexDatabase, DialectName } from '../db/database.ts';
import type { Database, Flag, NewFile, NewInstance } from '../db/schema.ts';
import { insertBatched } from './batch-insert.ts';
import {
  bulkGroups,
  fileName,
  fileTypeOf,
  geometryJson,
  imageHeight,
  imageTypeTable,
  imageWidth,
  taskCycle,
  tokenList,
  tokensJson,
  videoFrames,
} from './bulk-shape.ts';
import {
  insertAttributeGroups,
  insertFiles,
  insertJobs,
  insertLabels,
  insertProject,
  insertSequences,
  required,
  seedClock,
} from './project-writer.ts';
import type { SequenceSpec, TaskSpec } from './project-writer.ts';
import { labelsByDrawnType, streetSceneLabels } from './street-scene-labels.ts';
import type { StreetSceneLabel } from './street-scene-labels.ts';

/*
 * A project of any size for benchmarks, built for speed: one seeded Mersenne Twister (Faker's own,
 * without Faker's per-call overhead) draws everything, rows are built as plain objects in chunks of
 * files and written with the largest multi-row INSERTs the dialect allows, all in one transaction.
 * The rows go through project-writer.ts (shared with the demo); the fixed parts of the shape below
 * (groups, type weights, names, geometry) are in bulk-shape.ts.
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
const time = seedClock('2024-01-01T00:00:00.000Z', 1000);

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
  const random = generateMersenne32Randomizer();
  random.seed(options.seed ?? 42);
  const int = (min: number, max: number) => min + Math.floor(random.next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random.next() * list.length)] as T;

  const { projectId, defaultDirectoryId, directoryIds } = await insertProject(db, {
    projectStringId,
    name: `Bulk: ${total.toLocaleString('en-US')} files`,
    createdTime: time(0),
    directories: [
      { nickname: 'Luckfrill', createdTime: time(1) },
      { nickname: 'Sample', createdTime: time(2) },
    ],
    defaultDirectory: 'Luckfrill',
    whenTaken: 'choose another name with --project.',
  });
  const sampleDirectoryId = required(directoryIds, 'Sample', 'directory');
  const labelIds = await insertLabels(db, projectId, streetSceneLabels);
  const { groupIds, templateIds } = await insertAttributeGroups(
    db,
    dialect,
    projectId,
    bulkGroups.map((group) => ({
      name: group.name,
      kind: group.kind,
      prompt: `${group.name}?`,
      labels: group.labels,
      templates: group.templates.map((name) => ({ name, archived: false })),
      min: group.min ?? null,
      max: group.max ?? null,
      defaultValue: null,
      createdTime: time(3),
    })),
    labelIds,
  );

  // Attribute answers are prepared per label once; each instance then draws from small lists.
  const templatesOf = (groupName: string) => [
    ...required(templateIds, groupName, 'attribute group').values(),
  ];
  const occlusion = {
    id: required(groupIds, 'occlusion', 'attribute group'),
    templates: templatesOf('occlusion'),
  };
  const confidenceId = required(groupIds, 'confidence', 'attribute group');
  const timeOfDay = {
    id: required(groupIds, 'time of day', 'attribute group'),
    templates: templatesOf('time of day'),
  };
  const answersFor = (label: StreetSceneLabel | null): string | null => {
    if (label === null) return `{"${timeOfDay.id}":${pick(timeOfDay.templates)}}`;
    const parts: string[] = [];
    if (label === 'car' || label === 'pedestrian' || label === 'cyclist')
      parts.push(`"${occlusion.id}":${pick(occlusion.templates)}`);
    if (label !== 'traffic light' && label !== 'lane marking' && label !== 'place')
      parts.push(`"${confidenceId}":${int(1, 10)}`);
    return parts.length === 0 ? null : `{${parts.join(',')}}`;
  };

  const allLabelIds = [...labelIds.values()];
  const jobIds = await insertJobs(db, projectId, [
    { name: 'Bulk round 1', status: 'active', labelIds: allLabelIds, createdTime: time(4) },
    { name: 'Bulk review', status: 'active', labelIds: allLabelIds, createdTime: time(5) },
  ]);
  const roundJobId = required(jobIds, 'Bulk round 1', 'job');
  const reviewJobId = required(jobIds, 'Bulk review', 'job');
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

    const fileIds = await insertFiles(db, dialect, fileRows);
    const fileIdAt = (index: number) =>
      required(fileIds, fileName(index, fileTypeOf(index)), 'file');

    const memberships: { directory_id: number; file_id: number }[] = [];
    const tasks: TaskSpec[] = [];
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
    const sequenceRows: SequenceSpec[] = [];
    const sequenceStarts: number[] = [];
    for (let index = chunkStart; index < chunkEnd; index++) {
      if (fileTypeOf(index) !== 'video') continue;
      for (let number = 1; number <= 2; number++) {
        const start = int(0, videoFrames - 11);
        sequenceStarts.push(start);
        sequenceRows.push({
          file_id: fileIdAt(index),
          label_id: required(labelIds, number === 1 ? 'car' : 'pedestrian', 'label'),
          number: 1,
          keyframe_list: JSON.stringify([start, start + 4, start + 9]),
          single_frame: 0,
        });
      }
    }
    const sequenceIdOf = await insertSequences(db, dialect, sequenceRows);
    counts.sequences += sequenceRows.length;

    const instances: NewInstance[] = [];
    const add = (
      fileId: number,
      type: InstanceType,
      label: StreetSceneLabel | null,
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
        label_id: label === null ? null : required(labelIds, label, 'label'),
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
            pick(labelsByDrawnType[instanceType]),
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
          const labelId = required(labelIds, label, 'label');
          const sequenceId = sequenceIdOf({ file_id: fileId, label_id: labelId, number: 1 });
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
