import { describe, expect, it } from 'vitest';
import { exampleFileIds, formatCheckExample, geometryRows, taskRows } from './export-check-rows.ts';
import { checkWarnings } from './export-checks.ts';
import { buildChecksWithFindings, buildCleanChecks } from './test-utils/export-checks-builders.ts';

// The rows the panel and the CLI list the check values by, and the places as both print them.

describe('geometryRows and taskRows', () => {
  it('list every geometry and resolution check in order, with the finding behind each', () => {
    const checks = buildChecksWithFindings();

    expect(geometryRows(checks).map((row) => [row.key, row.finding.count])).toEqual([
      ['geometry.outside_bounds', 3],
      ['geometry.zero_area_boxes', 0],
      ['geometry.polygons_under_3_points', 0],
      ['geometry.frames_beyond_video', 1],
      ['geometry.keypoints_outside', 0],
      ['missing_resolution', 0],
    ]);
    expect(taskRows(checks).map((row) => [row.key, row.finding.count])).toEqual([
      ['tasks.complete_files_with_open_tasks', 1],
      ['tasks.open_files_with_complete_tasks', 0],
    ]);
  });

  it('give a row the same key as the warning it becomes', () => {
    const checks = buildChecksWithFindings();
    const rowKeys = new Set([...geometryRows(checks), ...taskRows(checks)].map((row) => row.key));
    const warningKeys = checkWarnings(checks)
      .filter((warning) => warning.key.startsWith('geometry.') || warning.key.startsWith('tasks.'))
      .map((warning) => warning.key);

    expect(warningKeys.length).toBeGreaterThan(0);
    for (const key of warningKeys) expect(rowKeys).toContain(key);
  });

  it('has no task rows for a directory export', () => {
    expect(taskRows(buildCleanChecks())).toEqual([]);
  });
});

describe('formatCheckExample and exampleFileIds', () => {
  it('name the file, then the instance and frame when the finding has them', () => {
    expect(formatCheckExample({ file_id: 517, instance_id: null, frame_number: null })).toBe(
      'file 517',
    );
    expect(formatCheckExample({ file_id: 501, instance_id: 9001, frame_number: null })).toBe(
      'file 501 · instance 9001',
    );
    expect(formatCheckExample({ file_id: 610, instance_id: 9870, frame_number: 240 })).toBe(
      'file 610 · instance 9870 · frame 240',
    );
  });

  it('gives each file once, in the order found', () => {
    const { outside_bounds: outside } = buildChecksWithFindings().geometry;
    expect(exampleFileIds(outside)).toEqual([501, 502]);
  });
});
