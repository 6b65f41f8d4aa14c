import type { Export } from '../../../../contract/exports.ts';

// Which exports on a listed page hold the same content as an older one (`content_sha256`), so the
// panel can say "nothing changed between them". Computed from the page alone: an older twin on
// another page is not named, which costs a badge, never a wrong one.

/** The source and settings an export was made with, and its content hash; null when it has none to compare. */
function contentKeyOf(item: Export): string | null {
  if (item.status !== 'complete' || item.content_sha256 === null) return null;
  const ref =
    item.source === 'directory' ? item.directory : item.source === 'job' ? item.job : item.task;
  // A deleted source has no id to match on: say nothing rather than guess.
  if (ref === null) return null;
  return [
    item.source,
    ref.id,
    item.ann_is_complete,
    item.include_removed,
    item.content_sha256,
  ].join('|');
}

/**
 * For each complete export of `exports` whose source (kind and id), settings (`ann_is_complete`,
 * `include_removed`) and `content_sha256` equal those of an older export in the same list: the id of
 * the newest such older export. The oldest of a group maps to nothing.
 */
export function sameContentAs(exports: readonly Export[]): Map<number, number> {
  const newestOlder = new Map<string, number>();
  const twins = new Map<number, number>();
  for (const item of [...exports].sort((a, b) => a.id - b.id)) {
    const key = contentKeyOf(item);
    if (key === null) continue;
    const older = newestOlder.get(key);
    if (older !== undefined) twins.set(item.id, older);
    newestOlder.set(key, item.id);
  }
  return twins;
}
