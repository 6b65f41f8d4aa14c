import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWarnings } from '../../contract/export-checks.ts';
import type { ExportChecks } from '../../contract/export-checks.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import type { NewInstance } from '../db/schema.ts';
import {
  addDirectory,
  addImages,
  addJob,
  addProject,
  imageFileValues,
} from '../test-utils/test-records.ts';
import { startExportChecks } from './export-checks-run.ts';
import { writeExportFile } from './export-file-writer.ts';
import type { ExportSettings } from './export-settings.ts';

// The check values through the real writer on both databases: the task values read in the
// writer's snapshot (set-based queries), and geometry counted from packets built from stored rows.

const builtTime = '2024-03-05T00:00:00.000Z';

describe.each(testDialects)('export check values from the database on %s', (dialect) => {
  let database: TestDatabase;
  let dir: string;
  let projectId: number;
  let exportId = 0;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-checks-'));
    projectId = await addProject(database, 'checks', 'Checks');
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function checksOf(
    settings: Omit<ExportSettings, 'projectId' | 'includeRemoved'> & { includeRemoved?: boolean },
    expectedFileCount: number | null = null,
  ): Promise<ExportChecks> {
    exportId += 1;
    const checks = startExportChecks(expectedFileCount);
    await writeExportFile(
      database,
      {
        includeRemoved: false,
        ...settings,
        projectId,
        exportId,
        createdTime: builtTime,
        createdBy: 'lead@example.com',
      },
      path.join(dir, `${exportId}.json`),
      checks.hooks,
    );
    return checks.result();
  }

  async function addLabel(name: string): Promise<number> {
    const { id } = await database.db
      .insertInto('label')
      .values({ project_id: projectId, name, colour_hex: '#112233' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  async function addInstance(
    fileId: number,
    values: Pick<NewInstance, 'type' | 'geometry'> & Partial<NewInstance>,
  ): Promise<number> {
    const { id } = await database.db
      .insertInto('instance')
      .values({
        project_id: projectId,
        file_id: fileId,
        label_id: null,
        attribute_values: null,
        frame_number: null,
        sequence_id: null,
        local_sequence_number: null,
        interpolated: 0,
        soft_deleted: 0,
        created_time: builtTime,
        last_modified_time: builtTime,
        source_instance_id: null,
        ...values,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  describe('task values', () => {
    // Files: A complete, its one task complete (fine); B complete with an open task (trips the
    // first); C open, both tasks complete (trips the reverse); D open with an open task (fine);
    // E complete, its only other task archived (fine: archived tasks do not count); R removed.
    let files: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'r', number>;
    let jobId: number;
    let taskOfC: number;

    beforeAll(async () => {
      const [a, b, e] = await addImages(database, projectId, 3, true);
      const [c, d] = await addImages(database, projectId, 2, false);
      const [r] = await addImages(database, projectId, 1, false, { state: 'removed' });
      if (
        a === undefined ||
        b === undefined ||
        c === undefined ||
        d === undefined ||
        e === undefined ||
        r === undefined
      )
        throw new Error('addImages added fewer files than asked');
      files = { a, b, c, d, e, r };
      const job = await addJob(database, projectId, 'Review', [
        [files.a, 'complete'],
        [files.b, 'complete'],
        [files.b, 'in_progress'],
        [files.c, 'complete'],
        [files.c, 'complete'],
        [files.d, 'available'],
        [files.e, 'complete'],
        [files.e, 'archived'],
        [files.r, 'available'],
      ]);
      jobId = job.jobId;
      const task = job.taskIds[3];
      if (task === undefined) throw new Error('addJob added fewer tasks than asked');
      taskOfC = task;
      // Another job's open task on A must not count against this one.
      await addJob(database, projectId, 'Other', [[files.a, 'available']]);
    });

    it('counts a job source: tasks complete against total, and the files on either side', async () => {
      for (const annIsComplete of [false, true]) {
        const checks = await checksOf({ source: 'job', sourceId: jobId, annIsComplete });
        expect(checks.tasks).toEqual({
          // The archived task and the removed file's task are left out.
          tasks_total: 7,
          tasks_complete: 5,
          files_exported: annIsComplete ? 4 : 5,
          complete_files_with_open_tasks: {
            count: 1,
            examples: [{ file_id: files.b, instance_id: null, frame_number: null }],
          },
          open_files_with_complete_tasks: {
            count: 1,
            examples: [{ file_id: files.c, instance_id: null, frame_number: null }],
          },
        });
      }
    });

    it('counts a task source, whose open file is found even when the completed-only export leaves it out', async () => {
      const all = await checksOf({ source: 'task', sourceId: taskOfC, annIsComplete: false });
      expect(all.tasks).toMatchObject({
        tasks_total: 1,
        tasks_complete: 1,
        files_exported: 1,
        complete_files_with_open_tasks: { count: 0, examples: [] },
        open_files_with_complete_tasks: { count: 1 },
      });
      // Completed-only: file C is not complete, so nothing is selected and nothing written.
      await expect(
        checksOf({ source: 'task', sourceId: taskOfC, annIsComplete: true }),
      ).rejects.toThrow(/No file matches/);
    });

    it('gives no task values for a directory, and none of the task warnings for a clean job', async () => {
      const directoryId = await addDirectory(database, projectId, 'Some', [files.a]);
      const directory = await checksOf({
        source: 'directory',
        sourceId: directoryId,
        annIsComplete: false,
      });
      expect(directory.tasks).toBeNull();
      const clean = await addJob(database, projectId, 'Clean', [
        [files.a, 'complete'],
        [files.d, 'in_progress'],
      ]);
      const checks = await checksOf({ source: 'job', sourceId: clean.jobId, annIsComplete: false });
      expect(checks.tasks).toMatchObject({
        tasks_total: 2,
        tasks_complete: 1,
        complete_files_with_open_tasks: { count: 0 },
        open_files_with_complete_tasks: { count: 0 },
      });
    });

    it('counts more than the examples it keeps', async () => {
      const open = await addImages(database, projectId, 12, false);
      const job = await addJob(
        database,
        projectId,
        'Many',
        open.map((id) => [id, 'complete']),
      );
      const checks = await checksOf({ source: 'job', sourceId: job.jobId, annIsComplete: false });
      expect(checks.tasks?.open_files_with_complete_tasks.count).toBe(12);
      expect(
        checks.tasks?.open_files_with_complete_tasks.examples.map((example) => example.file_id),
      ).toEqual(open.slice(0, 10));
    });
  });

  it('counts geometry, labels and resolution from stored rows, removed instances aside', async () => {
    const car = await addLabel('car');
    const person = await addLabel('person');
    const insert = (values: ReturnType<typeof imageFileValues>) =>
      database.db.insertInto('file').values(values).returning('id').executeTakeFirstOrThrow();
    const good = await insert(imageFileValues(projectId, 'good.jpg'));
    const bad = await insert(imageFileValues(projectId, 'bad.jpg'));
    const noSize = await insert(imageFileValues(projectId, 'nosize.jpg', { width: null }));
    const video = await insert(
      imageFileValues(projectId, 'clip.mp4', { type: 'video', frame_count: 5, frame_rate: 5 }),
    );
    const empty = await insert(imageFileValues(projectId, 'empty.jpg'));
    const box = (x_min: number, y_min: number, x_max: number, y_max: number) =>
      JSON.stringify({ x_min, y_min, x_max, y_max });

    await addInstance(good.id, { type: 'box', label_id: car, geometry: box(0, 0, 640, 480) });
    const outside = await addInstance(bad.id, {
      type: 'box',
      label_id: car,
      geometry: box(600, 10, 700, 20),
    });
    const flat = await addInstance(bad.id, {
      type: 'box',
      label_id: person,
      geometry: box(5, 5, 5, 9),
    });
    const keypoints = await addInstance(bad.id, {
      type: 'keypoints',
      label_id: person,
      geometry: JSON.stringify({
        nodes: [{ id: 'n0', name: 'head', x: 10, y: 490, occluded: false }],
        edges: [],
      }),
    });
    // Removed: counted only when the export includes it, and never as geometry.
    await addInstance(bad.id, {
      type: 'box',
      label_id: car,
      geometry: box(-9, -9, 5, 5),
      soft_deleted: 1,
    });
    await addInstance(noSize.id, { type: 'box', label_id: car, geometry: box(-9, -9, 9000, 9000) });
    const late = await addInstance(video.id, {
      type: 'box',
      label_id: car,
      geometry: box(1, 1, 5, 5),
      frame_number: 5,
    });
    await addInstance(video.id, {
      type: 'box',
      label_id: car,
      geometry: box(1, 1, 5, 5),
      frame_number: 4,
    });
    const directoryId = await addDirectory(database, projectId, 'Geometry', [
      good.id,
      bad.id,
      noSize.id,
      video.id,
      empty.id,
    ]);

    for (const includeRemoved of [false, true]) {
      const checks = await checksOf(
        { source: 'directory', sourceId: directoryId, annIsComplete: false, includeRemoved },
        4,
      );
      expect(checks.instances_per_label).toEqual([
        { label_file_id: car, name: 'car', count: includeRemoved ? 6 : 5 },
        { label_file_id: person, name: 'person', count: 2 },
      ]);
      expect(checks.instances_per_type).toEqual({ box: includeRemoved ? 7 : 6, keypoints: 1 });
      expect(checks.files_per_type).toEqual({ image: 4, video: 1 });
      const at = (fileId: number, instanceId: number | null, frame: number | null = null) => ({
        file_id: fileId,
        instance_id: instanceId,
        frame_number: frame,
      });
      expect(checks.geometry).toEqual({
        outside_bounds: { count: 1, examples: [at(bad.id, outside)] },
        zero_area_boxes: { count: 1, examples: [at(bad.id, flat)] },
        polygons_under_3_points: { count: 0, examples: [] },
        frames_beyond_video: { count: 1, examples: [at(video.id, late, 5)] },
        keypoints_outside: { count: 1, examples: [at(bad.id, keypoints)] },
      });
      expect(checks.missing_resolution).toEqual({ count: 1, examples: [at(noSize.id, null)] });
      expect(checks.files_without_instances).toEqual({ count: 1, examples: [at(empty.id, null)] });
      expect(checks.expected_vs_written).toEqual({
        expected_file_count: 4,
        selected_file_count: 5,
        written_file_count: 5,
        selected_instance_count: includeRemoved ? 8 : 7,
        written_instance_count: includeRemoved ? 8 : 7,
      });
      expect(checkWarnings(checks).map((warning) => warning.key)).toEqual([
        'expected_vs_written',
        'geometry.outside_bounds',
        'geometry.zero_area_boxes',
        'geometry.frames_beyond_video',
        'geometry.keypoints_outside',
        'missing_resolution',
        'files_without_instances',
      ]);
    }
  });
});
