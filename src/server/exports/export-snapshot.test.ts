import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportFile, FilePacket } from '../../contract/export-file.ts';
import { currentChangeSeq } from '../annotations/file-changes.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import type { NewInstance } from '../db/schema.ts';
import { insertBatched } from '../seed/batch-insert.ts';
import { addDirectory, addProject, imageFileValues } from '../test-utils/test-records.ts';
import {
  addBox,
  addNewFile,
  removeFile,
  setFileComplete,
  softDeleteInstances,
} from './export-change-fixtures.ts';
import { changesSinceQuery, countChangesSince } from './export-changes-queries.ts';
import { buildPackets } from './export-file-packets.ts';
import { signMediaUrl } from './export-file-test-builders.ts';
import { writeExportFile } from './export-file-writer.ts';

/*
 * The promise: annotating during a long export neither fails it nor tears it. A
 * 100,000-file export runs while instances are added and soft-deleted and files are marked complete
 * or removed, through writes that advance the change counter; the writer's hooks run those writes at
 * fixed points (before the first page, after the first progress), so nothing depends on timing. The
 * file must hold exactly the data as of its start, and `changes_since` must then count those writes
 * from the index.
 *
 * The project is lean (one box per image file) so that seeding and writing 100,000 files stay well
 * within a test's time on a small machine; the bulk seed (bench/) is for measuring speed.
 */

const fileCount = 100_000;

describe.each(testDialects)(
  'an export of 100,000 files on %s while the data changes',
  (dialect) => {
    let database: TestDatabase;
    let dir: string;
    let projectId: number;
    let directoryId: number;
    let fileIds: number[];

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-snapshot-'));
      projectId = await addProject(database, 'snapshot', 'Snapshot');
      directoryId = await addDirectory(database, projectId, 'Everything', []);
      fileIds = await seedLeanFiles(database, projectId, directoryId, fileCount);
    }, 120_000);
    afterAll(async () => {
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const fileAt = (index: number) => {
      const id = fileIds[index];
      if (id === undefined) throw new Error(`no file at ${index}`);
      return id;
    };

    it('writes exactly the data as of its start, completes, and then counts the writes it missed', async () => {
      const seqBefore = await currentChangeSeq(database.db, projectId);
      // Files far behind the first pages, so that without a snapshot the writer would read them
      // after the writes.
      const atStart = {
        boxAdded: fileAt(99_000),
        softDeleted: fileAt(60_000),
        completion: fileAt(70_000),
        removed: fileAt(80_000),
      };
      const atProgress = {
        boxAdded: fileAt(90_000),
        removed: fileAt(95_000),
        completion: fileAt(99_999),
      };
      const touched = [...Object.values(atStart), ...Object.values(atProgress)];
      const before = await packetsOf(database, touched);

      let newFile: number | undefined;
      let progressWrites = 0;
      const outPath = path.join(dir, `${dialect}.json`);
      const result = await writeExportFile(
        database,
        {
          projectId,
          source: 'directory',
          sourceId: directoryId,
          annIsComplete: false,
          includeRemoved: false,
          exportId: 1,
          createdTime: '2024-03-06T09:30:00.000Z',
          createdBy: 'lead@example.com',
        },
        outPath,
        {
          signMediaUrl,
          progressIntervalMs: 0,
          onStart: async (selected, snapshotSeq) => {
            expect(selected).toBe(fileCount);
            expect(snapshotSeq).toBe(seqBefore);
            await addBox(database, projectId, atStart.boxAdded);
            await softDeleteInstances(database, projectId, atStart.softDeleted);
            await setFileComplete(database, projectId, atStart.completion, false);
            await removeFile(database, projectId, atStart.removed);
            newFile = await addNewFile(database, projectId, directoryId, 'late.jpg');
          },
          onProgress: async (written) => {
            if (progressWrites > 0 || written === fileCount) return;
            progressWrites += 1;
            await addBox(database, projectId, atProgress.boxAdded);
            await removeFile(database, projectId, atProgress.removed);
            await setFileComplete(database, projectId, atProgress.completion, false);
          },
        },
      );
      expect(progressWrites).toBe(1);
      // Eight writes went through while it ran, each its own change.
      expect(await currentChangeSeq(database.db, projectId)).toBe(seqBefore + 8);

      expect(result).toMatchObject({
        fileCount,
        instanceCount: fileCount,
        snapshotSeq: seqBefore,
      });
      const file = JSON.parse(fs.readFileSync(outPath, 'utf8')) as ExportFile;
      expect(file.export_info.file_list_length).toBe(fileCount);
      expect(file.export_info.instance_count).toBe(fileCount);
      const packets = file as unknown as Record<string, FilePacket>;
      expect(Object.keys(file)).toHaveLength(fileCount + 5);
      expect(packets[String(newFile)]).toBeUndefined();
      for (const id of touched) expect(packets[String(id)]).toEqual(before.get(id));

      // The writes the export missed, from the index: 5 files changed, 2 removed, 1 added.
      const target = {
        projectId,
        source: 'directory' as const,
        sourceId: directoryId,
        snapshotSeq: seqBefore,
      };
      expect(await countChangesSince(database.db, target)).toEqual({
        files_changed: 5,
        files_added: 1,
        files_removed: 2,
      });
      // And read through the index, not by scanning the 100,000 files.
      const compiled = changesSinceQuery(database.db, target).compile();
      const plan = await database.db.executeQuery<Record<string, string>>({
        ...compiled,
        sql: `${dialect === 'sqlite' ? 'explain query plan' : 'explain'} ${compiled.sql}`,
      });
      const planText = plan.rows.map((row) => Object.values(row).join(' ')).join('\n');
      expect(planText).toContain('file_project_change_idx');
      if (dialect === 'postgres') expect(planText).not.toMatch(/Seq Scan on file\b/);
    }, 90_000);
  },
);

/** The packets of `ids` as an export would write them now, with the test signer. */
async function packetsOf(database: TestDatabase, ids: number[]): Promise<Map<number, FilePacket>> {
  const files = await database.db
    .selectFrom('file')
    .selectAll()
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  const built = await buildPackets(database, files, false, signMediaUrl);
  return new Map(built.map(({ fileId, packet }) => [fileId, packet]));
}

/**
 * Seeds `count` image files, every one in the directory with one box, half of them complete, in one
 * transaction and the largest INSERTs the dialect takes; returns the file ids in order.
 */
async function seedLeanFiles(
  database: TestDatabase,
  projectId: number,
  directoryId: number,
  count: number,
): Promise<number[]> {
  const ids = await database.db.transaction().execute(async (trx) => {
    const fileIds: number[] = [];
    const rows = Array.from({ length: count }, (_, index) =>
      imageFileValues(projectId, `lean-${String(index).padStart(6, '0')}.jpg`, {
        ann_is_complete: index % 2 === 0 ? 1 : 0,
      }),
    );
    // 2,000 rows of 23 columns stay under both dialects' limits on bound values.
    for (let start = 0; start < rows.length; start += 1_000) {
      const inserted = await trx
        .insertInto('file')
        .values(rows.slice(start, start + 1_000))
        .returning('id')
        .execute();
      fileIds.push(...inserted.map((row) => row.id).sort((a, b) => a - b));
    }
    await insertBatched(
      trx,
      database.dialect,
      'directory_file',
      fileIds.map((fileId) => ({ directory_id: directoryId, file_id: fileId })),
    );
    const boxes: NewInstance[] = fileIds.map((fileId, index) => ({
      project_id: projectId,
      file_id: fileId,
      type: 'box',
      label_id: null,
      geometry: `{"x_min":${index % 600},"y_min":10,"x_max":${(index % 600) + 30},"y_max":60}`,
      attribute_values: null,
      frame_number: null,
      sequence_id: null,
      local_sequence_number: null,
      interpolated: 0,
      soft_deleted: 0,
      created_time: '2024-03-05T00:00:00.000Z',
      last_modified_time: '2024-03-05T00:00:00.000Z',
      source_instance_id: null,
    }));
    await insertBatched(trx, database.dialect, 'instance', boxes);
    return fileIds;
  });
  // Fresh statistics, as after the bulk seed, so PostgreSQL plans over 100,000 rows it knows of.
  if (database.dialect === 'postgres')
    await sql`ANALYZE file, directory_file, instance`.execute(database.db);
  return ids;
}
