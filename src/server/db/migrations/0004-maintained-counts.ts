import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../database.ts';

/*
 * Counts the panel reads on every page, kept by the database instead of recounted per call.
 *
 * `GET /api/v1/projects/:project` used to join every directory to all its files and count them:
 * 127 ms at 100,000 files and growing with the project. The counts now live beside what they count:
 * `directory.file_count` / `completed_file_count` and `job.task_count` plus one column per task
 * status, so the read is one indexed select of a few rows whatever the project's size.
 *
 * Why triggers rather than the code that writes: seeds, a future import and a future write API all
 * change files, memberships and tasks, and a counter any of them forgets is wrong for ever. A trigger
 * cannot be forgotten, and it runs in the writer's transaction, so a count never shows half a change.
 * Why columns on `directory` and `job` rather than a table of counts: a new directory or job starts
 * at 0 by the column default with no row to create, and deleting one takes its counts with it.
 * Why not an index instead: a covering index still reads every membership of a directory (a million
 * at a million files); only a maintained count is a few milliseconds there.
 *
 * What is counted is exactly what the recount counted (project-queries.ts keeps it as the reference):
 * a directory's `file_count` is its `directory_file` rows whose file has `state = 'added'`, and
 * `completed_file_count` those of them with `ann_is_complete = 1`; a job's `task_count` is all its
 * tasks and each status column its tasks in that status. The triggers follow every change that moves
 * them: membership insert/update/delete, a file's `state` or `ann_is_complete` changing, a file
 * deleted outright (its memberships go by cascade), and task insert/delete/status or job change.
 *
 * SQLite has only row triggers: each membership or task row costs a primary-key lookup of its file
 * and an update of one directory or job row. PostgreSQL gets statement triggers with transition
 * tables instead, so a 5,000-row INSERT of a seed batch costs one grouped UPDATE per directory or job,
 * not 5,000 updates of one hot row (each of which leaves a dead version of that row until the
 * transaction ends). There a membership's trigger also takes FOR SHARE on the files it counts, so a
 * concurrent change of the same file's state waits for it instead of each transaction missing the
 * other's row. The price: two transactions changing the same directory's or job's counts take turns
 * at its row, which a bulk writer (one transaction) never notices.
 * A file deleted outright is handled per row before the delete, while its memberships still exist;
 * the cascade's membership triggers then find no file and count nothing, on both engines.
 *
 * Two writes get past row triggers: TRUNCATE on PostgreSQL, which has triggers of its own below that
 * zero the counts it empties; and on SQLite INSERT OR REPLACE, whose implicit delete fires delete
 * triggers only with PRAGMA recursive_triggers on. annex never REPLACEs; a writer that must turns the
 * pragma on first.
 */

// Frozen here rather than read from the contract: a migration must mean the same thing for ever.
const taskStatuses = ['available', 'in_progress', 'complete', 'archived'] as const;

/** Adds the counters, the triggers that keep them, and fills them in for the rows already there. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  for (const column of ['file_count', 'completed_file_count']) {
    await db.schema
      .alterTable('directory')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  }
  for (const column of ['task_count', ...taskStatuses.map((status) => `${status}_task_count`)]) {
    await db.schema
      .alterTable('job')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  }

  const statements = dialect === 'sqlite' ? sqliteTriggers() : postgresTriggers();
  for (const statement of statements) await sql.raw(statement).execute(db);

  // Backfill after the triggers exist: both run in the migration's transaction on PostgreSQL, and
  // SQLite has one writer, so no change can slip between the count and the first trigger.
  await sql`
    UPDATE directory SET
      file_count = (
        SELECT count(*) FROM directory_file df JOIN file f ON f.id = df.file_id
        WHERE df.directory_id = directory.id AND f.state = 'added'),
      completed_file_count = (
        SELECT count(*) FROM directory_file df JOIN file f ON f.id = df.file_id
        WHERE df.directory_id = directory.id AND f.state = 'added' AND f.ann_is_complete = 1)
  `.execute(db);
  const statusCounts = taskStatuses
    .map(
      (status) =>
        `${status}_task_count = (SELECT count(*) FROM task WHERE task.job_id = job.id AND task.status = '${status}')`,
    )
    .join(', ');
  await sql
    .raw(
      `UPDATE job SET task_count = (SELECT count(*) FROM task WHERE task.job_id = job.id), ${statusCounts}`,
    )
    .execute(db);
}

/** `a = b` as 0 or 1 on either engine (SQLite's comparisons already are integers). */
type AsInt = (condition: string) => string;

/** `<status>_task_count = <status>_task_count ± (<row>.status = '<status>')`, for every status. */
function taskStatusDeltas(asInt: AsInt, sign: '+' | '-', row: string): string {
  return taskStatuses
    .map(
      (status) =>
        `${status}_task_count = ${status}_task_count ${sign} ${asInt(`${row}.status = '${status}'`)}`,
    )
    .join(', ');
}

function sqliteTriggers(): string[] {
  const asInt: AsInt = (condition) => `(${condition})`;
  // A membership counts when its file is added; it also counts as complete when the file is.
  const membership = (sign: '+' | '-', row: 'NEW' | 'OLD') => `
    UPDATE directory SET
      file_count = file_count ${sign} 1,
      completed_file_count = completed_file_count ${sign}
        (SELECT ann_is_complete = 1 FROM file WHERE id = ${row}.file_id)
    WHERE id = ${row}.directory_id
      AND (SELECT state FROM file WHERE id = ${row}.file_id) = 'added';`;
  const task = (sign: '+' | '-', row: 'NEW' | 'OLD') => `
    UPDATE job SET task_count = task_count ${sign} 1, ${taskStatusDeltas(asInt, sign, row)}
    WHERE id = ${row}.job_id;`;
  const counted = (row: 'NEW' | 'OLD') => `(${row}.state = 'added')`;
  const completed = (row: 'NEW' | 'OLD') =>
    `(${row}.state = 'added' AND ${row}.ann_is_complete = 1)`;
  return [
    `CREATE TRIGGER directory_file_counts_insert AFTER INSERT ON directory_file
     BEGIN ${membership('+', 'NEW')} END`,
    `CREATE TRIGGER directory_file_counts_delete AFTER DELETE ON directory_file
     BEGIN ${membership('-', 'OLD')} END`,
    `CREATE TRIGGER directory_file_counts_update AFTER UPDATE OF directory_id, file_id ON directory_file
     BEGIN ${membership('-', 'OLD')} ${membership('+', 'NEW')} END`,
    `CREATE TRIGGER file_counts_update AFTER UPDATE OF state, ann_is_complete ON file
     WHEN ${counted('OLD')} IS NOT ${counted('NEW')} OR ${completed('OLD')} IS NOT ${completed('NEW')}
     BEGIN
       UPDATE directory SET
         file_count = file_count + ${counted('NEW')} - ${counted('OLD')},
         completed_file_count = completed_file_count + ${completed('NEW')} - ${completed('OLD')}
       WHERE id IN (SELECT directory_id FROM directory_file WHERE file_id = OLD.id);
     END`,
    // Before the delete: its memberships are still there to say which directories lose it.
    `CREATE TRIGGER file_counts_delete BEFORE DELETE ON file
     WHEN OLD.state = 'added'
     BEGIN
       UPDATE directory SET
         file_count = file_count - 1,
         completed_file_count = completed_file_count - ${completed('OLD')}
       WHERE id IN (SELECT directory_id FROM directory_file WHERE file_id = OLD.id);
     END`,
    `CREATE TRIGGER task_counts_insert AFTER INSERT ON task BEGIN ${task('+', 'NEW')} END`,
    `CREATE TRIGGER task_counts_delete AFTER DELETE ON task BEGIN ${task('-', 'OLD')} END`,
    `CREATE TRIGGER task_counts_update AFTER UPDATE OF job_id, status ON task
     WHEN OLD.job_id IS NOT NEW.job_id OR OLD.status IS NOT NEW.status
     BEGIN ${task('-', 'OLD')} ${task('+', 'NEW')} END`,
  ];
}

function postgresTriggers(): string[] {
  const asInt: AsInt = (condition) => `(${condition})::int`;
  // Each trigger function turns its transition tables into signed "moves" (+1 for a row that arrives,
  // -1 for one that leaves), then applies them grouped: one UPDATE per directory or job per statement.
  const moves = {
    INSERT: (columns: string) => `SELECT ${columns}, 1 AS n FROM new_rows`,
    DELETE: (columns: string) => `SELECT ${columns}, -1 AS n FROM old_rows`,
    UPDATE: (columns: string) =>
      `SELECT ${columns}, -1 AS n FROM old_rows UNION ALL SELECT ${columns}, 1 AS n FROM new_rows`,
  } as const;
  const membershipBody = (rows: string) => `
    WITH moves AS (${rows}),
    counted AS (
      SELECT m.directory_id, m.n, f.ann_is_complete
      FROM moves m JOIN file f ON f.id = m.file_id AND f.state = 'added'
      FOR SHARE OF f
    ),
    delta AS (
      SELECT directory_id, sum(n) AS files,
        coalesce(sum(n) FILTER (WHERE ann_is_complete = 1), 0) AS completed
      FROM counted GROUP BY directory_id
    )
    UPDATE directory d SET
      file_count = d.file_count + delta.files,
      completed_file_count = d.completed_file_count + delta.completed
    FROM delta
    WHERE d.id = delta.directory_id AND (delta.files <> 0 OR delta.completed <> 0);`;
  const statusSums = taskStatuses
    .map((status) => `coalesce(sum(n) FILTER (WHERE status = '${status}'), 0) AS ${status}`)
    .join(', ');
  const statusSets = taskStatuses
    .map((status) => `${status}_task_count = j.${status}_task_count + delta.${status}`)
    .join(', ');
  const statusChanged = taskStatuses.map((status) => `delta.${status} <> 0`).join(' OR ');
  const taskBody = (rows: string) => `
    WITH moves AS (${rows}),
    delta AS (SELECT job_id, sum(n) AS tasks, ${statusSums} FROM moves GROUP BY job_id)
    UPDATE job j SET task_count = j.task_count + delta.tasks, ${statusSets}
    FROM delta
    WHERE j.id = delta.job_id AND (delta.tasks <> 0 OR ${statusChanged});`;

  const counted = (row: string) => asInt(`${row}.state = 'added'`);
  const completed = (row: string) => asInt(`${row}.state = 'added' AND ${row}.ann_is_complete = 1`);
  const fileUpdateBody = `
    WITH changed AS (
      SELECT o.id,
        ${counted('n')} - ${counted('o')} AS files,
        ${completed('n')} - ${completed('o')} AS completed
      FROM old_rows o JOIN new_rows n ON n.id = o.id
    ),
    delta AS (
      SELECT df.directory_id, sum(c.files) AS files, sum(c.completed) AS completed
      FROM changed c JOIN directory_file df ON df.file_id = c.id
      WHERE c.files <> 0 OR c.completed <> 0
      GROUP BY df.directory_id
    )
    UPDATE directory d SET
      file_count = d.file_count + delta.files,
      completed_file_count = d.completed_file_count + delta.completed
    FROM delta
    WHERE d.id = delta.directory_id AND (delta.files <> 0 OR delta.completed <> 0);`;
  const fileDeleteBody = `
    IF OLD.state = 'added' THEN
      UPDATE directory SET
        file_count = file_count - 1,
        completed_file_count = completed_file_count - ${asInt('OLD.ann_is_complete = 1')}
      WHERE id IN (SELECT directory_id FROM directory_file WHERE file_id = OLD.id);
    END IF;
    RETURN OLD;`;

  // SET search_path FROM CURRENT: the functions name tables unqualified, and must find the ones of
  // the schema they were made in whichever search_path the writing connection has.
  const fn = (name: string, body: string) => `
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN ${body} RETURN NULL; END $$`;
  const statementTrigger = (table: string, event: keyof typeof moves, name: string) => {
    const referencing = {
      INSERT: 'REFERENCING NEW TABLE AS new_rows',
      DELETE: 'REFERENCING OLD TABLE AS old_rows',
      UPDATE: 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows',
    }[event];
    return `CREATE TRIGGER ${name}_${event.toLowerCase()} AFTER ${event} ON ${table}
      ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION ${name}_${event.toLowerCase()}()`;
  };
  const events = ['INSERT', 'DELETE', 'UPDATE'] as const;
  return [
    ...events.flatMap((event) => [
      fn(
        `directory_file_counts_${event.toLowerCase()}`,
        membershipBody(moves[event]('directory_id, file_id')),
      ),
      statementTrigger('directory_file', event, 'directory_file_counts'),
      fn(`task_counts_${event.toLowerCase()}`, taskBody(moves[event]('job_id, status'))),
      statementTrigger('task', event, 'task_counts'),
    ]),
    fn('file_counts_update', fileUpdateBody),
    statementTrigger('file', 'UPDATE', 'file_counts'),
    // A row trigger, before the delete: the one place the file's memberships can still be found.
    `CREATE FUNCTION file_counts_delete() RETURNS trigger LANGUAGE plpgsql
     SET search_path FROM CURRENT AS $$ BEGIN ${fileDeleteBody} END $$`,
    `CREATE TRIGGER file_counts_delete BEFORE DELETE ON file
     FOR EACH ROW EXECUTE FUNCTION file_counts_delete()`,
    // TRUNCATE fires no row or transition-table triggers; after it, the counts it emptied are 0
    // (truncating `file` must cascade to `directory_file`, which lands here too).
    fn(
      'directory_file_counts_truncate',
      'UPDATE directory SET file_count = 0, completed_file_count = 0;',
    ),
    `CREATE TRIGGER directory_file_counts_truncate AFTER TRUNCATE ON directory_file
     FOR EACH STATEMENT EXECUTE FUNCTION directory_file_counts_truncate()`,
    fn(
      'task_counts_truncate',
      `UPDATE job SET task_count = 0, ${taskStatuses.map((status) => `${status}_task_count = 0`).join(', ')};`,
    ),
    `CREATE TRIGGER task_counts_truncate AFTER TRUNCATE ON task
     FOR EACH STATEMENT EXECUTE FUNCTION task_counts_truncate()`,
  ];
}
