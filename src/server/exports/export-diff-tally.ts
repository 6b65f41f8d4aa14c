import { maxDiffListed } from '../../contract/export-diff.ts';
import type { DiffFileList, LabelInstanceDiff } from '../../contract/export-diff.ts';
import type { LabelMap } from '../../contract/export-file.ts';
import type { PacketView } from './export-diff-packet.ts';

// What the diff has found so far, in memory that does not grow with the files: counts, the first
// `maxDiffListed` file ids of each list, and one row per label. Packets are handed in ascending
// file id order, so the ids kept are the smallest, ascending.

/** The name a label without a `label_file_id` (a global instance) is listed under. */
export const noLabelName = '(no label)';

/** A count and the first `maxDiffListed` ids. */
class BoundedIdList {
  count = 0;
  readonly ids: number[] = [];

  add(fileId: number): void {
    this.count += 1;
    if (this.ids.length < maxDiffListed) this.ids.push(fileId);
  }

  toContract(): DiffFileList {
    return { count: this.count, file_ids: [...this.ids] };
  }
}

interface LabelCounts {
  added: number;
  removed: number;
  changed: number;
}

/** The diff's findings apart from which exports it read (the service adds those). */
export interface ExportDiffFindings {
  from: { file_list_length: number; instance_count: number };
  to: { file_list_length: number; instance_count: number };
  identical: boolean;
  files: {
    added: DiffFileList;
    removed: DiffFileList;
    changed: DiffFileList;
    completion_changed: DiffFileList;
    unchanged_count: number;
  };
  instances: { added: number; removed: number; changed: number; per_label: LabelInstanceDiff[] };
}

/** Collects the differences of a merge-join over two exports' packets. */
export class ExportDiffTally {
  private readonly added = new BoundedIdList();
  private readonly removed = new BoundedIdList();
  private readonly changed = new BoundedIdList();
  private readonly completionChanged = new BoundedIdList();
  private unchanged = 0;
  private readonly sides = {
    from: { file_list_length: 0, instance_count: 0 },
    to: { file_list_length: 0, instance_count: 0 },
  };
  private readonly instances = { added: 0, removed: 0, changed: 0 };
  // By label_file_id (null: no label); named only at the end, since a file's label_map may follow its packets.
  private readonly perLabel = new Map<number | null, LabelCounts>();

  /** A file only `to` holds: it and its instances are added. */
  fileAdded(to: PacketView): void {
    this.count('to', to);
    this.added.add(to.fileId);
    for (const instance of to.instances.values()) this.instanceMoved('added', instance.labelFileId);
  }

  /** A file only `from` holds: it and its instances are removed. */
  fileRemoved(from: PacketView): void {
    this.count('from', from);
    this.removed.add(from.fileId);
    for (const instance of from.instances.values())
      this.instanceMoved('removed', instance.labelFileId);
  }

  /** A file both hold: compared field by field and instance by instance id. */
  fileInBoth(from: PacketView, to: PacketView): void {
    this.count('from', from);
    this.count('to', to);
    let differs = from.shell !== to.shell;
    if (from.complete !== to.complete) this.completionChanged.add(to.fileId);
    for (const [id, before] of from.instances) {
      const after = to.instances.get(id);
      if (after === undefined) {
        this.instanceMoved('removed', before.labelFileId);
        differs = true;
      } else if (after.canonical !== before.canonical) {
        // A relabelled instance counts under its new label.
        this.instanceMoved('changed', after.labelFileId);
        differs = true;
      }
    }
    for (const [id, after] of to.instances) {
      if (from.instances.has(id)) continue;
      this.instanceMoved('added', after.labelFileId);
      differs = true;
    }
    if (differs) this.changed.add(to.fileId);
    else this.unchanged += 1;
  }

  /**
   * The findings, labels named from `to`'s label map, then `from`'s (a label deleted between the
   * two), then `label <id>` when neither names it.
   */
  findings(labelMaps: { from?: LabelMap; to?: LabelMap }): ExportDiffFindings {
    const nameOf = (labelFileId: number | null): string => {
      if (labelFileId === null) return noLabelName;
      const key = String(labelFileId);
      return labelMaps.to?.[key] ?? labelMaps.from?.[key] ?? `label ${labelFileId}`;
    };
    const perLabel = [...this.perLabel].map(([labelFileId, counts]) => ({
      label: nameOf(labelFileId),
      ...counts,
    }));
    const total = (row: LabelCounts) => row.added + row.removed + row.changed;
    perLabel.sort((a, b) => total(b) - total(a) || a.label.localeCompare(b.label));
    return {
      from: { ...this.sides.from },
      to: { ...this.sides.to },
      identical: this.added.count + this.removed.count + this.changed.count === 0,
      files: {
        added: this.added.toContract(),
        removed: this.removed.toContract(),
        changed: this.changed.toContract(),
        completion_changed: this.completionChanged.toContract(),
        unchanged_count: this.unchanged,
      },
      instances: { ...this.instances, per_label: perLabel },
    };
  }

  private count(side: 'from' | 'to', packet: PacketView): void {
    this.sides[side].file_list_length += 1;
    this.sides[side].instance_count += packet.instances.size;
  }

  private instanceMoved(change: keyof LabelCounts, labelFileId: number | null): void {
    this.instances[change] += 1;
    const row = this.perLabel.get(labelFileId) ?? { added: 0, removed: 0, changed: 0 };
    row[change] += 1;
    this.perLabel.set(labelFileId, row);
  }
}
