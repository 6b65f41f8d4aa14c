import { exportChecksSchema } from '../export-checks.ts';
import type { CheckFinding, ExportChecks } from '../export-checks.ts';

// Check values as the worker stores them, for the rooms that show them (panel, SDK, CLI): a clean
// directory export and a job export with findings, so each view is tested on realistic data.

/** A finding that found nothing. */
export const noFinding: CheckFinding = { count: 0, examples: [] };

/** The check values of a clean export of 37 image files and 412 instances; `overrides` change any field. */
export function buildCleanChecks(overrides: Partial<ExportChecks> = {}): ExportChecks {
  return exportChecksSchema.parse({
    instances_per_label: [
      { label_file_id: 5, name: 'car', count: 260 },
      { label_file_id: 6, name: 'pedestrian', count: 120 },
      { label_file_id: 7, name: 'traffic light', count: 32 },
    ],
    instances_per_type: { box: 380, polygon: 32 },
    files_per_type: { image: 37 },
    files_without_instances: noFinding,
    geometry: {
      outside_bounds: noFinding,
      zero_area_boxes: noFinding,
      polygons_under_3_points: noFinding,
      frames_beyond_video: noFinding,
      keypoints_outside: noFinding,
    },
    missing_resolution: noFinding,
    tasks: null,
    expected_vs_written: {
      expected_file_count: 37,
      selected_file_count: 37,
      written_file_count: 37,
      selected_instance_count: 412,
      written_instance_count: 412,
    },
    ...overrides,
  });
}

/**
 * The check values of a job export that trip five checks: 3 boxes outside their image (files 501
 * and 502), 1 video instance past its clip's end (file 610, frame 240), 2 files with no instance,
 * 1 complete file whose task is still open, and a preflight of 40 files for 38 written.
 */
export function buildChecksWithFindings(overrides: Partial<ExportChecks> = {}): ExportChecks {
  return buildCleanChecks({
    instances_per_label: [
      { label_file_id: 5, name: 'car', count: 301 },
      { label_file_id: 6, name: 'pedestrian', count: 98 },
      { label_file_id: 8, name: 'cyclist', count: 14 },
    ],
    instances_per_type: { box: 395, keypoints: 12, polygon: 6 },
    files_per_type: { image: 36, video: 2 },
    files_without_instances: {
      count: 2,
      examples: [
        { file_id: 517, instance_id: null, frame_number: null },
        { file_id: 533, instance_id: null, frame_number: null },
      ],
    },
    geometry: {
      outside_bounds: {
        count: 3,
        examples: [
          { file_id: 501, instance_id: 9001, frame_number: null },
          { file_id: 501, instance_id: 9004, frame_number: null },
          { file_id: 502, instance_id: 9020, frame_number: null },
        ],
      },
      zero_area_boxes: noFinding,
      polygons_under_3_points: noFinding,
      frames_beyond_video: {
        count: 1,
        examples: [{ file_id: 610, instance_id: 9870, frame_number: 240 }],
      },
      keypoints_outside: noFinding,
    },
    tasks: {
      tasks_complete: 37,
      tasks_total: 40,
      files_exported: 38,
      complete_files_with_open_tasks: {
        count: 1,
        examples: [{ file_id: 520, instance_id: null, frame_number: null }],
      },
      open_files_with_complete_tasks: noFinding,
    },
    expected_vs_written: {
      expected_file_count: 40,
      selected_file_count: 38,
      written_file_count: 38,
      selected_instance_count: 413,
      written_instance_count: 413,
    },
    ...overrides,
  });
}
