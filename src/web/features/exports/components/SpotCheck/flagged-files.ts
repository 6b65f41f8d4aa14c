import type { CheckFinding, ExportChecks } from '../../../../../contract/export-checks.ts';
import { checkWarnings } from '../../../../../contract/export-checks.ts';

/** A file a check value flagged, and the titles of the checks that flagged it. */
export interface FlaggedFile {
  fileId: number;
  reasons: string[];
}

/**
 * The files the export's check values flagged (the examples each warning keeps), in file id order,
 * each with the checks that named it; empty when the export has no checks or nothing was found.
 */
export function flaggedFiles(checks: ExportChecks | null): FlaggedFile[] {
  if (checks === null) return [];
  const reasons = new Map<number, string[]>();
  for (const warning of checkWarnings(checks)) {
    const finding: CheckFinding | null = warning.finding;
    for (const example of finding?.examples ?? []) {
      const list = reasons.get(example.file_id) ?? [];
      if (!list.includes(warning.title)) list.push(warning.title);
      reasons.set(example.file_id, list);
    }
  }
  return [...reasons.entries()]
    .sort(([a], [b]) => a - b)
    .map(([fileId, list]) => ({ fileId, reasons: list }));
}
