import type { AttributeGroupKind } from '../../contract/annotations.ts';
import { streetSceneLabels } from './street-scene-labels.ts';

// The demo's labels and attribute groups: data only, written by demo-project.ts. Order is part of
// the seeded data (ids follow it, and the seeded answers draw from these lists): append, never reorder.

/** The street-scene labels and one for text: 8 labels. */
export const labelDefinitions = [
  ...streetSceneLabels,
  { name: 'vehicle mention', colour: '#f032e6' },
] as const;
/** The name of a demo label. */
export type LabelName = (typeof labelDefinitions)[number]['name'];

/** An attribute group of the demo. */
export interface GroupDefinition {
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

/** 12 groups: each kind both per-label and global, some with archived templates. */
export const groupDefinitions: GroupDefinition[] = [
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
