import { Faker, base, en } from '@faker-js/faker';
import type { Geometry, InstanceType } from '../../contract/annotations.ts';
import { tokenize } from '../annotations/text-tokens.ts';
import type { TextToken } from '../annotations/text-tokens.ts';
import type { Flag } from '../db/schema.ts';
import { clipNames, fileDefinitions, parentVideoName } from './demo-files.ts';
import type { FileDefinition } from './demo-files.ts';
import { drift, randomGeometry } from './demo-geometry.ts';
import { groupDefinitions } from './demo-labels.ts';
import type { LabelName } from './demo-labels.ts';
import { drawnTypeTable, labelsByDrawnType } from './street-scene-labels.ts';
import type { DrawnType } from './street-scene-labels.ts';

/*
 * The demo's seeded content, planned before any id exists: the instances on every file, the video
 * sequences, the text tokens and the attribute answers, named by file, label and group names that
 * demo-project.ts turns into ids. One seeded Faker draws everything in a fixed order, so every call
 * below is part of the seeded data: moving one changes every value drawn after it.
 */

const fakerSeed = 20_240_304;

/** An attribute answer before ids exist: template names (select, radio, multiple_select, tree), a number or a text. */
export type PlannedAnswer =
  { templates: string[]; many: boolean } | { number: number } | { text: string };

/** An instance before ids exist. */
export interface PlannedInstance {
  fileName: string;
  type: InstanceType;
  label: LabelName | null;
  geometry: Geometry;
  /** Answers by attribute-group name; null when no group applies. */
  answers: Map<string, PlannedAnswer> | null;
  frameNumber: number | null;
  /** `${fileName}#${index}` of its sequence. */
  sequenceKey: string | null;
  localSequenceNumber: number | null;
  interpolated: Flag;
  softDeleted: Flag;
  /** Minutes after the demo's instance epoch; ascending in plan order. */
  minute: number;
}

/** A video sequence before ids exist. */
export interface PlannedSequence {
  /** `${fileName}#${index}`, what its instances name it by. */
  key: string;
  fileName: string;
  label: LabelName;
  /** Its number within its label on this video. */
  number: number;
  keyframes: number[];
  singleFrame: Flag;
}

/** Everything the demo writes besides its fixed definitions. */
export interface DemoPlan {
  files: FileDefinition[];
  tokensByFile: Map<string, TextToken[]>;
  sequences: PlannedSequence[];
  instances: PlannedInstance[];
}

/** Plans the demo's content; the same every run. */
export function planDemo(): DemoPlan {
  return new DemoPlanner().plan();
}

// Boxes weigh three times the other drawn types.
const imageTypes = drawnTypeTable({
  box: 3,
  polygon: 1,
  line: 1,
  point: 1,
  ellipse: 1,
  cuboid: 1,
  keypoints: 1,
});
const guaranteedTypeByImage = new Map<number, DrawnType>([
  [2, 'box'],
  [4, 'polygon'],
  [7, 'line'],
  [8, 'point'],
  [10, 'ellipse'],
  [11, 'cuboid'],
  [13, 'keypoints'],
]);

class DemoPlanner {
  private readonly faker = new Faker({ locale: [en, base] });
  private minute = 0;

  constructor() {
    this.faker.seed(fakerSeed);
  }

  plan(): DemoPlan {
    const files = fileDefinitions();
    const tokensByFile = new Map<string, TextToken[]>();
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
      const label = this.faker.helpers.arrayElement(labelsByDrawnType[type]);
      instances.push({
        fileName: file.name,
        type,
        label,
        geometry: randomGeometry(this.faker, type, width, height),
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
      const first = randomGeometry(this.faker, type, width, height);
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

  private tokens(): TextToken[] {
    const f = this.faker;
    const sentences = [
      `I was on ${f.location.street()} when a ${f.color.human()} ${f.vehicle.vehicle()} ran the red light.`,
      `The ${f.vehicle.type()} stopped near ${f.location.city()} and a cyclist swerved.`,
      f.lorem.sentence({ min: 6, max: 12 }),
      `Later a ${f.vehicle.manufacturer()} van parked on ${f.location.street()}.`,
    ];
    return tokenize(sentences.join(' '));
  }

  private textInstances(file: FileDefinition, tokens: TextToken[]): PlannedInstance[] {
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
