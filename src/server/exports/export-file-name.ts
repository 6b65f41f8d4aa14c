import { exportSources } from '../../contract/exports.ts';
import type { ExportSource } from '../../contract/exports.ts';

/** What an export's file name is made of. */
export interface ExportFileNameParts {
  /** The export's id; the name starts with it. */
  exportId: number;
  /** What the export read from. */
  source: ExportSource;
  /** The directory's nickname, the job's name, or for a task the task id. */
  sourceName: string | number;
  /** When the export was asked for (ISO-8601); written in UTC. */
  createdTime: string;
}

// Long enough to recognise a directory or job, short enough that the whole name stays well under
// the 255-byte limit of common file systems even when every character takes several bytes.
const maxSourceNameLength = 60;

/**
 * The download's file name, per the format page's Naming:
 * `<id>_diffgram_annotations__source_<source>_<name>_datetime_<ISO UTC, ':' → '-'>.json`.
 * The source name is made safe for any file system (and for a Content-Disposition header):
 * runs of anything but letters, digits, '.', '-' and '_' become one '_'.
 */
export function exportFileName(parts: ExportFileNameParts): string {
  const { exportId, source, sourceName, createdTime } = parts;
  if (!Number.isSafeInteger(exportId) || exportId <= 0) {
    throw new Error(`exportFileName: exportId must be a positive integer, got ${String(exportId)}`);
  }
  if (!(exportSources as readonly string[]).includes(source)) {
    throw new Error(
      `exportFileName: source must be one of ${exportSources.join(', ')}, got "${source}"`,
    );
  }
  const time = new Date(createdTime);
  if (Number.isNaN(time.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(createdTime)) {
    throw new Error(`exportFileName: createdTime must be an ISO-8601 time, got "${createdTime}"`);
  }
  const datetime = time.toISOString().replaceAll(':', '-');
  return `${exportId}_diffgram_annotations__source_${source}_${sanitizeName(String(sourceName))}_datetime_${datetime}.json`;
}

function sanitizeName(name: string): string {
  const safe = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    // A leading dot would hide the file on Unix; trailing dots and spaces are dropped by Windows.
    .replace(/^[._]+|[._]+$/g, '');
  const cut = Array.from(safe).slice(0, maxSourceNameLength).join('');
  return cut === '' ? 'unnamed' : cut;
}
