import type { Point } from '../../contract/annotations.ts';
import { fileTypes, instanceTypes } from '../../contract/annotations.ts';
import { maxCheckExamples } from '../../contract/export-checks.ts';
import type {
  CheckExample,
  CheckFinding,
  ExportChecks,
  expectedWrittenSchema,
  taskChecksSchema,
} from '../../contract/export-checks.ts';
import type { AnyInstance, ExportFileMetadata, FilePacket } from '../../contract/export-file.ts';
import type { z } from 'zod';
import type { ExportFileObserver } from './export-file-observer.ts';

/*
 * The check values of an export (src/contract/export-checks.ts), counted from the packets as the
 * writer builds them: no second pass over the data, nothing kept per file but the first
 * `maxCheckExamples` places of each finding. It runs once per instance on the writer's hot path, so
 * it reads the packet objects directly (no zod, no copies) and allocates only the examples it keeps.
 *
 * What counts where:
 * - Instances per label and per type, and files without instances, count what the file holds:
 *   removed instances too when the export includes them (they are in the file, marked `removed`).
 * - Geometry findings look at instances that are not removed: a removed shape is not trained on.
 * - Bounds are 0..width and 0..height of the file's image or video (a coordinate equal to the width
 *   is on the edge, not outside). Boxes by their corners; polygons, lines and points by their
 *   points; cuboids by the 8 corners of both faces; ellipses by their centre only, because the
 *   format does not say whether `width` and `height` are diameters or radii (Diffgram draws them as
 *   radii, annex's seed makes them diameters) and reading them the wrong way would flag good ones.
 *   Keypoint nodes outside the image count as `keypoints_outside`, not also as `outside_bounds`.
 * - An image or video without a usable width and height (missing or zero) is one
 *   `missing_resolution` finding, and its instances get no bounds check: that would report the same
 *   problem once per instance.
 * - Text files have no geometry bounds; their `text_token` spans are checked when written.
 * - A video instance on a frame at or past the video's `frame_count` is `frames_beyond_video`
 *   (unknown frame count: not checked).
 */

/** The task values read from the source in the writer's snapshot (all but the file count). */
export type SourceTaskChecks = Omit<z.infer<typeof taskChecksSchema>, 'files_exported'>;

/** What the collector cannot see in the packets: the counts taken before the file was written. */
export interface ChecksContext {
  /** The file count the requester saw before asking (the export row's), or null. */
  expectedFileCount: number | null;
  /** Files and instances the writer selected in its snapshot. */
  selected: { fileCount: number; instanceCount: number };
  /** The task values of a job or task source; null for a directory. */
  tasks: SourceTaskChecks | null;
}

/** One finding: its count, and the first places where it was found. */
class FindingCounter {
  count = 0;
  private readonly examples: CheckExample[] = [];

  add(fileId: number, instanceId: number | null, frameNumber: number | null): void {
    this.count += 1;
    if (this.examples.length < maxCheckExamples)
      this.examples.push({ file_id: fileId, instance_id: instanceId, frame_number: frameNumber });
  }

  toFinding(): CheckFinding {
    return { count: this.count, examples: [...this.examples] };
  }
}

/** Counts the check values of one export file from its head and packets; see the module comment. */
export class ExportChecksCollector implements ExportFileObserver {
  private readonly labelNames = new Map<number, string>();
  private readonly perLabel = new Map<number, number>();
  private readonly perType = zeroCounts(instanceTypes);
  private readonly perFileType = zeroCounts(fileTypes);
  private filesSeen = 0;
  private instancesSeen = 0;
  private readonly withoutInstances = new FindingCounter();
  private readonly missingResolution = new FindingCounter();
  private readonly outsideBounds = new FindingCounter();
  private readonly zeroAreaBoxes = new FindingCounter();
  private readonly polygonsUnder3Points = new FindingCounter();
  private readonly framesBeyondVideo = new FindingCounter();
  private readonly keypointsOutside = new FindingCounter();

  // The packet being read: its file, its bounds (null when not checked) and its frame count.
  private fileId = 0;
  private width: number | null = null;
  private height: number | null = null;
  private frameCount: number | null = null;

  /** Keeps the label names of `label_map`, for `instances_per_label`. */
  onHead(head: ExportFileMetadata): void {
    for (const [id, name] of Object.entries(head.label_map)) this.labelNames.set(Number(id), name);
  }

  /** Counts one packet. */
  onPacket(fileId: number, packet: FilePacket): void {
    this.fileId = fileId;
    this.filesSeen += 1;
    this.perFileType[packet.file.type] += 1;
    this.frameCount = null;
    const before = this.instancesSeen;
    if ('image' in packet) {
      this.useResolution(packet.image.width, packet.image.height);
      this.countInstances(packet.instance_list);
    } else if ('video' in packet) {
      this.useResolution(packet.video.width, packet.video.height);
      this.frameCount = packet.video.frame_count;
      this.countInstances(packet.parent_instance_list);
      for (const sequence of packet.sequence_list) this.countInstances(sequence.instance_list);
    } else {
      this.width = null;
      this.height = null;
      this.countInstances(packet.instance_list);
    }
    if (this.instancesSeen === before) this.withoutInstances.add(fileId, null, null);
  }

  /** The check values, with what the packets cannot tell from `context`. */
  result(context: ChecksContext): ExportChecks {
    const instancesPerLabel = [...this.perLabel]
      .map(([labelFileId, count]) => ({
        label_file_id: labelFileId,
        name: this.labelNames.get(labelFileId) ?? `label ${labelFileId} (not in label_map)`,
        count,
      }))
      .sort((a, b) => b.count - a.count || a.label_file_id - b.label_file_id);
    const expectedVsWritten: z.infer<typeof expectedWrittenSchema> = {
      expected_file_count: context.expectedFileCount,
      selected_file_count: context.selected.fileCount,
      written_file_count: this.filesSeen,
      selected_instance_count: context.selected.instanceCount,
      written_instance_count: this.instancesSeen,
    };
    return {
      instances_per_label: instancesPerLabel,
      instances_per_type: nonZero(this.perType),
      files_per_type: nonZero(this.perFileType),
      files_without_instances: this.withoutInstances.toFinding(),
      geometry: {
        outside_bounds: this.outsideBounds.toFinding(),
        zero_area_boxes: this.zeroAreaBoxes.toFinding(),
        polygons_under_3_points: this.polygonsUnder3Points.toFinding(),
        frames_beyond_video: this.framesBeyondVideo.toFinding(),
        keypoints_outside: this.keypointsOutside.toFinding(),
      },
      missing_resolution: this.missingResolution.toFinding(),
      tasks: context.tasks === null ? null : { ...context.tasks, files_exported: this.filesSeen },
      expected_vs_written: expectedVsWritten,
    };
  }

  /** Sets the bounds of the current file, or records that it has none (and checks none). */
  private useResolution(width: number | null, height: number | null): void {
    if (width === null || height === null || width <= 0 || height <= 0) {
      this.missingResolution.add(this.fileId, null, null);
      this.width = null;
      this.height = null;
    } else {
      this.width = width;
      this.height = height;
    }
  }

  private countInstances(list: readonly AnyInstance[]): void {
    for (const instance of list) {
      this.instancesSeen += 1;
      this.perType[instance.type] += 1;
      const label = instance.label_file_id;
      if (label !== null) this.perLabel.set(label, (this.perLabel.get(label) ?? 0) + 1);
      if (instance.removed !== true) this.checkGeometry(instance);
    }
  }

  private checkGeometry(instance: AnyInstance): void {
    const frame = 'frame_number' in instance ? instance.frame_number : null;
    const { id } = instance;
    if (frame !== null && this.frameCount !== null && frame >= this.frameCount)
      this.framesBeyondVideo.add(this.fileId, id, frame);
    const bounded = this.width !== null;
    switch (instance.type) {
      case 'box':
        if (instance.x_max <= instance.x_min || instance.y_max <= instance.y_min)
          this.zeroAreaBoxes.add(this.fileId, id, frame);
        if (
          bounded &&
          (this.outside(instance.x_min, instance.y_min) ||
            this.outside(instance.x_max, instance.y_max))
        )
          this.outsideBounds.add(this.fileId, id, frame);
        break;
      case 'polygon':
        if (instance.points.length < 3) this.polygonsUnder3Points.add(this.fileId, id, frame);
        if (bounded && this.anyOutside(instance.points))
          this.outsideBounds.add(this.fileId, id, frame);
        break;
      case 'line':
      case 'point':
        if (bounded && this.anyOutside(instance.points))
          this.outsideBounds.add(this.fileId, id, frame);
        break;
      case 'ellipse':
        if (bounded && this.outside(instance.center_x, instance.center_y))
          this.outsideBounds.add(this.fileId, id, frame);
        break;
      case 'cuboid': {
        const { front_face: front, rear_face: rear } = instance;
        if (
          bounded &&
          (this.faceOutside(front.top_left, front.top_right, front.bot_left, front.bot_right) ||
            this.faceOutside(rear.top_left, rear.top_right, rear.bot_left, rear.bot_right))
        )
          this.outsideBounds.add(this.fileId, id, frame);
        break;
      }
      case 'keypoints':
        if (bounded && this.anyOutside(instance.nodes))
          this.keypointsOutside.add(this.fileId, id, frame);
        break;
      case 'text_token':
      case 'global':
        break;
    }
  }

  private outside(x: number, y: number): boolean {
    // Only called when the file has bounds.
    return x < 0 || y < 0 || x > (this.width ?? 0) || y > (this.height ?? 0);
  }

  private anyOutside(points: readonly Point[]): boolean {
    for (const point of points) if (this.outside(point.x, point.y)) return true;
    return false;
  }

  private faceOutside(a: Point, b: Point, c: Point, d: Point): boolean {
    return (
      this.outside(a.x, a.y) ||
      this.outside(b.x, b.y) ||
      this.outside(c.x, c.y) ||
      this.outside(d.x, d.y)
    );
  }
}

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  const counts = {} as Record<K, number>;
  for (const key of keys) counts[key] = 0;
  return counts;
}

function nonZero<K extends string>(counts: Record<K, number>): Partial<Record<K, number>> {
  const kept: Partial<Record<K, number>> = {};
  for (const key of Object.keys(counts) as K[]) if (counts[key] > 0) kept[key] = counts[key];
  return kept;
}
