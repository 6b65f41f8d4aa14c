import { createExportRequestSchema, exportLinkSchema, exportSchema } from '../contract/exports.ts';
import type { ExportSource, ReturnType } from '../contract/exports.ts';
import type { ExportFile } from '../contract/export-file.ts';
import type { FieldIssue } from '../contract/errors.ts';
import { InvalidInputError } from './annex-errors.ts';
import type { AnnexHttpClient } from './annex-http-client.ts';
import { Export, readExportFile } from './export-handle.ts';
import type { WaitOptions } from './export-handle.ts';

/**
 * Options of `job.generateExport()` and `directory.generateExport()`, as Diffgram's SDK names them
 * (in camelCase). The wait options apply when the server's own wait ends before the export does.
 */
export interface GenerateExportOptions extends Omit<WaitOptions, 'onProgress'> {
  /** `data` (default): the parsed file. `url`: a download URL. Only with waiting. */
  returnType?: ReturnType;
  /** Wait for the file (default true); false returns at once with the `Export` (metadata). */
  waitForExportGeneration?: boolean;
  /** Completed files only (default true), or all files (false). */
  annIsComplete?: boolean;
  /** Write soft-deleted instances too, each with `"removed": true` (default false). */
  includeRemoved?: boolean;
  /** While the SDK itself waits, called with the export after every status read. */
  onProgress?: WaitOptions['onProgress'];
}

/** The source an export reads from, by kind and id. */
export interface ExportSourceTarget {
  /** What kind of source. */
  source: ExportSource;
  /** Its id. */
  id: number;
}

// Contract field names back to the option names a caller wrote, so an error names what they typed.
const optionNames: Record<string, string> = {
  return_type: 'returnType',
  wait_for_export_generation: 'waitForExportGeneration',
  ann_is_complete: 'annIsComplete',
  include_removed: 'includeRemoved',
};

/**
 * Asks the server for an export of one source and returns what the options ask for: the parsed file
 * (default), its URL, or at once the `Export`. When the server's wait (WAIT_TIMEOUT_SECONDS) ends
 * before the export does, it answers 202 and this keeps waiting by polling.
 */
export async function generateExport(
  client: AnnexHttpClient,
  projectStringId: string,
  target: ExportSourceTarget,
  options: GenerateExportOptions,
): Promise<ExportFile | string | Export> {
  const request = createExportRequestSchema.safeParse({
    source: target.source,
    [`${target.source}_id`]: target.id,
    ann_is_complete: options.annIsComplete,
    include_removed: options.includeRemoved,
    wait_for_export_generation: options.waitForExportGeneration ?? true,
    return_type: options.returnType,
  });
  if (!request.success) {
    const issues: FieldIssue[] = request.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? 'options');
      return { field: optionNames[field] ?? field, message: issue.message };
    });
    throw new InvalidInputError(
      `Invalid export options: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}.`,
      {
        code: 'validation_failed',
        issues,
      },
    );
  }
  const body = request.data;
  const path = `/api/v1/projects/${encodeURIComponent(projectStringId)}/exports`;
  const what = `POST ${path}`;
  const response = await client.send({ method: 'POST', path, body });

  if (!body.wait_for_export_generation || response.status === 202) {
    const created = new Export(client, await client.readJson(response, exportSchema, what));
    if (!body.wait_for_export_generation) return created;
    // The server's wait ended first; carry on waiting here, as the caller asked to wait.
    await created.waitUntilDone(options);
    return created.accessData({ returnType: body.return_type });
  }
  if (body.return_type === 'url') {
    const link = await client.readJson(response, exportLinkSchema, what);
    return client.resolveUrl(link.url);
  }
  const exportId = response.headers.get('x-annex-export-id');
  return readExportFile(client, response, exportId === null ? 'the export' : `export ${exportId}`);
}
