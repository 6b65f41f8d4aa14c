import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/*
 * The project-wide change counter (migration 0006). Every transaction that changes files (their
 * instances, completion, removal, media, a new task on them, a new membership) takes ONE new value
 * of its project's counter with `nextChangeSeq` and stamps each file it changed with it
 * (`markFilesChanged`); a file it makes gets the value as `created_seq` too, a membership or task as
 * `added_seq` / `created_seq`.
 *
 * Why one value per transaction, taken with an UPDATE … RETURNING on the project row: the row lock
 * makes writers of one project take turns at the counter, so a value is never handed out twice and
 * the values commit in the order they were taken. An export reads the counter inside its snapshot
 * (`export.snapshot_seq`); a file stamped above it was changed by a transaction the snapshot did not
 * see, and one stamped at or below it by one the snapshot did. That makes `changes_since` exact.
 *
 * Why code rather than triggers (which keep the counts of migration 0004): a trigger fires per row,
 * and an import of 100,000 files with a million instances would advance and lock the project row a
 * million times; here an import page costs one UPDATE. The writers are few (the write API's service,
 * the import writer) and each has a test that the counter moves.
 */

/** Anything that runs queries: the database or a transaction. */
type Queryable = Kysely<Database>;

/**
 * Takes the next value of the project's change counter. Call it inside the writing transaction,
 * once, before stamping; it locks the project row until the transaction ends.
 */
export async function nextChangeSeq(db: Queryable, projectId: number): Promise<number> {
  const row = await db
    .updateTable('project')
    .set((eb) => ({ change_seq: eb('change_seq', '+', 1) }))
    .where('id', '=', projectId)
    .returning('change_seq')
    .executeTakeFirst();
  if (row === undefined) throw new Error(`Project ${projectId} does not exist.`);
  return row.change_seq;
}

/** Stamps files as changed at `seq` (and touches their `last_modified_time`). */
export async function markFilesChanged(
  db: Queryable,
  fileIds: readonly number[],
  seq: number,
  time: string = new Date().toISOString(),
): Promise<void> {
  // Chunked: SQLite allows some 32,000 bound values per statement.
  for (let start = 0; start < fileIds.length; start += 5_000) {
    const chunk = fileIds.slice(start, start + 5_000);
    await db
      .updateTable('file')
      .set({ change_seq: seq, last_modified_time: time })
      .where('id', 'in', chunk)
      .execute();
  }
}

/** The project's counter as this connection (or snapshot) sees it. */
export async function currentChangeSeq(db: Queryable, projectId: number): Promise<number> {
  const row = await db
    .selectFrom('project')
    .select('change_seq')
    .where('id', '=', projectId)
    .executeTakeFirst();
  if (row === undefined) throw new Error(`Project ${projectId} does not exist.`);
  return row.change_seq;
}
