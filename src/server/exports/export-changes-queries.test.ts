import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangesSince, ExportSource } from '../../contract/exports.ts';
import { currentChangeSeq } from '../annotations/file-changes.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { addDirectory, addImages, addJob, addProject } from '../test-utils/test-records.ts';
import {
  addBox,
  addNewFile,
  addTaskOn,
  addToDirectory,
  removeFile,
  setFileComplete,
  setTaskStatus,
  softDeleteInstances,
} from './export-change-fixtures.ts';
import { changesSinceQuery, countChangesSince } from './export-changes-queries.ts';

// What `changes_since` counts for each kind of write, per source, and what it leaves alone. Each
// test takes the counter as an export's snapshot would, writes, and counts since then.

const none: ChangesSince = { files_changed: 0, files_added: 0, files_removed: 0 };
const changed = (files_changed: number): ChangesSince => ({ ...none, files_changed });
const added = (files_added: number): ChangesSince => ({ ...none, files_added });
const removed = (files_removed: number): ChangesSince => ({ ...none, files_removed });

describe.each(testDialects)('changes_since on %s', (dialect) => {
  let database: TestDatabase;
  let projectId: number;
  /** f[0]–f[3] in Shelf, f[4] and f[5] in Other shelf; f[0] and f[1] have tasks in Round. */
  let f: number[];
  let shelf: number;
  let otherShelf: number;
  let round: number;
  let taskOnFirst: number;
  let taskOnSecond: number;
  let otherProject: { projectId: number; fileId: number };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    projectId = await addProject(database, 'changes', 'Changes');
    f = await addImages(database, projectId, 6, true);
    shelf = await addDirectory(database, projectId, 'Shelf', f.slice(0, 4));
    otherShelf = await addDirectory(database, projectId, 'Other shelf', f.slice(4));
    const job = await addJob(database, projectId, 'Round', [
      [f[0] ?? 0, 'complete'],
      [f[1] ?? 0, 'available'],
    ]);
    round = job.jobId;
    [taskOnFirst = 0, taskOnSecond = 0] = job.taskIds;
    const other = await addProject(database, 'elsewhere', 'Elsewhere');
    const [otherFile = 0] = await addImages(database, other, 1, true);
    await addDirectory(database, other, 'Their shelf', [otherFile]);
    otherProject = { projectId: other, fileId: otherFile };
  });
  afterAll(async () => {
    await database.drop();
  });

  const file = (index: number) => {
    const id = f[index];
    if (id === undefined) throw new Error(`no file ${index}`);
    return id;
  };

  /** Counts for each source as an export taken at `snapshotSeq` sees them. */
  async function countsSince(snapshotSeq: number) {
    const count = (source: ExportSource, sourceId: number) =>
      countChangesSince(database.db, { projectId, source, sourceId, snapshotSeq });
    return {
      directory: await count('directory', shelf),
      job: await count('job', round),
      task: await count('task', taskOnFirst),
    };
  }

  const snapshot = () => currentChangeSeq(database.db, projectId);

  it('counts nothing right after the snapshot', async () => {
    expect(await countsSince(await snapshot())).toEqual({ directory: none, job: none, task: none });
  });

  it('counts an instance added or removed as a changed file of each source holding it', async () => {
    const since = await snapshot();
    await addBox(database, projectId, file(0));
    expect(await countsSince(since)).toEqual({
      directory: changed(1),
      job: changed(1),
      task: changed(1),
    });
    await softDeleteInstances(database, projectId, file(0));
    await addBox(database, projectId, file(2));
    // f0 twice is still one file; f2 is in Shelf only.
    expect(await countsSince(since)).toEqual({
      directory: changed(2),
      job: changed(1),
      task: changed(1),
    });
  });

  it('counts a completion change', async () => {
    const since = await snapshot();
    await setFileComplete(database, projectId, file(1), false);
    expect(await countsSince(since)).toEqual({
      directory: changed(1),
      job: changed(1),
      task: none,
    });
  });

  it('counts a removed file as removed, in every source it was in', async () => {
    const since = await snapshot();
    await removeFile(database, projectId, file(3));
    expect(await countsSince(since)).toEqual({ directory: removed(1), job: none, task: none });
  });

  it('counts a file added to the directory, new or already in the project', async () => {
    const since = await snapshot();
    await addNewFile(database, projectId, shelf, 'new-in-shelf.jpg');
    await addToDirectory(database, projectId, shelf, file(4));
    expect(await countsSince(since)).toEqual({ directory: added(2), job: none, task: none });
  });

  it('counts nothing for a file that joined and was removed since', async () => {
    const since = await snapshot();
    const brief = await addNewFile(database, projectId, shelf, 'brief.jpg');
    await removeFile(database, projectId, brief);
    expect(await countsSince(since)).toEqual({ directory: none, job: none, task: none });
  });

  it('counts a new task in the job: an added file when it had none, a changed one when it had', async () => {
    const since = await snapshot();
    // f2's first task in Round: it joins the job (and its stamp shows in Shelf as a change).
    await addTaskOn(database, projectId, round, file(2), 'available');
    expect((await countsSince(since)).job).toEqual(added(1));
    // A second task on f0, which the job held already.
    await addTaskOn(database, projectId, round, file(0), 'available');
    expect(await countsSince(since)).toEqual({
      directory: changed(2),
      job: { files_changed: 1, files_added: 1, files_removed: 0 },
      task: changed(1),
    });
  });

  it('counts a task status change, archiving included (its file leaves the job)', async () => {
    const since = await snapshot();
    await setTaskStatus(database, projectId, taskOnSecond, 'complete');
    expect((await countsSince(since)).job).toEqual(changed(1));
    await setTaskStatus(database, projectId, taskOnSecond, 'archived');
    expect((await countsSince(since)).job).toEqual(changed(1));
    // A file whose only open task is new after its old one was archived joined the job again.
    const later = await snapshot();
    await addTaskOn(database, projectId, round, file(1), 'available');
    expect((await countsSince(later)).job).toEqual(added(1));
  });

  it('counts nothing for changes in another directory or another project', async () => {
    const since = await snapshot();
    await addBox(database, projectId, file(5));
    await addNewFile(database, projectId, otherShelf, 'other-shelf.jpg');
    await addBox(database, otherProject.projectId, otherProject.fileId);
    await removeFile(database, otherProject.projectId, otherProject.fileId);
    expect(await countsSince(since)).toEqual({ directory: none, job: none, task: none });
  });

  it.runIf(dialect === 'sqlite')(
    'reads the files changed since the snapshot through file_project_change_idx',
    async () => {
      const snapshotSeq = await snapshot();
      for (const [source, sourceId] of [
        ['directory', shelf],
        ['job', round],
        ['task', taskOnFirst],
      ] as const) {
        const compiled = changesSinceQuery(database.db, {
          projectId,
          source,
          sourceId,
          snapshotSeq,
        }).compile();
        const plan = await database.db.executeQuery<{ detail: string }>({
          ...compiled,
          sql: `explain query plan ${compiled.sql}`,
        });
        const details = plan.rows.map((row) => row.detail).join('\n');
        expect(details).toMatch(
          /SEARCH file USING (COVERING )?INDEX file_project_change_idx \(project_id=\? AND change_seq>\?\)/,
        );
      }
    },
  );
});
