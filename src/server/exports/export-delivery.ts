import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ExportLink } from '../../contract/exports.ts';
import { auditActorOf, recordAudit } from '../audit/audit-log.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import { sendExportFile } from './export-download.ts';
import type { ExportService, WaitResult } from './export-service.ts';

// The steps every front door to exports (annex's REST routes, the Diffgram API) takes around the
// export service when a request asks for an export, waits for it, or takes its file or a link: the
// audit trail's entries and the wait that ends when the caller hangs up.

/** Records that the request asked for export `exportId`; `details` says how (source, front door). */
export async function recordExportCreated(
  database: AnnexDatabase,
  request: FastifyRequest,
  projectId: number,
  exportId: number,
  details: Record<string, unknown>,
): Promise<void> {
  await recordAudit(database.db, auditActorOf(request), {
    action: 'export_created',
    projectId,
    target: `export ${exportId}`,
    details,
  });
}

/**
 * Records that the request was given a download link. A link is what downloads the file, so issuing
 * one is the trail's "downloaded" (never the URL: its signature opens the file).
 */
export async function recordLinkIssued(
  database: AnnexDatabase,
  request: FastifyRequest,
  projectId: number,
  link: ExportLink,
): Promise<void> {
  await recordAudit(database.db, auditActorOf(request), {
    action: 'export_link_issued',
    projectId,
    target: `export ${link.export.id}`,
    details: { expires_at: link.expires_at },
  });
}

/** Sends a complete export's file in the answer itself (a download with no link), recorded as one. */
export async function deliverExportFile(
  database: AnnexDatabase,
  storage: ExportFileStore,
  request: FastifyRequest,
  reply: FastifyReply,
  row: ExportRow,
  how: string,
): Promise<FastifyReply> {
  await recordAudit(database.db, auditActorOf(request), {
    action: 'export_downloaded',
    projectId: row.project_id,
    target: `export ${row.id}`,
    details: { delivered: how },
  });
  return sendExportFile(request, reply, storage, row, { ranges: false });
}

/**
 * Waits for an export on behalf of a request: until it is final, the service's limit (or
 * `timeoutMs`), shutdown, or the caller hanging up (nobody is left to answer).
 */
export async function waitForRequester(
  service: ExportService,
  reply: FastifyReply,
  exportId: number,
  options: { timeoutMs?: number } = {},
): Promise<WaitResult> {
  const gone = new AbortController();
  reply.raw.once('close', () => gone.abort());
  return service.waitUntilSettled(exportId, gone.signal, options);
}
