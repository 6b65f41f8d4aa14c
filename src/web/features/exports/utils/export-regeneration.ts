import { isStale, sourceIdFields } from '../../../../contract/exports.ts';
import type { ChangesSince, CreateExportRequest, Export } from '../../../../contract/exports.ts';
import { formatCount, pluralize } from '../../../lib/format.ts';

function sourceRefOf(item: Export) {
  return item.source === 'directory'
    ? item.directory
    : item.source === 'job'
      ? item.job
      : item.task;
}

/**
 * The request for a new export with `item`'s settings: the same source and id, completion filter
 * and removed instances. Null when its source was deleted since (nothing to read again).
 */
export function regenerateRequest(item: Export): CreateExportRequest | null {
  const ref = sourceRefOf(item);
  if (ref === null) return null;
  return {
    source: item.source,
    ...sourceIdFields(item.source, ref.id),
    ann_is_complete: item.ann_is_complete,
    include_removed: item.include_removed,
  };
}

/** True for a complete export whose source changed since its snapshot: it gets the Stale badge. */
export function isStaleExport(item: Pick<Export, 'status' | 'changes_since'>): boolean {
  return item.status === 'complete' && isStale(item.changes_since);
}

/** Files changed, added and removed together: the N of "N files changed since this export". */
export function staleFileCount(changes: ChangesSince): number {
  return changes.files_changed + changes.files_added + changes.files_removed;
}

/** `3 files changed since this export`. */
export function staleSentence(changes: ChangesSince): string {
  const count = staleFileCount(changes);
  return `${pluralize(count, 'file')} changed since this export`;
}

/** `2 changed · 1 added · 0 removed`: the three counts behind the sentence. */
export function staleBreakdown(changes: ChangesSince): string {
  return `${formatCount(changes.files_changed)} changed · ${formatCount(changes.files_added)} added · ${formatCount(changes.files_removed)} removed`;
}
