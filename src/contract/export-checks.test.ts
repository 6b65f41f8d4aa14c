import { describe, expect, it } from 'vitest';
import { checkWarnings, exportChecksSchema } from './export-checks.ts';
import type { ExportChecks } from './export-checks.ts';

// The warnings a panel, the SDK and the CLI show for an export's check values, in the same words.

const none = { count: 0, examples: [] };

function cleanChecks(overrides: Partial<ExportChecks> = {}): ExportChecks {
  return exportChecksSchema.parse({
    instances_per_label: [{ label_file_id: 1, name: 'car', count: 3 }],
    instances_per_type: { box: 3 },
    files_per_type: { image: 2 },
    files_without_instances: none,
    geometry: {
      outside_bounds: none,
      zero_area_boxes: none,
      polygons_under_3_points: none,
      frames_beyond_video: none,
      keypoints_outside: none,
    },
    missing_resolution: none,
    tasks: null,
    expected_vs_written: {
      expected_file_count: 2,
      selected_file_count: 2,
      written_file_count: 2,
      selected_instance_count: 3,
      written_instance_count: 3,
    },
    ...overrides,
  });
}

describe('checkWarnings', () => {
  it('gives none when nothing was found', () => {
    expect(checkWarnings(cleanChecks())).toEqual([]);
  });

  it('names each finding with its count, what it means and its examples', () => {
    const outside = { count: 2, examples: [{ file_id: 7, instance_id: 70, frame_number: null }] };
    const warnings = checkWarnings(
      cleanChecks({
        geometry: { ...cleanChecks().geometry, outside_bounds: outside },
        files_without_instances: {
          count: 1,
          examples: [{ file_id: 8, instance_id: null, frame_number: null }],
        },
      }),
    );
    expect(warnings.map((warning) => warning.key)).toEqual([
      'geometry.outside_bounds',
      'files_without_instances',
    ]);
    expect(warnings[0]?.sentence).toMatch(/^2 instances have a coordinate outside/);
    expect(warnings[0]?.finding).toEqual(outside);
    expect(warnings[1]?.sentence).toMatch(/^1 file holds no instance/);
  });

  it('warns when the file count differs from the preflight the requester saw, not when they saw none', () => {
    const differs = cleanChecks({
      expected_vs_written: { ...cleanChecks().expected_vs_written, expected_file_count: 3 },
    });
    expect(checkWarnings(differs)[0]).toMatchObject({ key: 'expected_vs_written', finding: null });
    const unsaid = cleanChecks({
      expected_vs_written: { ...cleanChecks().expected_vs_written, expected_file_count: null },
    });
    expect(checkWarnings(unsaid)).toEqual([]);
  });

  it('reads the task findings of a job source only', () => {
    const open = { count: 1, examples: [{ file_id: 9, instance_id: null, frame_number: null }] };
    const warnings = checkWarnings(
      cleanChecks({
        tasks: {
          tasks_complete: 1,
          tasks_total: 2,
          files_exported: 2,
          complete_files_with_open_tasks: open,
          open_files_with_complete_tasks: none,
        },
      }),
    );
    expect(warnings.map((warning) => warning.key)).toEqual([
      'tasks.complete_files_with_open_tasks',
    ]);
  });
});
