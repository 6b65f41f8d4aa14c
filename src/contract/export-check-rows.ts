import type { CheckExample, CheckFinding, ExportChecks } from './export-checks.ts';

// The check values that count findings, each with the name a person reads, in one order: the
// panel's Checks view and `annex export checks` list them the same way (warnings aside, which
// `checkWarnings` words). A count of 0 is a check that passed and is shown as such.

/** One check value that counts places, with its name. */
export interface FindingRow {
  /** The same key `checkWarnings` gives when the finding is a warning (`geometry.outside_bounds`). */
  key: string;
  /** What is counted, as a table row names it. */
  label: string;
  finding: CheckFinding;
}

/** Geometry that cannot be right, and the resolution check: one row each, in the contract's order. */
export function geometryRows(checks: ExportChecks): FindingRow[] {
  const { geometry } = checks;
  return [
    {
      key: 'geometry.outside_bounds',
      label: 'Instances outside their image or frame',
      finding: geometry.outside_bounds,
    },
    {
      key: 'geometry.zero_area_boxes',
      label: 'Zero-area boxes',
      finding: geometry.zero_area_boxes,
    },
    {
      key: 'geometry.polygons_under_3_points',
      label: 'Polygons with fewer than 3 points',
      finding: geometry.polygons_under_3_points,
    },
    {
      key: 'geometry.frames_beyond_video',
      label: 'Video instances past the last frame',
      finding: geometry.frames_beyond_video,
    },
    {
      key: 'geometry.keypoints_outside',
      label: 'Keypoints outside their image',
      finding: geometry.keypoints_outside,
    },
    {
      key: 'missing_resolution',
      label: 'Files without width or height',
      finding: checks.missing_resolution,
    },
  ];
}

/** The task checks of a job or task source; empty for a directory export. */
export function taskRows(checks: ExportChecks): FindingRow[] {
  if (checks.tasks === null) return [];
  return [
    {
      key: 'tasks.complete_files_with_open_tasks',
      label: 'Complete files with open tasks',
      finding: checks.tasks.complete_files_with_open_tasks,
    },
    {
      key: 'tasks.open_files_with_complete_tasks',
      label: 'Files not complete whose tasks are',
      finding: checks.tasks.open_files_with_complete_tasks,
    },
  ];
}

/** One place to look, as text: `file 501`, `file 501 · instance 9001`, `file 610 · instance 9870 · frame 240`. */
export function formatCheckExample(example: CheckExample): string {
  const parts = [`file ${example.file_id}`];
  if (example.instance_id !== null) parts.push(`instance ${example.instance_id}`);
  if (example.frame_number !== null) parts.push(`frame ${example.frame_number}`);
  return parts.join(' · ');
}

/** The distinct file ids of a finding's examples, in their order: what a person pastes into a search. */
export function exampleFileIds(finding: CheckFinding): number[] {
  return [...new Set(finding.examples.map((example) => example.file_id))];
}
