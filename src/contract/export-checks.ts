import { z } from 'zod';
import { fileTypes, instanceTypes } from './annotations.ts';

// The check values of an export beyond its file count: what an admin reads before training on the
// file. Computed by the worker while it writes the file (no second pass), stored with the export,
// returned as `checks` on the export record, shown in the panel's Checks view, by the SDK
// (`export.checks`) and the CLI (`annex export checks ID`). A check that finds something is a warning;
// `checkWarnings` says what each means and what to do, in the same words everywhere.

/** How many examples a finding keeps: enough to look at, never the whole export. */
export const maxCheckExamples = 10;

/** One place to look: a file, and the instance (and frame) the finding is about when it is one. */
export const checkExampleSchema = z.object({
  file_id: z.number().int(),
  /** Null when the finding is about the file itself (no instance, no resolution). */
  instance_id: z.number().int().nullable(),
  /** The frame (within the clip) of a video instance; null otherwise. */
  frame_number: z.number().int().nullable(),
});
/** One place to look. */
export type CheckExample = z.infer<typeof checkExampleSchema>;

/** How often something was found, and the first few places to look at. */
export const checkFindingSchema = z.object({
  count: z.number().int().min(0),
  /** The first `maxCheckExamples` found, in file id order. */
  examples: z.array(checkExampleSchema).max(maxCheckExamples),
});
/** How often something was found, and where. */
export type CheckFinding = z.infer<typeof checkFindingSchema>;

/** Instances of one label. */
export const labelCountSchema = z.object({
  label_file_id: z.number().int(),
  /** The label's name as the file's `label_map` has it. */
  name: z.string(),
  count: z.number().int().min(0),
});

/** Geometry that cannot be right. */
export const geometryChecksSchema = z.object({
  /** Instances with a coordinate outside their image or frame (0..width, 0..height). */
  outside_bounds: checkFindingSchema,
  /** Boxes whose width or height is zero (or negative). */
  zero_area_boxes: checkFindingSchema,
  /** Polygons with fewer than 3 points. */
  polygons_under_3_points: checkFindingSchema,
  /** Video instances on a frame at or beyond the video's frame count. */
  frames_beyond_video: checkFindingSchema,
  /** Keypoint nodes outside the image. */
  keypoints_outside: checkFindingSchema,
});

/** For a job (or task) source: tasks against files (the seed's "number of tasks complete"). */
export const taskChecksSchema = z.object({
  /** Tasks of the source that are complete (archived ones left out). */
  tasks_complete: z.number().int().min(0),
  /** Tasks of the source that are not archived. */
  tasks_total: z.number().int().min(0),
  /** File packets the export holds. */
  files_exported: z.number().int().min(0),
  /** Files marked complete with a task of the source that is not complete. */
  complete_files_with_open_tasks: checkFindingSchema,
  /** Files not marked complete whose every task of the source is complete. */
  open_files_with_complete_tasks: checkFindingSchema,
});

/** What the requester expected (preflight), what was selected at the start, and what was written. */
export const expectedWrittenSchema = z.object({
  /** The file count the requester saw before asking (null when they did not say). */
  expected_file_count: z.number().int().nullable(),
  /** Files selected in the snapshot the export read. */
  selected_file_count: z.number().int(),
  /** File packets written. */
  written_file_count: z.number().int(),
  /** Instances counted in the snapshot before writing. */
  selected_instance_count: z.number().int(),
  /** Instances written. */
  written_instance_count: z.number().int(),
});

/** Every check value of one export. */
export const exportChecksSchema = z.object({
  /** Instances per label, most first. */
  instances_per_label: z.array(labelCountSchema),
  /** Instances per instance type (types with none left out). */
  instances_per_type: z.partialRecord(z.enum(instanceTypes), z.number().int().min(0)),
  /** File packets per file type (types with none left out). */
  files_per_type: z.partialRecord(z.enum(fileTypes), z.number().int().min(0)),
  /** Files whose packet holds no instance at all. */
  files_without_instances: checkFindingSchema,
  geometry: geometryChecksSchema,
  /** Image and video files whose width or height is missing or zero (the seed's resolution check). */
  missing_resolution: checkFindingSchema,
  /** Only for job and task sources. */
  tasks: taskChecksSchema.nullable(),
  expected_vs_written: expectedWrittenSchema,
});
/** Every check value of one export. */
export type ExportChecks = z.infer<typeof exportChecksSchema>;

/** A check that found something, in words. */
export interface CheckWarning {
  /** Stable key (`geometry.outside_bounds`), for tests and links. */
  key: string;
  /** A short title for a list. */
  title: string;
  /** What it means and what to do. */
  sentence: string;
  /** The finding behind it, when it has places to look at. */
  finding: CheckFinding | null;
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** The warnings `checks` gives, most serious first; an empty list when nothing was found. */
export function checkWarnings(checks: ExportChecks): CheckWarning[] {
  const warnings: CheckWarning[] = [];
  const { expected_vs_written: counts } = checks;
  if (
    counts.expected_file_count !== null &&
    counts.expected_file_count !== counts.written_file_count
  ) {
    warnings.push({
      key: 'expected_vs_written',
      title: 'File count differs from the preflight',
      sentence: `You were shown ${plural(counts.expected_file_count, 'file', 'files')} before Generate; the export holds ${plural(counts.written_file_count, 'file', 'files')}. Files were added, removed or completed in between: check the source, and regenerate if this is not what you meant to train on.`,
      finding: null,
    });
  }
  const finding = (
    key: string,
    value: CheckFinding,
    title: string,
    sentence: (count: number) => string,
  ) => {
    if (value.count > 0)
      warnings.push({ key, title, sentence: sentence(value.count), finding: value });
  };
  const { geometry } = checks;
  finding(
    'geometry.outside_bounds',
    geometry.outside_bounds,
    'Instances outside their image',
    (n) =>
      `${plural(n, 'instance has', 'instances have')} a coordinate outside the image or frame (0 to width, 0 to height). A pipeline may crop, clamp or crash on them: open the files listed and fix the shapes or the file's width and height.`,
  );
  finding(
    'geometry.zero_area_boxes',
    geometry.zero_area_boxes,
    'Zero-area boxes',
    (n) =>
      `${plural(n, 'box has', 'boxes have')} no width or no height. They teach nothing and can break loss functions: delete or redraw them.`,
  );
  finding(
    'geometry.polygons_under_3_points',
    geometry.polygons_under_3_points,
    'Polygons with fewer than 3 points',
    (n) =>
      `${plural(n, 'polygon has', 'polygons have')} fewer than 3 points and enclose no area: redraw or delete them.`,
  );
  finding(
    'geometry.frames_beyond_video',
    geometry.frames_beyond_video,
    'Instances past the end of their video',
    (n) =>
      `${plural(n, 'video instance is', 'video instances are')} on a frame at or after the video's frame count: a frame the pipeline will never see. Check the video's frame count and the instances' frames.`,
  );
  finding(
    'geometry.keypoints_outside',
    geometry.keypoints_outside,
    'Keypoints outside their image',
    (n) =>
      `${plural(n, 'keypoint instance has', 'keypoint instances have')} a node outside the image: fix the nodes or the file's width and height.`,
  );
  finding(
    'missing_resolution',
    checks.missing_resolution,
    'Files without width or height',
    (n) =>
      `${plural(n, 'file has', 'files have')} no width or height (missing or zero). Coordinates cannot be checked against them and resizing pipelines will fail: set the media's size.`,
  );
  if (checks.tasks !== null) {
    finding(
      'tasks.complete_files_with_open_tasks',
      checks.tasks.complete_files_with_open_tasks,
      'Complete files with open tasks',
      (n) =>
        `${plural(n, 'file is', 'files are')} marked complete while a task of this source on it is not: their annotations may still change. Finish or archive those tasks, or export completed files only after they are done.`,
    );
    finding(
      'tasks.open_files_with_complete_tasks',
      checks.tasks.open_files_with_complete_tasks,
      'Files not complete whose tasks are',
      (n) =>
        `${plural(n, 'file is', 'files are')} not marked complete although every task of this source on it is: a completed-only export leaves them out. Mark the files complete if they are done.`,
    );
  }
  finding(
    'files_without_instances',
    checks.files_without_instances,
    'Files with no instance',
    (n) =>
      `${plural(n, 'file holds', 'files hold')} no instance at all. That may be right (negative examples) or a file nobody annotated: look at a few before training.`,
  );
  return warnings;
}
