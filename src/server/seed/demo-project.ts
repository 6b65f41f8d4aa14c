import { Faker, base, en } from '@faker-js/faker';
import type { Kysely } from 'kysely';
import type {
  AttributeGroupKind,
  AttributeValues,
  FileState,
  FileType,
  Geometry,
  InstanceType,
  JobStatus,
  Point,
  TaskStatus,
} from '../../contract/annotations.ts';
import { geometrySchemas, instanceTypes } from '../../contract/annotations.ts';
import type { AnnexDatabase, DialectName } from '../db/database.ts';
import type { Database, Flag, NewFile, NewInstance } from '../db/schema.ts';
import { batchesOf, insertBatched } from './batch-insert.ts';

/*
 * The demo project, `demo` ("Demo: street scenes"), is built to exercise every rule of the export.
 * Its shape is fixed by the tables below; only the geometry, the attribute answers, the text and the
 * number of instances per file come from a seeded Faker, so two runs give the same rows (and, on a
 * fresh database, the same ids). Export tests can rely on:
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

/** The demo project's `project_string_id`. */
export const demoProjectStringId = 'demo';
/** The demo project's name. */
export const demoProjectName = 'Demo: street scenes';
/** The demo's default directory. */
export const demoDefaultDirectoryNickname = 'Luckfrill';

const fakerSeed = 20_240_304;
const baseTime = Date.parse('2024-03-04T08:00:00.000Z');
const mediaRoot = 'https://media.example.com/annex/demo';

/** One of the demo's directories, with the file ids an export of it can expect. */
export interface DemoDirectorySummary {
  /** Directory id. */
  id: number;
  /** Directory nickname. */
  nickname: string;
  /** Every file the directory holds at top level, removed ones included. */
  fileIds: number[];
  /** Of those, the files whose state is `removed`. */
  removedFileIds: number[];
  /** Files not removed and marked complete: what a completed-only export of it holds. */
  completedFileIds: number[];
}

/** One task of a demo job. */
export interface DemoTaskSummary {
  /** Task id. */
  id: number;
  /** The file the task is on. */
  fileId: number;
  /** The task's status. */
  status: TaskStatus;
}

/** One of the demo's jobs. */
export interface DemoJobSummary {
  /** Job id. */
  id: number;
  /** Job name. */
  name: string;
  /** Job status. */
  status: JobStatus;
  /** Its tasks, in insertion order. */
  tasks: DemoTaskSummary[];
}

/** What `seedDemoProject` made: ids and counts that tests and other modules can build expectations on. */
export interface DemoProjectSummary {
  /** Project id. */
  projectId: number;
  /** `demo`. */
  projectStringId: string;
  /** The project's name. */
  name: string;
  /** The Luckfrill directory's id. */
  defaultDirectoryId: number;
  /** Directories by nickname. */
  directories: Record<string, DemoDirectorySummary>;
  /** Label ids by label name. */
  labelIds: Record<string, number>;
  /** Attribute-group ids by group name. */
  attributeGroupIds: Record<string, number>;
  /** File ids by original_filename. */
  files: Record<string, number>;
  /** File ids with `ann_is_complete` = 1. */
  completeFileIds: number[];
  /** File ids whose state is `removed`. */
  removedFileIds: number[];
  /** The split video: the original and its clips (in clip order) with their global frame starts. */
  splitVideo: { parentFileId: number; clipFileIds: number[]; globalFrameStarts: number[] };
  /** Jobs by name. */
  jobs: Record<string, DemoJobSummary>;
  /** Row counts. */
  counts: {
    files: number;
    images: number;
    videos: number;
    texts: number;
    labels: number;
    attributeGroups: number;
    attributeTemplates: number;
    sequences: number;
    tasks: number;
    instances: number;
    softDeletedInstances: number;
    /** Instances per type, soft-deleted ones included. */
    instancesByType: Record<InstanceType, number>;
    /** Instances per file id, soft-deleted ones included. */
    instancesByFile: Record<number, number>;
    /** Soft-deleted instances per file id (files without any are absent). */
    softDeletedByFile: Record<number, number>;
  };
}

// ---- The fixed shape -------------------------------------------------------------------------

const labelDefinitions = [
  { name: 'car', colour: '#e6194b' },
  { name: 'pedestrian', colour: '#3cb44b' },
  { name: 'cyclist', colour: '#ffe119' },
  { name: 'traffic light', colour: '#4363d8' },
  { name: 'street sign', colour: '#f58231' },
  { name: 'lane marking', colour: '#911eb4' },
  { name: 'place', colour: '#42d4f4' },
  { name: 'vehicle mention', colour: '#f032e6' },
] as const;
type LabelName = (typeof labelDefinitions)[number]['name'];

interface GroupDefinition {
  name: string;
  kind: AttributeGroupKind;
  prompt: string;
  /** Labels it applies to; empty for a global group. */
  labels: LabelName[];
  /** Template names; a trailing `!` marks an archived template. */
  templates: string[];
  min?: number;
  max?: number;
  defaultValue?: string;
}

const groupDefinitions: GroupDefinition[] = [
  {
    name: 'occlusion',
    kind: 'select',
    prompt: 'How much of it is hidden?',
    labels: ['car', 'pedestrian', 'cyclist'],
    templates: ['none', 'partial', 'heavy', 'unknown!'],
  },
  {
    name: 'car features',
    kind: 'multiple_select',
    prompt: 'Which of these do you see?',
    labels: ['car'],
    templates: ['headlights on', 'door open', 'roof rack', 'spoiler!'],
  },
  {
    name: 'light state',
    kind: 'radio',
    prompt: 'Which light is lit?',
    labels: ['traffic light'],
    templates: ['red', 'amber', 'green', 'flashing!'],
  },
  {
    name: 'confidence',
    kind: 'slider',
    prompt: 'How sure are you?',
    labels: ['car', 'pedestrian', 'cyclist', 'street sign'],
    templates: [],
    min: 1,
    max: 10,
    defaultValue: '7',
  },
  {
    name: 'sign text',
    kind: 'text',
    prompt: 'What does the sign say?',
    labels: ['street sign'],
    templates: [],
  },
  {
    name: 'vehicle type',
    kind: 'tree',
    prompt: 'What kind of vehicle?',
    labels: ['car', 'vehicle mention'],
    templates: ['vehicle', 'vehicle/car', 'vehicle/van', 'vehicle/bus', 'vehicle/truck!'],
  },
  {
    name: 'time of day',
    kind: 'select',
    prompt: 'When was this taken?',
    labels: [],
    templates: ['day', 'dusk', 'night', 'dawn!'],
  },
  {
    name: 'hazards',
    kind: 'multiple_select',
    prompt: 'Any hazards in view?',
    labels: [],
    templates: ['roadworks', 'debris', 'emergency vehicle'],
  },
  {
    name: 'weather',
    kind: 'radio',
    prompt: 'What is the weather?',
    labels: [],
    templates: ['clear', 'rain', 'fog', 'snow'],
  },
  {
    name: 'image quality',
    kind: 'slider',
    prompt: 'How usable is the image?',
    labels: [],
    templates: [],
    min: 1,
    max: 5,
    defaultValue: '4',
  },
  { name: 'scene notes', kind: 'text', prompt: 'Anything unusual?', labels: [], templates: [] },
  {
    name: 'scene',
    kind: 'tree',
    prompt: 'Where is this?',
    labels: [],
    templates: ['urban', 'urban/downtown', 'urban/residential', 'highway', 'rural!'],
  },
];

const directoryNicknames = [demoDefaultDirectoryNickname, 'Night drives', 'Reading room'] as const;
type DirectoryNickname = (typeof directoryNicknames)[number];

interface FileDefinition {
  name: string;
  type: FileType;
  complete: boolean;
  state: FileState;
  directories: DirectoryNickname[];
  width: number | null;
  height: number | null;
  video?: {
    frameRate: number;
    frameCount: number;
    originalFps: number;
    globalFrameStart: number;
    offsetSeconds: number;
    parent?: string;
  };
}

const parentVideoName = 'drive-downtown.mp4';
const clipNames = [1, 2, 3].map((n) => `drive-downtown_clip-${n}.mp4`);

function imageName(n: number): string {
  return `street-${String(n).padStart(2, '0')}.jpg`;
}

function fileDefinitions(): FileDefinition[] {
  const files: FileDefinition[] = [];
  const removedImages = new Set([5, 12, 17]);
  for (let n = 1; n <= 24; n++) {
    const directories: DirectoryNickname[] = [];
    if (n <= 18) directories.push('Luckfrill');
    if (n >= 13) directories.push('Night drives');
    if (n === 1) directories.push('Reading room');
    files.push({
      name: imageName(n),
      type: 'image',
      complete: n % 3 !== 0 && n !== 1,
      state: removedImages.has(n) ? 'removed' : 'added',
      directories,
      width: n % 2 === 1 ? 1920 : 1280,
      height: n % 2 === 1 ? 1080 : 720,
    });
  }
  files.push({
    name: parentVideoName,
    type: 'video',
    complete: false,
    state: 'added',
    directories: [],
    width: 1920,
    height: 1080,
    video: {
      frameRate: 30,
      frameCount: 900,
      originalFps: 30,
      globalFrameStart: 0,
      offsetSeconds: 0,
    },
  });
  clipNames.forEach((name, index) => {
    files.push({
      name,
      type: 'video',
      complete: index < 2,
      state: 'added',
      directories: index === 2 ? ['Luckfrill', 'Night drives'] : ['Luckfrill'],
      width: 1920,
      height: 1080,
      video: {
        frameRate: 30,
        frameCount: 300,
        originalFps: 30,
        globalFrameStart: index * 300,
        offsetSeconds: index * 10,
        parent: parentVideoName,
      },
    });
  });
  files.push({
    name: 'crossing-night.mp4',
    type: 'video',
    complete: true,
    state: 'added',
    directories: ['Night drives'],
    width: 1280,
    height: 720,
    video: {
      frameRate: 25,
      frameCount: 250,
      originalFps: 50,
      globalFrameStart: 0,
      offsetSeconds: 0,
    },
  });
  files.push({
    name: 'cyclist-lane.mp4',
    type: 'video',
    complete: false,
    state: 'added',
    directories: ['Luckfrill'],
    width: 1280,
    height: 720,
    video: {
      frameRate: 30,
      frameCount: 150,
      originalFps: 30,
      globalFrameStart: 0,
      offsetSeconds: 0,
    },
  });
  for (let n = 1; n <= 4; n++) {
    const directories: DirectoryNickname[] = ['Reading room'];
    if (n === 1) directories.unshift('Luckfrill');
    files.push({
      name: `witness-${n}.txt`,
      type: 'text',
      complete: n !== 3,
      state: n === 4 ? 'removed' : 'added',
      directories,
      width: null,
      height: null,
    });
  }
  return files;
}

interface JobDefinition {
  name: string;
  status: JobStatus;
  labels: LabelName[];
  tasks: [fileName: string, status: TaskStatus][];
}

const jobDefinitions: JobDefinition[] = [
  {
    name: 'Street scenes, round 1',
    status: 'active',
    labels: ['car', 'pedestrian', 'cyclist', 'traffic light', 'street sign', 'lane marking'],
    tasks: [
      [imageName(1), 'complete'],
      [imageName(2), 'complete'],
      [imageName(2), 'archived'],
      [imageName(3), 'complete'],
      [imageName(4), 'in_progress'],
      [imageName(6), 'available'],
      [imageName(7), 'available'],
      [imageName(8), 'archived'],
      [imageName(9), 'complete'],
      [imageName(10), 'in_progress'],
    ],
  },
  {
    name: 'Video tracking',
    status: 'active',
    labels: ['car', 'pedestrian', 'cyclist'],
    tasks: [
      [clipNames[0] ?? '', 'complete'],
      [clipNames[1] ?? '', 'complete'],
      [clipNames[2] ?? '', 'in_progress'],
      ['crossing-night.mp4', 'archived'],
      ['cyclist-lane.mp4', 'available'],
    ],
  },
  {
    name: 'Text review',
    status: 'active',
    labels: ['place', 'vehicle mention'],
    tasks: [
      ['witness-1.txt', 'complete'],
      ['witness-2.txt', 'available'],
      ['witness-3.txt', 'archived'],
      [imageName(1), 'in_progress'],
    ],
  },
];

// ---- The seeded content ------------------------------------------------------------------------

/** An attribute answer before ids exist: template names (select, radio, multiple_select, tree), a number or a text. */
type PlannedAnswer = { templates: string[]; many: boolean } | { number: number } | { text: string };

interface PlannedInstance {
  fileName: string;
  type: InstanceType;
  label: LabelName | null;
  geometry: Geometry;
  answers: Map<string, PlannedAnswer> | null;
  frameNumber: number | null;
  /** `${fileName}#${index}` of its sequence. */
  sequenceKey: string | null;
  localSequenceNumber: number | null;
  interpolated: Flag;
  softDeleted: Flag;
  minute: number;
}

interface PlannedSequence {
  key: string;
  fileName: string;
  label: LabelName;
  number: number;
  keyframes: number[];
  singleFrame: Flag;
}

interface PlannedToken {
  id: number;
  text: string;
  start_char: number;
  end_char: number;
}

interface DemoPlan {
  files: FileDefinition[];
  tokensByFile: Map<string, PlannedToken[]>;
  sequences: PlannedSequence[];
  instances: PlannedInstance[];
}

const drawnTypesByLabel: Partial<Record<InstanceType, LabelName[]>> = {
  box: ['car', 'pedestrian', 'cyclist', 'traffic light', 'street sign'],
  polygon: ['car', 'street sign'],
  line: ['lane marking'],
  point: ['traffic light'],
  ellipse: ['traffic light', 'street sign'],
  cuboid: ['car'],
  keypoints: ['pedestrian'],
};
const imageTypes: InstanceType[] = [
  'box',
  'box',
  'box',
  'polygon',
  'line',
  'point',
  'ellipse',
  'cuboid',
  'keypoints',
];
const guaranteedTypeByImage = new Map<number, InstanceType>([
  [2, 'box'],
  [4, 'polygon'],
  [7, 'line'],
  [8, 'point'],
  [10, 'ellipse'],
  [11, 'cuboid'],
  [13, 'keypoints'],
]);

function time(minute: number): string {
  return new Date(baseTime + minute * 60_000).toISOString();
}

class DemoPlanner {
  private readonly faker = new Faker({ locale: [en, base] });
  private minute = 0;

  constructor() {
    this.faker.seed(fakerSeed);
  }

  plan(): DemoPlan {
    const files = fileDefinitions();
    const tokensByFile = new Map<string, PlannedToken[]>();
    const sequences: PlannedSequence[] = [];
    const instances: PlannedInstance[] = [];

    for (const file of files) {
      if (file.type === 'image') instances.push(...this.imageInstances(file));
      else if (file.type === 'text') {
        const tokens = this.tokens();
        tokensByFile.set(file.name, tokens);
        instances.push(...this.textInstances(file, tokens));
      } else if (file.name !== parentVideoName) {
        const planned = this.videoInstances(file);
        sequences.push(...planned.sequences);
        instances.push(...planned.instances);
      }
    }
    return { files, tokensByFile, sequences, instances };
  }

  private tick(): number {
    this.minute += this.faker.number.int({ min: 1, max: 9 });
    return this.minute;
  }

  private softDeleted(): Flag {
    return this.faker.number.float() < 0.07 ? 1 : 0;
  }

  private imageInstances(file: FileDefinition): PlannedInstance[] {
    const width = file.width ?? 1;
    const height = file.height ?? 1;
    const count = this.faker.number.int({ min: 4, max: 11 });
    // Seven complete Luckfrill images start with one (never soft-deleted) instance of each drawn
    // type, so a completed-only export of the default directory shows every type whatever the dice say.
    const imageNumber = Number.parseInt(file.name.slice(7, 9), 10);
    const guaranteed = guaranteedTypeByImage.get(imageNumber);
    const instances: PlannedInstance[] = [];
    for (let index = 0; index < count; index++) {
      const type =
        index === 0 && guaranteed !== undefined
          ? guaranteed
          : this.faker.helpers.arrayElement(imageTypes);
      const label = this.faker.helpers.arrayElement(drawnTypesByLabel[type] ?? ['car']);
      instances.push({
        fileName: file.name,
        type,
        label,
        geometry: this.geometry(type, width, height),
        answers: this.answers(label),
        frameNumber: null,
        sequenceKey: null,
        localSequenceNumber: null,
        interpolated: 0,
        softDeleted:
          index === 0 && guaranteed !== undefined
            ? 0
            : index === count - 1 && imageNumber === 2
              ? 1
              : this.softDeleted(),
        minute: this.tick(),
      });
    }
    instances.push(this.globalInstance(file.name));
    return instances;
  }

  private globalInstance(fileName: string): PlannedInstance {
    return {
      fileName,
      type: 'global',
      label: null,
      geometry: {},
      answers: this.answers(null),
      frameNumber: null,
      sequenceKey: null,
      localSequenceNumber: null,
      interpolated: 0,
      softDeleted: 0,
      minute: this.tick(),
    };
  }

  private videoInstances(file: FileDefinition): {
    sequences: PlannedSequence[];
    instances: PlannedInstance[];
  } {
    const width = file.width ?? 1;
    const height = file.height ?? 1;
    const frameCount = file.video?.frameCount ?? 1;
    const sequences: PlannedSequence[] = [];
    const instances: PlannedInstance[] = [this.globalInstance(file.name)];
    const numbersByLabel = new Map<LabelName, number>();
    const sequenceCount = this.faker.number.int({ min: 2, max: 3 });
    for (let index = 0; index <= sequenceCount; index++) {
      // The last sequence of every video is a single-frame one.
      const singleFrame = index === sequenceCount;
      const type: InstanceType = singleFrame
        ? 'point'
        : index === 1 && file.name === clipNames[1]
          ? 'keypoints'
          : 'box';
      const label: LabelName =
        type === 'point'
          ? 'traffic light'
          : type === 'keypoints'
            ? 'pedestrian'
            : this.faker.helpers.arrayElement(['car', 'pedestrian', 'cyclist'] as const);
      const number = (numbersByLabel.get(label) ?? 0) + 1;
      numbersByLabel.set(label, number);
      const span = singleFrame ? 1 : this.faker.number.int({ min: 8, max: 14 });
      const start = this.faker.number.int({ min: 0, max: frameCount - span - 1 });
      const frames = Array.from({ length: span }, (_, offset) => start + offset);
      const keyframes = frames.filter((frame, offset) => offset % 4 === 0 || offset === span - 1);
      const key = `${file.name}#${index}`;
      sequences.push({
        key,
        fileName: file.name,
        label,
        number,
        keyframes,
        singleFrame: singleFrame ? 1 : 0,
      });
      const answers = this.answers(label);
      const first = this.geometry(type, width, height);
      frames.forEach((frame, position) => {
        instances.push({
          fileName: file.name,
          type,
          label,
          geometry: drift(type, first, position * 6),
          answers,
          frameNumber: frame,
          sequenceKey: key,
          localSequenceNumber: position,
          interpolated: keyframes.includes(frame) ? 0 : 1,
          softDeleted:
            file.name === clipNames[1] && index === 0 && position === 3 ? 1 : this.softDeleted(),
          minute: this.tick(),
        });
      });
    }
    return { sequences, instances };
  }

  private tokens(): PlannedToken[] {
    const f = this.faker;
    const sentences = [
      `I was on ${f.location.street()} when a ${f.color.human()} ${f.vehicle.vehicle()} ran the red light.`,
      `The ${f.vehicle.type()} stopped near ${f.location.city()} and a cyclist swerved.`,
      f.lorem.sentence({ min: 6, max: 12 }),
      `Later a ${f.vehicle.manufacturer()} van parked on ${f.location.street()}.`,
    ];
    const text = sentences.join(' ');
    return [...text.matchAll(/\S+/g)].map((match, id) => ({
      id,
      text: match[0],
      start_char: match.index,
      end_char: match.index + match[0].length,
    }));
  }

  private textInstances(file: FileDefinition, tokens: PlannedToken[]): PlannedInstance[] {
    const count = this.faker.number.int({ min: 3, max: 6 });
    const instances: PlannedInstance[] = [];
    for (let index = 0; index < count; index++) {
      const startToken = this.faker.number.int({ min: 0, max: tokens.length - 3 });
      const endToken = startToken + this.faker.number.int({ min: 0, max: 2 });
      const label = this.faker.helpers.arrayElement(['place', 'vehicle mention'] as const);
      instances.push({
        fileName: file.name,
        type: 'text_token',
        label,
        geometry: {
          start_char: tokens[startToken]?.start_char ?? 0,
          end_char: tokens[endToken]?.end_char ?? 0,
          start_token: startToken,
          end_token: endToken,
        },
        answers: this.answers(label),
        frameNumber: null,
        sequenceKey: null,
        localSequenceNumber: null,
        interpolated: 0,
        softDeleted: file.name === 'witness-2.txt' && index === 0 ? 1 : this.softDeleted(),
        minute: this.tick(),
      });
    }
    instances.push(this.globalInstance(file.name));
    return instances;
  }

  private geometry(type: InstanceType, width: number, height: number): Geometry {
    const f = this.faker;
    const x_min = f.number.int({ min: 0, max: width - 200 });
    const y_min = f.number.int({ min: 0, max: height - 200 });
    const x_max = x_min + f.number.int({ min: 20, max: 180 });
    const y_max = y_min + f.number.int({ min: 20, max: 180 });
    const pointIn = (): Point => ({
      x: f.number.int({ min: x_min, max: x_max }),
      y: f.number.int({ min: y_min, max: y_max }),
    });
    switch (type) {
      case 'box':
        return { x_min, y_min, x_max, y_max };
      case 'polygon':
      case 'line': {
        const points = Array.from(
          { length: f.number.int({ min: type === 'polygon' ? 3 : 2, max: 6 }) },
          pointIn,
        );
        return { ...boundsOf(points), points };
      }
      case 'point':
        return { points: [pointIn()] };
      case 'ellipse':
        return {
          center_x: (x_min + x_max) / 2,
          center_y: (y_min + y_max) / 2,
          width: x_max - x_min,
          height: y_max - y_min,
          angle: f.number.float({ min: 0, max: 3.14, fractionDigits: 2 }),
        };
      case 'cuboid': {
        const depth = f.number.int({ min: 5, max: 15 });
        const face = (dx: number) => ({
          top_left: { x: x_min + dx, y: y_min + dx },
          top_right: { x: x_max + dx, y: y_min + dx },
          bot_left: { x: x_min + dx, y: y_max + dx },
          bot_right: { x: x_max + dx, y: y_max + dx },
        });
        return { front_face: face(0), rear_face: face(depth) };
      }
      case 'keypoints': {
        const names = ['head', 'left hand', 'right hand', 'left foot', 'right foot'];
        const nodes = names.map((name, index) => ({
          id: `n${index}`,
          name,
          ...pointIn(),
          occluded: f.number.float() < 0.2,
        }));
        const edges = [1, 2, 3, 4].map((to) => ({ from: 'n0', to: `n${to}` }));
        return { nodes, edges };
      }
      case 'text_token':
        return { start_char: 0, end_char: 1, start_token: 0, end_token: 0 };
      case 'global':
        return {};
    }
  }

  /** Answers for the groups that apply to a label (or the global groups when label is null). */
  private answers(label: LabelName | null): Map<string, PlannedAnswer> | null {
    const groups = groupDefinitions.filter((group) =>
      label === null ? group.labels.length === 0 : group.labels.includes(label),
    );
    if (groups.length === 0) return null;
    const answers = new Map<string, PlannedAnswer>();
    for (const group of groups) {
      // Annotators skip a question now and then.
      if (this.faker.number.float() < 0.15) continue;
      const templates = group.templates.map((name) => name.replace(/!$/, ''));
      switch (group.kind) {
        case 'select':
        case 'radio':
          answers.set(group.name, {
            templates: [this.faker.helpers.arrayElement(templates)],
            many: false,
          });
          break;
        case 'multiple_select':
          answers.set(group.name, {
            templates: this.faker.helpers.arrayElements(templates, { min: 0, max: 2 }),
            many: true,
          });
          break;
        case 'tree': {
          const leaf = this.faker.helpers.arrayElement(templates);
          const path = leaf.includes('/') ? [leaf.split('/')[0] ?? leaf, leaf] : [leaf];
          answers.set(group.name, { templates: path, many: true });
          break;
        }
        case 'slider':
          answers.set(group.name, {
            number: this.faker.number.int({ min: group.min ?? 0, max: group.max ?? 10 }),
          });
          break;
        case 'text':
          answers.set(group.name, {
            text:
              group.name === 'sign text'
                ? this.faker.helpers.arrayElement(['STOP', 'ONE WAY', 'NO ENTRY', 'SCHOOL'])
                : this.faker.lorem.sentence(4),
          });
          break;
      }
    }
    return answers;
  }
}

function boundsOf(points: Point[]): { x_min: number; y_min: number; x_max: number; y_max: number } {
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  return {
    x_min: Math.min(...xs),
    y_min: Math.min(...ys),
    x_max: Math.max(...xs),
    y_max: Math.max(...ys),
  };
}

/** Moves a shape right by `dx` pixels: a tracked object across frames. Sequences draw boxes, keypoints and points. */
function drift(type: InstanceType, geometry: Geometry, dx: number): Geometry {
  const move = <P extends Point>(point: P): P => ({ ...point, x: point.x + dx });
  if (type === 'box') {
    const box = geometrySchemas.box.parse(geometry);
    return { ...box, x_min: box.x_min + dx, x_max: box.x_max + dx };
  }
  if (type === 'keypoints') {
    const keypoints = geometrySchemas.keypoints.parse(geometry);
    return { ...keypoints, nodes: keypoints.nodes.map(move) };
  }
  if (type === 'point') return { points: geometrySchemas.point.parse(geometry).points.map(move) };
  throw new Error(`The demo does not track ${type} instances across frames`);
}

// ---- Writing it --------------------------------------------------------------------------------

/**
 * Seeds the demo project (see the comment at the top of this module for its shape) in one
 * transaction and returns its ids and counts. Throws when a project `demo` already exists.
 */
export async function seedDemoProject(database: AnnexDatabase): Promise<DemoProjectSummary> {
  const plan = new DemoPlanner().plan();
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
  const already = await db
    .selectFrom('project')
    .select('id')
    .where('project_string_id', '=', demoProjectStringId)
    .executeTakeFirst();
  if (already !== undefined) {
    throw new Error(
      `A project "${demoProjectStringId}" already exists (id ${already.id}); the demo is seeded once per database.`,
    );
  }
  const project = await db
    .insertInto('project')
    .values({
      project_string_id: demoProjectStringId,
      name: demoProjectName,
      default_directory_id: null,
      created_time: time(0),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const projectId = project.id;

  const directoryRows = await db
    .insertInto('directory')
    .values(
      directoryNicknames.map((nickname, index) => ({
        project_id: projectId,
        nickname,
        created_time: time(index + 1),
      })),
    )
    .returning(['id', 'nickname'])
    .execute();
  const directoryIds = new Map(directoryRows.map((row) => [row.nickname, row.id]));
  const defaultDirectoryId = required(directoryIds, demoDefaultDirectoryNickname, 'directory');
  await db
    .updateTable('project')
    .set({ default_directory_id: defaultDirectoryId })
    .where('id', '=', projectId)
    .execute();

  const labelRows = await db
    .insertInto('label')
    .values(
      labelDefinitions.map((label) => ({
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
      groupDefinitions.map((group, index) => ({
        project_id: projectId,
        kind: group.kind,
        name: group.name,
        prompt: group.prompt,
        is_global: group.labels.length === 0 ? (1 as const) : (0 as const),
        min_value: group.min ?? null,
        max_value: group.max ?? null,
        default_value: group.defaultValue ?? null,
        created_time: time(10 + index),
      })),
    )
    .returning(['id', 'name'])
    .execute();
  const groupIds = new Map(groupRows.map((row) => [row.name, row.id]));

  const templateValues = groupDefinitions.flatMap((group) =>
    group.templates.map((template, order) => ({
      group_id: required(groupIds, group.name, 'attribute group'),
      name: template.replace(/!$/, ''),
      display_order: order,
      archived: template.endsWith('!') ? (1 as const) : (0 as const),
    })),
  );
  const templateRows = await db
    .insertInto('attribute_template')
    .values(templateValues)
    .returning(['id', 'group_id', 'name'])
    .execute();
  const templateIds = new Map(templateRows.map((row) => [`${row.group_id}/${row.name}`, row.id]));

  await insertBatched(
    db,
    dialect,
    'attribute_group_label',
    groupDefinitions.flatMap((group) =>
      group.labels.map((label) => ({
        group_id: required(groupIds, group.name, 'attribute group'),
        label_id: required(labelIds, label, 'label'),
      })),
    ),
  );

  // The original of the split video goes first: its clips point at it.
  const fileIds = new Map<string, number>();
  const fileRow = (file: FileDefinition, index: number): NewFile => ({
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
    media_url: `${mediaRoot}/${file.type}s/${file.name}`,
    ann_is_complete: file.complete ? 1 : 0,
    state: file.state,
    created_time: time(100 + index),
    last_modified_time: time(5000 + index * 7),
  });
  const parents = plan.files.filter((file) =>
    plan.files.some((other) => other.video?.parent === file.name),
  );
  const children = plan.files.filter((file) => !parents.includes(file));
  for (const group of [parents, children]) {
    const rows = await db
      .insertInto('file')
      .values(group.map((file) => fileRow(file, plan.files.indexOf(file))))
      .returning(['id', 'original_filename'])
      .execute();
    for (const row of rows) fileIds.set(row.original_filename, row.id);
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

  const jobRows = await db
    .insertInto('job')
    .values(
      jobDefinitions.map((job, index) => ({
        project_id: projectId,
        name: job.name,
        status: job.status,
        label_schema: JSON.stringify(job.labels.map((label) => required(labelIds, label, 'label'))),
        created_time: time(200 + index),
      })),
    )
    .returning(['id', 'name'])
    .execute();
  const jobIds = new Map(jobRows.map((row) => [row.name, row.id]));
  const jobs: Record<string, DemoJobSummary> = {};
  let taskMinute = 300;
  for (const job of jobDefinitions) {
    const jobId = required(jobIds, job.name, 'job');
    const taskRows = await db
      .insertInto('task')
      .values(
        job.tasks.map(([name, status]) => ({
          job_id: jobId,
          file_id: fileId(name),
          status,
          created_time: time(taskMinute++),
        })),
      )
      .returning(['id', 'file_id', 'status'])
      .execute();
    // RETURNING order is not promised, so tasks are matched back by (file, status), unique per job.
    const tasks = job.tasks.map(([name, status]) => {
      const row = taskRows.find(
        (candidate) => candidate.file_id === fileId(name) && candidate.status === status,
      );
      if (row === undefined) throw new Error(`Task on ${name} (${status}) was not inserted`);
      return { id: row.id, fileId: row.file_id, status };
    });
    jobs[job.name] = { id: jobId, name: job.name, status: job.status, tasks };
  }

  const sequenceIds = new Map<string, number>();
  for (const batch of batchesOf(dialect, plan.sequences)) {
    const rows = await db
      .insertInto('sequence')
      .values(
        batch.map((sequence) => ({
          file_id: fileId(sequence.fileName),
          label_id: required(labelIds, sequence.label, 'label'),
          number: sequence.number,
          keyframe_list: JSON.stringify(sequence.keyframes),
          single_frame: sequence.singleFrame,
        })),
      )
      .returning(['id', 'file_id', 'label_id', 'number'])
      .execute();
    for (const sequence of batch) {
      const row = rows.find(
        (candidate) =>
          candidate.file_id === fileId(sequence.fileName) &&
          candidate.label_id === required(labelIds, sequence.label, 'label') &&
          candidate.number === sequence.number,
      );
      if (row === undefined) throw new Error(`Sequence ${sequence.key} was not inserted`);
      sequenceIds.set(sequence.key, row.id);
    }
  }

  const resolveAnswers = (answers: Map<string, PlannedAnswer> | null): string | null => {
    if (answers === null) return null;
    const values: AttributeValues = {};
    for (const [groupName, answer] of answers) {
      const groupId = required(groupIds, groupName, 'attribute group');
      if ('templates' in answer) {
        const ids = answer.templates.map((name) =>
          required(templateIds, `${groupId}/${name}`, 'attribute template'),
        );
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

  return summarize({
    plan,
    projectId,
    defaultDirectoryId,
    directoryIds,
    labelIds,
    groupIds,
    fileIds,
    jobs,
    templateCount: templateRows.length,
  });
}

function summarize(input: {
  plan: DemoPlan;
  projectId: number;
  defaultDirectoryId: number;
  directoryIds: Map<string, number>;
  labelIds: Map<string, number>;
  groupIds: Map<string, number>;
  fileIds: Map<string, number>;
  jobs: Record<string, DemoJobSummary>;
  templateCount: number;
}): DemoProjectSummary {
  const { plan, fileIds } = input;
  const fileId = (name: string) => required(fileIds, name, 'file');
  const directories: Record<string, DemoDirectorySummary> = {};
  for (const nickname of directoryNicknames) {
    const files = plan.files.filter((file) => file.directories.includes(nickname));
    directories[nickname] = {
      id: required(input.directoryIds, nickname, 'directory'),
      nickname,
      fileIds: files.map((file) => fileId(file.name)),
      removedFileIds: files
        .filter((file) => file.state === 'removed')
        .map((file) => fileId(file.name)),
      completedFileIds: files
        .filter((file) => file.state === 'added' && file.complete)
        .map((file) => fileId(file.name)),
    };
  }
  const instancesByType = Object.fromEntries(instanceTypes.map((type) => [type, 0])) as Record<
    InstanceType,
    number
  >;
  const instancesByFile: Record<number, number> = {};
  const softDeletedByFile: Record<number, number> = {};
  for (const instance of plan.instances) {
    const id = fileId(instance.fileName);
    instancesByType[instance.type] += 1;
    instancesByFile[id] = (instancesByFile[id] ?? 0) + 1;
    if (instance.softDeleted) softDeletedByFile[id] = (softDeletedByFile[id] ?? 0) + 1;
  }
  return {
    projectId: input.projectId,
    projectStringId: demoProjectStringId,
    name: demoProjectName,
    defaultDirectoryId: input.defaultDirectoryId,
    directories,
    labelIds: Object.fromEntries(input.labelIds),
    attributeGroupIds: Object.fromEntries(input.groupIds),
    files: Object.fromEntries(plan.files.map((file) => [file.name, fileId(file.name)])),
    completeFileIds: plan.files.filter((file) => file.complete).map((file) => fileId(file.name)),
    removedFileIds: plan.files
      .filter((file) => file.state === 'removed')
      .map((file) => fileId(file.name)),
    splitVideo: {
      parentFileId: fileId(parentVideoName),
      clipFileIds: clipNames.map(fileId),
      globalFrameStarts: clipNames.map(
        (name) => plan.files.find((file) => file.name === name)?.video?.globalFrameStart ?? 0,
      ),
    },
    jobs: input.jobs,
    counts: {
      files: plan.files.length,
      images: plan.files.filter((file) => file.type === 'image').length,
      videos: plan.files.filter((file) => file.type === 'video').length,
      texts: plan.files.filter((file) => file.type === 'text').length,
      labels: labelDefinitions.length,
      attributeGroups: groupDefinitions.length,
      attributeTemplates: input.templateCount,
      sequences: plan.sequences.length,
      tasks: Object.values(input.jobs).reduce((sum, job) => sum + job.tasks.length, 0),
      instances: plan.instances.length,
      softDeletedInstances: plan.instances.filter((instance) => instance.softDeleted).length,
      instancesByType,
      instancesByFile,
      softDeletedByFile,
    },
  };
}

function required<K, V>(map: Map<K, V>, key: K, what: string): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`The demo seed lost track of ${what} ${String(key)}`);
  return value;
}
