import type { ExpressionBuilder } from 'kysely';
import { maxCheckExamples } from '../../contract/export-checks.ts';
import type { CheckFinding } from '../../contract/export-checks.ts';
import type { DatabaseReader } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { SourceTaskChecks } from './export-checks-collector.ts';
import type { ResolvedExportSelection } from './export-selection.ts';

/*
 * The task values of a job or task export (the seed's "number of tasks complete"), read in the
 * writer's snapshot with three set-based queries, never one per file. They describe the SOURCE, not
 * only the files written: "files not complete whose tasks are" matters most for a completed-only
 * export, which may leave those very files out.
 *
 * - The tasks of the source: a job's tasks, or the one task; archived tasks are left out (they are
 *   never exported), and so are tasks on removed files (removed files are never exported).
 * - The source's files: the files of those tasks (not removed), each once.
 * - Complete files with open tasks: source files marked complete with a task of the source that
 *   is neither complete nor archived.
 * - Open files with complete tasks: source files not marked complete whose every (non-archived)
 *   task of the source is complete.
 * Examples are file ids in id order (no instance, no frame).
 */

type TaskSource = { kind: 'job'; jobId: number } | { kind: 'task'; taskId: number };

/** The task values of the export's source, or null for a directory export. */
export async function readTaskChecks(
  snapshot: DatabaseReader,
  selection: ResolvedExportSelection,
): Promise<SourceTaskChecks | null> {
  const { settings, sourceId } = selection;
  if (settings.source === 'directory') return null;
  const source: TaskSource =
    settings.source === 'job'
      ? { kind: 'job', jobId: sourceId }
      : { kind: 'task', taskId: sourceId };
  const projectId = settings.projectId;
  const { db } = snapshot;

  // The source's tasks that count: not archived, on a file of the project that is not removed.
  const sourceTasks = (eb: ExpressionBuilder<Database, 'task'>) =>
    eb.and([
      source.kind === 'job'
        ? eb('task.job_id', '=', source.jobId)
        : eb('task.id', '=', source.taskId),
      eb('task.status', '!=', 'archived'),
    ]);

  const counts = await db
    .selectFrom('task')
    .innerJoin('file', 'file.id', 'task.file_id')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn
        .count<number>(eb.case().when('task.status', '=', 'complete').then(1).end())
        .as('complete'),
    ])
    .where(sourceTasks)
    .where('file.project_id', '=', projectId)
    .where('file.state', '!=', 'removed')
    .executeTakeFirstOrThrow();

  // Source files (not removed, with a counted task) that hold an open task of the source, or not.
  const filesWhere = (complete: 0 | 1, withOpenTask: boolean) =>
    db
      .selectFrom('file')
      .select((eb) => ['file.id', eb.fn.countAll<number>().over().as('total')])
      .where('file.project_id', '=', projectId)
      .where('file.state', '!=', 'removed')
      .where('file.ann_is_complete', '=', complete)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('task')
            .select('task.id')
            .whereRef('task.file_id', '=', 'file.id')
            .where(sourceTasks),
        ),
      )
      .where((eb) => {
        const openTask = eb.exists(
          eb
            .selectFrom('task')
            .select('task.id')
            .whereRef('task.file_id', '=', 'file.id')
            .where(sourceTasks)
            .where('task.status', '!=', 'complete'),
        );
        return withOpenTask ? openTask : eb.not(openTask);
      })
      .orderBy('file.id')
      .limit(maxCheckExamples)
      .execute();

  // One after the other: a snapshot is one connection.
  const completeWithOpen = await filesWhere(1, true);
  const openWithComplete = await filesWhere(0, false);
  return {
    tasks_total: counts.total,
    tasks_complete: counts.complete,
    complete_files_with_open_tasks: findingOf(completeWithOpen),
    open_files_with_complete_tasks: findingOf(openWithComplete),
  };
}

/** A finding from the first rows of a query that counts all its rows beside each (`count(*) over ()`). */
function findingOf(rows: { id: number; total: number }[]): CheckFinding {
  return {
    count: rows[0]?.total ?? 0,
    examples: rows.map((row) => ({ file_id: row.id, instance_id: null, frame_number: null })),
  };
}
