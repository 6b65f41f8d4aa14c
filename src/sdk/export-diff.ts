import { exportDiffSchema } from '../contract/export-diff.ts';
import type { ExportDiff } from '../contract/export-diff.ts';
import { InvalidInputError } from './annex-errors.ts';
import type { AnnexHttpClient } from './annex-http-client.ts';

/** An id the diff takes: a positive integer, else an InvalidInputError naming `field`. */
function checkDiffId(id: unknown, field: 'from' | 'to'): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidInputError(
      `The export to compare ${field} must be a positive integer id; got ${typeof id === 'string' ? JSON.stringify(id) : String(id)}.`,
      { code: 'bad_request', issues: [{ field, message: 'must be a positive integer' }] },
    );
  }
  return id;
}

/**
 * What export `to` holds that export `from` does not, and the reverse
 * (`GET …/exports/:from/diff/:to`). The server reads both files to the end: seconds for
 * 100,000-file exports. Both must be complete exports of the project (ExportNotReadyError,
 * ExportFailedError otherwise); the same id twice is refused here, before any request.
 */
export async function fetchExportDiff(
  client: AnnexHttpClient,
  projectPath: string,
  from: number,
  to: number,
): Promise<ExportDiff> {
  checkDiffId(from, 'from');
  checkDiffId(to, 'to');
  if (from === to) {
    throw new InvalidInputError(
      `Both sides are export ${from}; choose two different exports to compare.`,
      { code: 'bad_request', issues: [{ field: 'to', message: 'must differ from from' }] },
    );
  }
  return client.sendJson(
    { method: 'GET', path: `${projectPath}/exports/${from}/diff/${to}` },
    exportDiffSchema,
  );
}
