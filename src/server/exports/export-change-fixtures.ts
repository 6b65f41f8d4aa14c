import type { Kysely } from 'kysely';
import type { TaskStatus } from '../../contract/annotations.ts';
import { markFilesChanged, nextChangeSeq } from '../annotations/file-changes.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { imageFileValues } from '../test-utils/test-records.ts';

// Writes as the write API makes them, for the snapshot and `changes_since` tests: each in one
// transaction that takes ONE value of the project's change counter and stamps every file it changed
// (file-changes.ts), a new file with `created_seq`, a membership with `added_seq`, a task with
// `created_seq`. They are the real counter and stamps, without the API's validation around them.

const changedTime = '2024-03-07T00:00:00.000Z';

/**
 * Runs `change` in one transaction with the project's next change value and stamps the files it
 * returns with it; returns the value.
 */
export async function writeChange(
  database: AnnexDatabase,
  projectId: number,
  change: (trx: Kysely<Database>, seq: number) => Promise<number[]>,
): Promise<number> {
  return database.db.transaction().execute(async (trx) => {
    const seq = await nextChangeSeq(trx, projectId);
    await markFilesChanged(trx, await change(trx, seq), seq, changedTime);
    return seq;
  });
}

/** Adds a box instance to a file. */
export function addBox(database: AnnexDatabase, projectId: number, fileId: number) {
  return writeChange(database, projectId, async (trx) => {
    await trx
      .insertInto('instance')
      .values({
        project_id: projectId,
        file_id: fileId,
        type: 'box',
        label_id: null,
        geometry: '{"x_min":1,"y_min":1,"x_max":9,"y_max":9}',
        attribute_values: null,
        frame_number: null,
        sequence_id: null,
        local_sequence_number: null,
        interpolated: 0,
        soft_deleted: 0,
        created_time: changedTime,
        last_modified_time: changedTime,
        source_instance_id: null,
      })
      .execute();
    return [fileId];
  });
}

/** Soft-deletes every live instance of a file. */
export function softDeleteInstances(database: AnnexDatabase, projectId: number, fileId: number) {
  return writeChange(database, projectId, async (trx) => {
    await trx
      .updateTable('instance')
      .set({ soft_deleted: 1, last_modified_time: changedTime })
      .where('file_id', '=', fileId)
      .execute();
    return [fileId];
  });
}

/** Marks a file complete or not. */
export function setFileComplete(
  database: AnnexDatabase,
  projectId: number,
  fileId: number,
  complete: boolean,
) {
  return writeChange(database, projectId, async (trx) => {
    await trx
      .updateTable('file')
      .set({ ann_is_complete: complete ? 1 : 0 })
      .where('id', '=', fileId)
      .execute();
    return [fileId];
  });
}

/** Removes a file (its state becomes `removed`). */
export function removeFile(database: AnnexDatabase, projectId: number, fileId: number) {
  return writeChange(database, projectId, async (trx) => {
    await trx.updateTable('file').set({ state: 'removed' }).where('id', '=', fileId).execute();
    return [fileId];
  });
}

/** Creates an image file in a directory; returns its id. */
export async function addNewFile(
  database: AnnexDatabase,
  projectId: number,
  directoryId: number,
  name: string,
): Promise<number> {
  let fileId = 0;
  await writeChange(database, projectId, async (trx, seq) => {
    ({ id: fileId } = await trx
      .insertInto('file')
      .values(imageFileValues(projectId, name, { created_seq: seq, change_seq: seq }))
      .returning('id')
      .executeTakeFirstOrThrow());
    await trx
      .insertInto('directory_file')
      .values({ directory_id: directoryId, file_id: fileId, added_seq: seq })
      .execute();
    return [fileId];
  });
  return fileId;
}

/** Puts an existing file in a directory. */
export function addToDirectory(
  database: AnnexDatabase,
  projectId: number,
  directoryId: number,
  fileId: number,
) {
  return writeChange(database, projectId, async (trx, seq) => {
    await trx
      .insertInto('directory_file')
      .values({ directory_id: directoryId, file_id: fileId, added_seq: seq })
      .execute();
    return [fileId];
  });
}

/** Adds a task on a file to a job; returns the task's id. */
export async function addTaskOn(
  database: AnnexDatabase,
  projectId: number,
  jobId: number,
  fileId: number,
  status: TaskStatus,
): Promise<number> {
  let taskId = 0;
  await writeChange(database, projectId, async (trx, seq) => {
    ({ id: taskId } = await trx
      .insertInto('task')
      .values({
        job_id: jobId,
        file_id: fileId,
        status,
        created_time: changedTime,
        created_seq: seq,
      })
      .returning('id')
      .executeTakeFirstOrThrow());
    return [fileId];
  });
  return taskId;
}

/** Moves a task to another status, stamping its file (its completion may follow). */
export function setTaskStatus(
  database: AnnexDatabase,
  projectId: number,
  taskId: number,
  status: TaskStatus,
) {
  return writeChange(database, projectId, async (trx) => {
    const task = await trx
      .updateTable('task')
      .set({ status })
      .where('id', '=', taskId)
      .returning('file_id')
      .executeTakeFirstOrThrow();
    return [task.file_id];
  });
}
