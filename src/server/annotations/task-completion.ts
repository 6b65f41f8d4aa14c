import type { Kysely } from 'kysely';
import type { TaskStatus } from '../../contract/annotations.ts';
import type { Database } from '../db/schema.ts';
import { clearCompletion, taskStatusesOfFile } from './job-task-queries.ts';

/*
 * The platform's rules between tasks and a file's own completion flag, as the seed's readme states
 * them (Diffgram's behaviour), written once here for every writer:
 *
 * 1. When every task of a file that is not archived is complete, the file is complete.
 * 2. When a task of a complete file leaves `complete` (and the file's tasks are no longer all
 *    complete), the file is no longer complete.
 * 3. Creating a new task for a file that is complete resets the file's completion.
 * 4. Completion never locks a file: nothing here (or anywhere in the write API) refuses a change
 *    because a file is complete.
 *
 * A file marked complete by hand (PATCH) with tasks still open stays complete until one of its tasks
 * leaves `complete`: rule 2 speaks of a task leaving, not of open tasks existing. A file whose tasks
 * are all archived follows none of them and keeps its completion.
 */

/**
 * The completion a file takes after one of its tasks moved from `from` to `to`, given the statuses
 * of all its tasks now (the move included); undefined when it keeps the one it has.
 */
export function completionAfterTaskMove(
  fileComplete: boolean,
  statuses: readonly TaskStatus[],
  from: TaskStatus,
  to: TaskStatus,
): boolean | undefined {
  const live = statuses.filter((status) => status !== 'archived');
  // With every task archived the file has no task to follow: it keeps the completion it has.
  if (live.length === 0) return undefined;
  const allComplete = live.every((status) => status === 'complete');
  if (allComplete) return fileComplete ? undefined : true;
  if (fileComplete && from === 'complete' && to !== 'complete') return false;
  return undefined;
}

/**
 * Applies rules 1 and 2 after a task of `fileId` moved (the task's row already updated); returns
 * the file's completion now, and whether it changed. The caller stamps the file.
 */
export async function settleCompletionAfterTaskMove(
  db: Kysely<Database>,
  file: { id: number; complete: boolean },
  from: TaskStatus,
  to: TaskStatus,
): Promise<{ complete: boolean; changed: boolean }> {
  const statuses = await taskStatusesOfFile(db, file.id);
  const next = completionAfterTaskMove(file.complete, statuses, from, to);
  if (next === undefined) return { complete: file.complete, changed: false };
  await db
    .updateTable('file')
    .set({ ann_is_complete: next ? 1 : 0 })
    .where('id', '=', file.id)
    .execute();
  return { complete: next, changed: true };
}

/** Applies rule 3 to the files new tasks were made for; returns how many were reset. */
export async function resetCompletionForNewTasks(
  db: Kysely<Database>,
  fileIds: readonly number[],
): Promise<number> {
  return clearCompletion(db, fileIds);
}
