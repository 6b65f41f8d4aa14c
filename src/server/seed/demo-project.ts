import type { Kysely } from 'kysely';
import type { AttributeValues } from '../../contract/annotations.ts';
import type { AnnexDatabase, DialectName } from '../db/database.ts';
import type { Database, NewFile, NewInstance } from '../db/schema.ts';
import { insertBatched } from './batch-insert.ts';
import { planDemo } from './demo-content.ts';
import type { DemoPlan, PlannedAnswer, PlannedSequence } from './demo-content.ts';
import {
  demoDefaultDirectoryNickname,
  demoProjectName,
  demoProjectStringId,
  directoryNicknames,
} from './demo-files.ts';
import type { FileDefinition } from './demo-files.ts';
import { jobDefinitions } from './demo-jobs.ts';
import { demoMediaUrl } from './demo-media.ts';
import { groupDefinitions, labelDefinitions } from './demo-labels.ts';
import { summarizeDemo } from './demo-summary.ts';
import type { DemoJobSummary, DemoProjectSummary } from './demo-summary.ts';
import {
  insertAttributeGroups,
  insertFiles,
  insertJobs,
  insertLabels,
  insertProject,
  insertSequences,
  insertTasks,
  required,
  seedClock,
} from './project-writer.ts';

/*
 * The demo project, `demo` ("Demo: street scenes"), is built to exercise every rule of the export.
 * Its shape is fixed by the definitions in demo-labels.ts, demo-files.ts and demo-jobs.ts (data
 * only); only the geometry, the attribute answers, the text and the number of instances per file
 * come from a seeded Faker (demo-content.ts plans them), so two runs give the same rows (and, on a
 * fresh database, the same ids). This module writes it all through project-writer.ts, shared with
 * the bulk project. Export tests can rely on:
 *
 * Files (34; `DemoProjectSummary.files` maps every original_filename to its id; about 400 instances)
 * - 24 images `street-01.jpg` … `street-24.jpg`, 1920×1080 (odd numbers) or 1280×720 (even).
 *   Image n is complete when n % 3 !== 0, except image 1 (it was complete until job "Text review"
 *   gave it a new task). Images 5, 12 and 17 are `removed` (5 and 17 complete, 12 not).
 * - Video `drive-downtown.mp4`: 900 frames at 30 fps, the long original. It is in no directory and
 *   has no instances; it was split into three clips `drive-downtown_clip-1.mp4` … `_clip-3.mp4`
 *   (300 frames each, `parent_file_id` = the original, `global_frame_start` 0, 300 and 600), so a
 *   frame of clip 2 or 3 has `global_frame_number` = global_frame_start + frame_number. Clips 1 and
 *   2 are complete, clip 3 is not.
 * - Video `crossing-night.mp4` (250 frames at 25 fps, uploaded at 50 fps: fps_conversion_ratio 0.5),
 *   complete; video `cyclist-lane.mp4` (150 frames at 30 fps), not complete.
 * - Text `witness-1.txt` … `witness-4.txt` with tokens (`text_tokens` JSON). 1, 2 and 4 are
 *   complete; 4 is `removed`.
 *
 * Directories (`DemoProjectSummary.directories`)
 * - `Luckfrill` (the project's default): images 1–18, the three clips, `cyclist-lane.mp4`,
 *   `witness-1.txt`. Images 5, 12, 17 are removed there.
 * - `Night drives`: images 13–24, `crossing-night.mp4`, clip 3 (so images 13–18 and clip 3 are in
 *   two directories).
 * - `Reading room`: the four text files and image 1.
 *
 * Instances
 * - Every image has 4–11 drawn instances (box, polygon, line, point, ellipse, cuboid, keypoints)
 *   and one `global` instance with the global attributes. Complete Luckfrill images 2, 4, 7, 8,
 *   10, 11 and 13 each hold a live box, polygon, line, point, ellipse, cuboid and keypoints
 *   instance respectively, so a completed-only export of Luckfrill has every type.
 * - Every clip and standalone video has a `global` instance (frame_number null: the packet's
 *   `parent_instance_list`) and 2–3 sequences; each sequence has keyframes every 4 frames plus its
 *   last frame, one instance per frame in its span (`interpolated` = 1 off keyframes,
 *   `local_sequence_number` = 0-based position in the sequence); one sequence per video is a
 *   single-frame sequence (`single_frame` = 1).
 * - Every text file has 3–6 `text_token` instances whose chars and tokens match its tokens, and a
 *   `global` instance.
 * - About 7% of instances are `soft_deleted`, and at least one on an image, one on a video frame and
 *   one on a text file. `attribute_values` is keyed by attribute-group id and answers only the
 *   groups that apply (per-label groups for its label, global groups for `global` instances).
 *
 * Labels and attributes: 8 labels with `#rrggbb` colours; 12 attribute groups, each kind both
 * per-label and global, with templates (some archived) and attribute_group_label rows.
 *
 * Jobs (`DemoProjectSummary.jobs`, tasks listed in insertion order)
 * - "Street scenes, round 1" (active): images 1 complete, 2 complete, 2 archived (one file, two
 *   tasks), 3 complete, 4 in_progress, 6 available, 7 available, 8 archived, 9 complete,
 *   10 in_progress. Image 3 and 9 are complete tasks on incomplete files; image 7 is an available
 *   task on a complete file.
 * - "Video tracking" (active): clip 1 complete, clip 2 complete, clip 3 in_progress,
 *   `crossing-night.mp4` archived, `cyclist-lane.mp4` available.
 * - "Text review" (active): witness 1 complete, witness 2 available, witness 3 archived, image 1
 *   in_progress (image 1 is in two jobs).
 */

// Importers (the server, its tests, the export fixtures) name these from here, where the demo is
// seeded; they are defined beside the data they describe.
export {
  demoDefaultDirectoryNickname,
  demoProjectName,
  demoProjectStringId,
} from './demo-files.ts';
export type {
  DemoDirectorySummary,
  DemoJobSummary,
  DemoProjectSummary,
  DemoTaskSummary,
} from './demo-summary.ts';

const time = seedClock('2024-03-04T08:00:00.000Z', 60_000);
// Texts keep an example host; images and videos are pictures annex serves itself (demo-media.ts).
const mediaRoot = 'https://media.example.com/annex/demo';

/**
 * Seeds the demo project (see the comment at the top of this module for its shape) in one
 * transaction and returns its ids and counts. Throws when a project `demo` already exists.
 */
export async function seedDemoProject(database: AnnexDatabase): Promise<DemoProjectSummary> {
  const plan = planDemo();
  return database.db.transaction().execute((trx) => writeDemo(trx, database.dialect, plan));
}

/** Seeds the demo project when the database holds no project at all; says whether it did. */
export async function seedDemoIfEmpty(database: AnnexDatabase): Promise<boolean> {
  const existing = await database.db.selectFrom('project').select('id').limit(1).executeTakeFirst();
  if (existing !== undefined) return false;
  await seedDemoProject(database);
  return true;
}

async function writeDemo(
  db: Kysely<Database>,
  dialect: DialectName,
  plan: DemoPlan,
): Promise<DemoProjectSummary> {
  const project = await insertProject(db, {
    projectStringId: demoProjectStringId,
    name: demoProjectName,
    createdTime: time(0),
    directories: directoryNicknames.map((nickname, index) => ({
      nickname,
      createdTime: time(index + 1),
    })),
    defaultDirectory: demoDefaultDirectoryNickname,
    whenTaken: 'the demo is seeded once per database.',
  });
  const { projectId, directoryIds } = project;
  const labelIds = await insertLabels(db, projectId, labelDefinitions);
  const groups = await insertAttributeGroups(
    db,
    dialect,
    projectId,
    groupDefinitions.map((group, index) => ({
      name: group.name,
      kind: group.kind,
      prompt: group.prompt,
      labels: group.labels,
      templates: group.templates.map((template) => ({
        name: template.replace(/!$/, ''),
        archived: template.endsWith('!'),
      })),
      min: group.min ?? null,
      max: group.max ?? null,
      defaultValue: group.defaultValue ?? null,
      createdTime: time(10 + index),
    })),
    labelIds,
  );
  const { groupIds, templateIds } = groups;

  // The original of the split video goes first: its clips point at it.
  const fileIds = new Map<string, number>();
  const fileRow = (file: FileDefinition): NewFile => {
    const index = plan.files.indexOf(file);
    return {
      project_id: projectId,
      type: file.type,
      original_filename: file.name,
      width: file.width,
      height: file.height,
      rotation_degrees: file.type === 'text' ? null : 0,
      frame_rate: file.video?.frameRate ?? null,
      frame_count: file.video?.frameCount ?? null,
      original_fps: file.video?.originalFps ?? null,
      fps_conversion_ratio:
        file.video === undefined ? null : file.video.frameRate / file.video.originalFps,
      offset_in_seconds: file.video?.offsetSeconds ?? null,
      global_frame_start: file.video?.globalFrameStart ?? null,
      parent_file_id:
        file.video?.parent === undefined ? null : required(fileIds, file.video.parent, 'file'),
      text_tokens:
        file.type === 'text' ? JSON.stringify(plan.tokensByFile.get(file.name) ?? []) : null,
      media_url: demoMediaUrl(file, mediaRoot),
      ann_is_complete: file.complete ? 1 : 0,
      state: file.state,
      created_time: time(100 + index),
      last_modified_time: time(5000 + index * 7),
    };
  };
  const parents = plan.files.filter((file) =>
    plan.files.some((other) => other.video?.parent === file.name),
  );
  const children = plan.files.filter((file) => !parents.includes(file));
  for (const group of [parents, children]) {
    // Built after the previous group is written, so a clip's row can name its parent's id.
    const written = await insertFiles(db, dialect, group.map(fileRow));
    for (const [name, id] of written) fileIds.set(name, id);
  }
  const fileId = (name: string) => required(fileIds, name, 'file');

  await insertBatched(
    db,
    dialect,
    'directory_file',
    directoryNicknames.flatMap((nickname) =>
      plan.files
        .filter((file) => file.directories.includes(nickname))
        .map((file) => ({
          directory_id: required(directoryIds, nickname, 'directory'),
          file_id: fileId(file.name),
        })),
    ),
  );

  const jobIds = await insertJobs(
    db,
    projectId,
    jobDefinitions.map((job, index) => ({
      name: job.name,
      status: job.status,
      labelIds: job.labels.map((label) => required(labelIds, label, 'label')),
      createdTime: time(200 + index),
    })),
  );
  const jobId = (name: string) => required(jobIds, name, 'job');
  let taskMinute = 300;
  const taskIdOf = await insertTasks(
    db,
    dialect,
    jobDefinitions.flatMap((job) =>
      job.tasks.map(([name, status]) => ({
        job_id: jobId(job.name),
        file_id: fileId(name),
        status,
        created_time: time(taskMinute++),
      })),
    ),
  );
  const jobs: Record<string, DemoJobSummary> = {};
  for (const job of jobDefinitions) {
    const tasks = job.tasks.map(([name, status]) => {
      const key = { job_id: jobId(job.name), file_id: fileId(name), status };
      return { id: taskIdOf(key), fileId: key.file_id, status };
    });
    jobs[job.name] = { id: jobId(job.name), name: job.name, status: job.status, tasks };
  }

  const sequenceRow = (sequence: PlannedSequence) => ({
    file_id: fileId(sequence.fileName),
    label_id: required(labelIds, sequence.label, 'label'),
    number: sequence.number,
    keyframe_list: JSON.stringify(sequence.keyframes),
    single_frame: sequence.singleFrame,
  });
  const sequenceIdOf = await insertSequences(db, dialect, plan.sequences.map(sequenceRow));
  const sequenceIds = new Map(
    plan.sequences.map((sequence) => [sequence.key, sequenceIdOf(sequenceRow(sequence))]),
  );

  const resolveAnswers = (answers: Map<string, PlannedAnswer> | null): string | null => {
    if (answers === null) return null;
    const values: AttributeValues = {};
    for (const [groupName, answer] of answers) {
      const groupId = required(groupIds, groupName, 'attribute group');
      if ('templates' in answer) {
        const templates = required(templateIds, groupName, 'attribute group');
        const ids = answer.templates.map((name) => required(templates, name, 'attribute template'));
        values[String(groupId)] = answer.many ? ids : (ids[0] ?? 0);
      } else {
        values[String(groupId)] = 'number' in answer ? answer.number : answer.text;
      }
    }
    return JSON.stringify(values);
  };
  const instanceRows: NewInstance[] = plan.instances.map((instance) => ({
    project_id: projectId,
    file_id: fileId(instance.fileName),
    type: instance.type,
    label_id: instance.label === null ? null : required(labelIds, instance.label, 'label'),
    geometry: JSON.stringify(instance.geometry),
    attribute_values: resolveAnswers(instance.answers),
    frame_number: instance.frameNumber,
    sequence_id:
      instance.sequenceKey === null
        ? null
        : required(sequenceIds, instance.sequenceKey, 'sequence'),
    local_sequence_number: instance.localSequenceNumber,
    interpolated: instance.interpolated,
    soft_deleted: instance.softDeleted,
    created_time: time(1000 + instance.minute),
    last_modified_time: time(1000 + instance.minute + (instance.softDeleted ? 60 : 0)),
  }));
  await insertBatched(db, dialect, 'instance', instanceRows);

  return summarizeDemo({ plan, project, labelIds, groups, fileIds, jobs });
}
