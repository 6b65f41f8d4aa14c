import type { DialectName } from '../db/database.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { seedDemoProject } from '../seed/demo-project.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import type { ExportSettings } from './export-settings.ts';

// What the export-file and selection tests share: a fresh database with the demo project, settings
// named the way a person picks a source, expectations computed from the demo's own summary, and
// (from test-utils) small additions for the cases the demo does not cover.

/** A fresh database holding the demo project. */
export interface DemoDatabase {
  /** The database; `drop()` it after the tests. */
  database: TestDatabase;
  /** What the demo seed made. */
  demo: DemoProjectSummary;
}

/** Creates a fresh, migrated database on `dialect` and seeds the demo project in it. */
export async function createDemoDatabase(dialect: DialectName): Promise<DemoDatabase> {
  const database = await createTestDatabase(dialect);
  try {
    return { database, demo: await seedDemoProject(database) };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** The source of an export, named as a person picks it. */
export type DemoSource = { directory: string } | { job: string } | { taskId: number };

/** Export settings for the demo project; completed-only and without removed instances unless told. */
export function demoSettings(
  demo: DemoProjectSummary,
  source: DemoSource,
  options: { annIsComplete?: boolean; includeRemoved?: boolean } = {},
): ExportSettings {
  const base = {
    projectId: demo.projectId,
    annIsComplete: options.annIsComplete ?? true,
    includeRemoved: options.includeRemoved ?? false,
  };
  if ('directory' in source) {
    const directory = demo.directories[source.directory];
    if (directory === undefined) throw new Error(`The demo has no directory "${source.directory}"`);
    return { ...base, source: 'directory', sourceId: directory.id };
  }
  if ('job' in source) {
    const job = demo.jobs[source.job];
    if (job === undefined) throw new Error(`The demo has no job "${source.job}"`);
    return { ...base, source: 'job', sourceId: job.id };
  }
  return { ...base, source: 'task', sourceId: source.taskId };
}

/** The demo file id of an original filename. */
export function demoFileId(demo: DemoProjectSummary, name: string): number {
  const id = demo.files[name];
  if (id === undefined) throw new Error(`The demo has no file "${name}"`);
  return id;
}

/** The files a job export should hold, from the demo summary: each file once, never archived tasks or removed files. */
export function expectedJobFileIds(
  demo: DemoProjectSummary,
  jobName: string,
  completedOnly: boolean,
): number[] {
  const job = demo.jobs[jobName];
  if (job === undefined) throw new Error(`The demo has no job "${jobName}"`);
  const removed = new Set(demo.removedFileIds);
  const ids = job.tasks
    .filter((task) => task.status !== 'archived' && (!completedOnly || task.status === 'complete'))
    .map((task) => task.fileId)
    .filter((id) => !removed.has(id));
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** The files a directory export should hold, from the demo summary. */
export function expectedDirectoryFileIds(
  demo: DemoProjectSummary,
  nickname: string,
  completedOnly: boolean,
): number[] {
  const directory = demo.directories[nickname];
  if (directory === undefined) throw new Error(`The demo has no directory "${nickname}"`);
  const removed = new Set(directory.removedFileIds);
  const ids = completedOnly
    ? directory.completedFileIds
    : directory.fileIds.filter((id) => !removed.has(id));
  return [...ids].sort((a, b) => a - b);
}

/** How many instances those files hold, from the demo summary, soft-deleted ones only when asked. */
export function expectedInstanceCount(
  demo: DemoProjectSummary,
  fileIds: number[],
  includeRemoved: boolean,
): number {
  const { instancesByFile, softDeletedByFile } = demo.counts;
  return fileIds.reduce(
    (sum, id) =>
      sum + (instancesByFile[id] ?? 0) - (includeRemoved ? 0 : (softDeletedByFile[id] ?? 0)),
    0,
  );
}
