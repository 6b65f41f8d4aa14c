import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { ChangesSince, ExportSource } from '../../contract/exports.ts';
import type { Database } from '../db/schema.ts';

/*
 * `changes_since` of a complete export: how many files of its source changed, joined or were removed
 * since the snapshot it read. One query per export, driven by the index `file_project_change_idx
 * (project_id, change_seq)`: only the project's files stamped above the snapshot's counter are read
 * (file-changes.ts stamps every file a write touches), and of those, the ones in the source. Nothing
 * rescans the source, so the cost follows what changed since the export, not the source's size.
 *
 * The rule (the contract's `changesSinceSchema` says it to clients): a file counts when it is in the
 * source whatever the completed-only filter and the include-removed setting (a completion change or a
 * soft-deleted instance changes what regenerating writes under one setting or another). The counts
 * may name a file that regenerating would not change, never miss one that it would. Per source:
 *
 * - directory: files with a membership of the directory. One that joined after the snapshot
 *   (`directory_file.added_seq` or the file's `created_seq` above it) is added; one there at the
 *   snapshot is changed, or removed when its state is `removed` now. One that joined and was removed
 *   since was in neither export and counts nowhere.
 * - job: files with a task of the job, archived tasks included: archiving a task (which stamps its
 *   file) takes the file out of the job's export, a change regenerating would make. A file whose
 *   every open task was created after the snapshot is added (it joined since, or came back with a new
 *   task after its old ones were archived). A file with a task created at or before the snapshot was
 *   (or may have been) in it: changed, or removed when removed now. Over-counts, all allowed: a file
 *   whose only tasks were archived before the snapshot and that changed since counts as changed (no
 *   row says when a task was archived); so does a file removed before the snapshot and stamped again.
 * - task: the task's file; changed, or removed when removed now. Never added.
 */

/** What `changes_since` is counted for: an export's project, source and snapshot. */
export interface ChangesTarget {
  /** The export's project. */
  projectId: number;
  /** What it read from. */
  source: ExportSource;
  /** The directory, job or task id. */
  sourceId: number;
  /** The project's change counter in the snapshot it read (`export.snapshot_seq`). */
  snapshotSeq: number;
}

/** Per changed file of the source: its state now, whether it was in the source, whether it joined. */
interface ChangedFileFlags {
  state: string;
  was_in: SqlBool;
  joined: SqlBool;
}

type FileBuilder = ExpressionBuilder<Database, 'file'>;

/**
 * The query counting `changes_since` of `target`, unexecuted: `countChangesSince` runs it, and a
 * test reads its plan (EXPLAIN) to see the index at work.
 */
export function changesSinceQuery(db: Kysely<Database>, target: ChangesTarget) {
  const removed = (eb: ExpressionBuilder<{ changed: ChangedFileFlags }, 'changed'>) =>
    eb('changed.state', '=', 'removed');
  return db.selectFrom(changedFilesOfSource(db, target).as('changed')).select((eb) => [
    eb.fn
      .countAll<number>()
      .filterWhere(
        eb.and([eb.not(removed(eb)), eb.ref('changed.was_in'), eb.not(eb.ref('changed.joined'))]),
      )
      .as('files_changed'),
    eb.fn
      .countAll<number>()
      .filterWhere(eb.and([eb.not(removed(eb)), eb.ref('changed.joined')]))
      .as('files_added'),
    eb.fn
      .countAll<number>()
      .filterWhere(eb.and([removed(eb), eb.ref('changed.was_in')]))
      .as('files_removed'),
  ]);
}

/** Counts `changes_since` of `target`; see the module comment for what counts. */
export async function countChangesSince(
  db: Kysely<Database>,
  target: ChangesTarget,
): Promise<ChangesSince> {
  // PostgreSQL's count is int8, which database.ts parses to a number.
  const row = await changesSinceQuery(db, target).executeTakeFirstOrThrow();
  return {
    files_changed: row.files_changed,
    files_added: row.files_added,
    files_removed: row.files_removed,
  };
}

/** The project's files stamped after the snapshot that belong to the source, with their flags. */
function changedFilesOfSource(db: Kysely<Database>, target: ChangesTarget) {
  const { projectId, sourceId, snapshotSeq } = target;
  // The index range every source starts from.
  const changed = db
    .selectFrom('file')
    .where('file.project_id', '=', projectId)
    .where('file.change_seq', '>', snapshotSeq);
  const createdBefore = (eb: FileBuilder) => eb('file.created_seq', '<=', snapshotSeq);

  switch (target.source) {
    case 'directory':
      return changed
        .innerJoin('directory_file', (join) =>
          join
            .onRef('directory_file.file_id', '=', 'file.id')
            .on('directory_file.directory_id', '=', sourceId),
        )
        .select((eb) => {
          const wasIn = eb.and([
            eb('directory_file.added_seq', '<=', snapshotSeq),
            eb('file.created_seq', '<=', snapshotSeq),
          ]);
          return ['file.state', wasIn.as('was_in'), eb.not(wasIn).as('joined')];
        });
    case 'job': {
      const tasksOfFile = (eb: FileBuilder) =>
        eb
          .selectFrom('task')
          .select('task.id')
          .whereRef('task.file_id', '=', 'file.id')
          .where('task.job_id', '=', sourceId);
      const openTask = (eb: FileBuilder) => tasksOfFile(eb).where('task.status', '!=', 'archived');
      const taskBefore = (eb: FileBuilder): Expression<SqlBool> =>
        eb.exists(tasksOfFile(eb).where('task.created_seq', '<=', snapshotSeq));
      return changed
        .where((eb) => eb.exists(tasksOfFile(eb)))
        .select((eb) => [
          'file.state',
          eb.and([taskBefore(eb), createdBefore(eb)]).as('was_in'),
          eb
            .and([
              eb.exists(openTask(eb)),
              eb.not(eb.exists(openTask(eb).where('task.created_seq', '<=', snapshotSeq))),
            ])
            .as('joined'),
        ]);
    }
    case 'task':
      return changed
        .where(
          'file.id',
          'in',
          db.selectFrom('task').select('task.file_id').where('task.id', '=', sourceId),
        )
        .select((eb) => ['file.state', eb.lit(true).as('was_in'), eb.lit(false).as('joined')]);
  }
}
