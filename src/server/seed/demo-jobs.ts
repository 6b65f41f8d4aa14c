import type { JobStatus, TaskStatus } from '../../contract/annotations.ts';
import type { LabelName } from './demo-labels.ts';
import { clipNames, imageName } from './demo-files.ts';

// The demo's jobs and their tasks: data only, written by demo-project.ts. Task order is insertion
// order (task ids and times follow it); within a job, a file has at most one task per status.

/** A job of the demo. */
export interface JobDefinition {
  name: string;
  status: JobStatus;
  /** The labels its annotators may use (the job's label schema). */
  labels: LabelName[];
  /** Tasks by file name, in insertion order. */
  tasks: [fileName: string, status: TaskStatus][];
}

/** Three jobs: images, videos, texts (image 1 is in two jobs, image 2 has two tasks in one). */
export const jobDefinitions: JobDefinition[] = [
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
