import type { AttributeGroupKind, FileType, TaskStatus } from '../../contract/annotations.ts';
import { tokenize } from '../annotations/text-tokens.ts';
import { drawnTypeTable } from './street-scene-labels.ts';
import type { DrawnType, StreetSceneLabel } from './street-scene-labels.ts';

// What a bulk project holds (the head comment of bulk-project.ts gives the whole shape): its
// attribute groups, what file i is, and the shapes drawn on images. bulk-project.ts writes it. The
// random draws come from the caller's seeded generator in a fixed order, so the order of every list
// and of every draw here is part of the seeded data.

/** Images and videos are this size. */
export const imageWidth = 1920;
/** Images and videos are this size. */
export const imageHeight = 1080;
/** Frames of every bulk video. */
export const videoFrames = 300;

/** A bulk attribute group: the prompt is its name and a question mark; empty labels make it global. */
export interface BulkGroupDefinition {
  name: string;
  kind: AttributeGroupKind;
  labels: StreetSceneLabel[];
  templates: string[];
  min?: number;
  max?: number;
}

/** Occlusion and confidence per label, time of day for the whole file. */
export const bulkGroups: BulkGroupDefinition[] = [
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

/** Weighted draw of an image instance's type: boxes dominate, as in real street-scene projects. */
export const imageTypeTable = drawnTypeTable({
  box: 8,
  polygon: 2,
  line: 1,
  point: 1,
  ellipse: 1,
  cuboid: 1,
  keypoints: 1,
});

/** Task statuses in the order tasks cycle through them. */
export const taskCycle: TaskStatus[] = ['available', 'in_progress', 'complete', 'archived'];

/** The tokens every bulk text file holds. */
export const tokenList = tokenize(
  'The silver van turned left onto Harbour Street while a cyclist waited at the light near the station .',
);
/** `tokenList` as `file.text_tokens` stores it, built once for every text file. */
export const tokensJson = JSON.stringify(tokenList);

/** File i is a video when i % 20 is 10, a text when it is 15, an image otherwise. */
export function fileTypeOf(index: number): FileType {
  const slot = index % 20;
  return slot === 10 ? 'video' : slot === 15 ? 'text' : 'image';
}

/** `bulk-000000.jpg` …: unique within a project, so rows are matched back to their ids by name. */
export function fileName(index: number, type: FileType): string {
  const extension = type === 'image' ? 'jpg' : type === 'video' ? 'mp4' : 'txt';
  return `bulk-${String(index).padStart(6, '0')}.${extension}`;
}

/** The geometry JSON of a drawn image instance, written as text: this runs some 750,000 times for 100,000 files. */
export function geometryJson(type: DrawnType, int: (min: number, max: number) => number): string {
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
  }
}
