import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWarnings } from '../../contract/export-checks.ts';
import type { Export } from '../../contract/exports.ts';
import { testDialects } from '../db/test-database.ts';
import { addDirectory, addJob, imageFileValues } from '../test-utils/test-records.ts';
import {
  createExportTestEnvWithWorker,
  exportRowOf,
  finalOf,
  requestExport,
} from './export-test-harness.ts';
import type { ExportTestEnv } from './export-test-harness.ts';

// The check values end to end: exports asked for through the API, built by a worker, and the
// record's `checks` read back through the API (stored with the completion, parsed by the repository).

const builtTime = '2024-03-05T00:00:00.000Z';

describe.each(testDialects)('export check values through the API on %s', (dialect) => {
  let env: ExportTestEnv;

  beforeAll(async () => {
    env = await createExportTestEnvWithWorker(dialect);
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });

  async function exported(body: Record<string, unknown>): Promise<Export> {
    const asked = await requestExport(env.app, 'demo', body);
    const record = await finalOf(env, asked.id);
    expect(record.status, record.status_text ?? '').toBe('complete');
    return record;
  }

  it('stores check values with every completed export, agreeing with the file the record describes', async () => {
    const record = await exported({
      source: 'directory',
      directory_id: env.demo.defaultDirectoryId,
      ann_is_complete: false,
    });
    const { checks } = record;
    if (checks === null) throw new Error('a complete export has no check values');
    const sum = (counts: Partial<Record<string, number>>) =>
      Object.values(counts).reduce<number>((total, count) => total + (count ?? 0), 0);
    expect(sum(checks.files_per_type)).toBe(record.file_list_length);
    expect(sum(checks.instances_per_type)).toBe(record.instance_count);
    expect(checks.expected_vs_written).toEqual({
      expected_file_count: null,
      selected_file_count: record.file_list_length,
      written_file_count: record.file_list_length,
      selected_instance_count: record.instance_count,
      written_instance_count: record.instance_count,
    });
    expect(checks.tasks).toBeNull();
    // Stored as the contract's JSON in the row, not computed on read.
    const row = await exportRowOf(env, record.id);
    expect(JSON.parse(row.checks ?? 'null')).toEqual(checks);

    // Stored values that cannot be read (edited by hand, a future shape) read as none: the record
    // and every list that holds it still answer.
    await env.database.db
      .updateTable('export')
      .set({ checks: '{"instances_per_label": "not a list"}' })
      .where('id', '=', record.id)
      .execute();
    const reread = await env.app.inject({
      method: 'GET',
      url: `/api/v1/projects/demo/exports/${record.id}`,
    });
    expect(reread.statusCode).toBe(200);
    expect(reread.json<Export>().checks).toBeNull();
    const list = await env.app.inject({ method: 'GET', url: '/api/v1/projects/demo/exports' });
    expect(list.statusCode).toBe(200);
  });

  it('shows data made to trip several checks as findings and warnings', async () => {
    const { projectId, labelIds } = env.demo;
    const label = Object.values(labelIds)[0];
    if (label === undefined) throw new Error('the demo has no label');
    const { db } = env.database;
    const addFile = async (name: string, overrides: Parameters<typeof imageFileValues>[2] = {}) =>
      (
        await db
          .insertInto('file')
          .values(imageFileValues(projectId, name, overrides))
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const addBox = async (fileId: number, geometry: object) =>
      (
        await db
          .insertInto('instance')
          .values({
            project_id: projectId,
            file_id: fileId,
            type: 'box',
            label_id: label,
            geometry: JSON.stringify(geometry),
            attribute_values: null,
            frame_number: null,
            sequence_id: null,
            local_sequence_number: null,
            interpolated: 0,
            soft_deleted: 0,
            created_time: builtTime,
            last_modified_time: builtTime,
            source_instance_id: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;

    const wide = await addFile('wide.jpg');
    const outside = await addBox(wide, { x_min: 600, y_min: 0, x_max: 700, y_max: 10 });
    const flat = await addBox(wide, { x_min: 5, y_min: 5, x_max: 9, y_max: 5 });
    const noSize = await addFile('nosize.jpg', { height: 0 });
    const empty = await addFile('empty.jpg');
    const open = await addFile('open.jpg', { ann_is_complete: 0 });
    const { jobId } = await addJob(env.database, projectId, 'Trip checks', [
      [wide, 'in_progress'],
      [noSize, 'complete'],
      [empty, 'complete'],
      [open, 'complete'],
    ]);

    const record = await exported({
      source: 'job',
      job_id: jobId,
      ann_is_complete: false,
      expected_file_count: 3,
    });
    const { checks } = record;
    if (checks === null) throw new Error('a complete export has no check values');
    const at = (fileId: number, instanceId: number | null) => ({
      file_id: fileId,
      instance_id: instanceId,
      frame_number: null,
    });
    expect(checks.geometry.outside_bounds).toEqual({ count: 1, examples: [at(wide, outside)] });
    expect(checks.geometry.zero_area_boxes).toEqual({ count: 1, examples: [at(wide, flat)] });
    expect(checks.missing_resolution).toEqual({ count: 1, examples: [at(noSize, null)] });
    expect(checks.files_without_instances).toEqual({
      count: 3,
      examples: [at(noSize, null), at(empty, null), at(open, null)],
    });
    expect(checks.tasks).toEqual({
      tasks_total: 4,
      tasks_complete: 3,
      files_exported: 4,
      complete_files_with_open_tasks: { count: 1, examples: [at(wide, null)] },
      open_files_with_complete_tasks: { count: 1, examples: [at(open, null)] },
    });
    expect(checks.expected_vs_written).toMatchObject({
      expected_file_count: 3,
      written_file_count: 4,
    });
    expect(checkWarnings(checks).map((warning) => warning.key)).toEqual([
      'expected_vs_written',
      'geometry.outside_bounds',
      'geometry.zero_area_boxes',
      'missing_resolution',
      'tasks.complete_files_with_open_tasks',
      'tasks.open_files_with_complete_tasks',
      'files_without_instances',
    ]);

    // The same files minus the bad ones, with the count the requester saw: nothing to warn about.
    const clean = await addDirectory(env.database, projectId, 'Clean checks', [wide]);
    await db.deleteFrom('instance').where('id', 'in', [outside, flat]).execute();
    await addBox(wide, { x_min: 0, y_min: 0, x_max: 640, y_max: 480 });
    const cleanRecord = await exported({
      source: 'directory',
      directory_id: clean,
      ann_is_complete: false,
      expected_file_count: 1,
    });
    expect(cleanRecord.checks === null ? null : checkWarnings(cleanRecord.checks)).toEqual([]);
  });
});
