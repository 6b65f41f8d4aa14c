import { instanceTypes } from '../../contract/annotations.ts';
import type { InstanceType, JobStatus, TaskStatus } from '../../contract/annotations.ts';
import type { DemoPlan } from './demo-content.ts';
import {
  clipNames,
  demoProjectName,
  demoProjectStringId,
  directoryNicknames,
  parentVideoName,
} from './demo-files.ts';
import { groupDefinitions, labelDefinitions } from './demo-labels.ts';
import { required } from './project-writer.ts';
import type { WrittenAttributeGroups, WrittenProject } from './project-writer.ts';

// What seeding the demo returns: the ids it got and the counts an export of it should show, derived
// from the definitions and the plan rather than read back, so a test that compares them with the
// database checks the writer too.

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

/** The summary of a written demo, from its plan and the ids its rows got. */
export function summarizeDemo(input: {
  plan: DemoPlan;
  project: WrittenProject;
  labelIds: Map<string, number>;
  groups: WrittenAttributeGroups;
  fileIds: Map<string, number>;
  jobs: Record<string, DemoJobSummary>;
}): DemoProjectSummary {
  const { plan, fileIds } = input;
  const fileId = (name: string) => required(fileIds, name, 'file');
  const directories: Record<string, DemoDirectorySummary> = {};
  for (const nickname of directoryNicknames) {
    const files = plan.files.filter((file) => file.directories.includes(nickname));
    directories[nickname] = {
      id: required(input.project.directoryIds, nickname, 'directory'),
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
    projectId: input.project.projectId,
    projectStringId: demoProjectStringId,
    name: demoProjectName,
    defaultDirectoryId: input.project.defaultDirectoryId,
    directories,
    labelIds: Object.fromEntries(input.labelIds),
    attributeGroupIds: Object.fromEntries(input.groups.groupIds),
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
      attributeTemplates: input.groups.templateCount,
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
