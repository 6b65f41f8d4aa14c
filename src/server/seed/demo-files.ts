import type { FileState, FileType } from '../../contract/annotations.ts';

// The demo project, its directories and its 34 files: data only, written by demo-project.ts (whose
// head comment describes the shape). File order is part of the seeded data: ids, times and the
// seeded content all follow it.

/** The demo project's `project_string_id`. */
export const demoProjectStringId = 'demo';
/** The demo project's name. */
export const demoProjectName = 'Demo: street scenes';
/** The demo's default directory. */
export const demoDefaultDirectoryNickname = 'Luckfrill';

/** The demo's directories, in insertion order. */
export const directoryNicknames = [
  demoDefaultDirectoryNickname,
  'Night drives',
  'Reading room',
] as const;
/** The nickname of a demo directory. */
export type DirectoryNickname = (typeof directoryNicknames)[number];

/** A file of the demo. */
export interface FileDefinition {
  /** Its original_filename, unique in the demo. */
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
    /** The name of the video this clip was split from. */
    parent?: string;
  };
}

/** The long video that was split into clips. */
export const parentVideoName = 'drive-downtown.mp4';
/** Its clips, in clip order. */
export const clipNames = [1, 2, 3].map((n) => `drive-downtown_clip-${n}.mp4`);

/** `street-01.jpg` … `street-24.jpg`. */
export function imageName(n: number): string {
  return `street-${String(n).padStart(2, '0')}.jpg`;
}

/** Every demo file in insertion order: 24 images, the split video and its clips, two videos, 4 texts. */
export function fileDefinitions(): FileDefinition[] {
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
