import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { textIdSchema } from '../../contract/request-fields.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { ApiError } from '../http/api-error.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import { downloadPathPrefix } from './download-links.ts';
import type { LinkSigner } from './download-links.ts';
import { sendExportFile } from './export-download.ts';
import { ExportRepository } from './export-repository.ts';
import { exportCancelledConflict } from './export-cancel-retry.ts';
import { exportFailedConflict } from './export-service.ts';

/** What the download route is built from. */
export interface FilesRoutesOptions {
  /** The database exports live in. */
  database: AnnexDatabase;
  /** Where finished files are read from. */
  storage: ExportFileStore;
  /** Checks download links. */
  linkSigner: LinkSigner;
}

const fileParamsSchema = z.object({
  /** The export's id: digits only, within the id range, like every id in a path. */
  id: textIdSchema,
});

// Not strict: a browser or a download tool may add its own query parameters (cache busters).
const fileQuerySchema = z.object({
  /** Unix time the link stops working; part of what is signed. */
  expires: z.string().optional(),
  /** The link's HMAC. */
  signature: z.string().optional(),
  /** `1` or `true`: save as a file (attachment) instead of showing it in the tab (inline). */
  download: z.enum(['1', 'true', '0', 'false']).optional(),
});

/**
 * `GET /files/exports/:id?expires=…&signature=…[&download=1]`: a complete export's file through a
 * signed, expiring link. The signature is checked before anything is read, so a bad link learns
 * nothing about which exports exist; the file is found by the export's stored key, never by a path.
 */
export const filesRoutes: FastifyPluginAsyncZod<FilesRoutesOptions> = (app, options) => {
  const { storage, linkSigner } = options;
  const repository = new ExportRepository(options.database);

  app.get(
    `${downloadPathPrefix}/:id`,
    { schema: { params: fileParamsSchema, querystring: fileQuerySchema } },
    async (request, reply) => {
      const { id } = request.params;
      const { expires, signature, download } = request.query;
      const check =
        expires === undefined || signature === undefined
          ? ({ ok: false, reason: 'invalid' } as const)
          : linkSigner.verify(id, expires, signature);
      if (!check.ok && check.reason === 'invalid') {
        throw new ApiError(
          'forbidden',
          'This download link is invalid: it was changed or cut short. Ask for a new one (Download in the panel, or POST …/exports/:id/link).',
        );
      }
      if (!check.ok) {
        throw new ApiError(
          'link_expired',
          `This download link expired at ${check.expiredAt.toISOString()}; ask for a new one.`,
          {
            expired_at: check.expiredAt.toISOString(),
          },
        );
      }
      const row = await repository.getById(id);
      if (row === undefined || row.archived === 1) {
        throw new ApiError('not_found', `Export ${id} was not found; it may have been archived.`);
      }
      if (row.status === 'failed')
        throw exportFailedConflict(row.status_text, { id, status: row.status });
      if (row.status === 'cancelled')
        throw exportCancelledConflict(id, row.status_text, { id, status: row.status });
      if (row.status !== 'complete') {
        throw new ApiError('export_not_ready', 'Export not ready yet', { id, status: row.status });
      }
      const attachment = download === '1' || download === 'true';
      return sendExportFile(request, reply, storage, row, {
        disposition: attachment ? 'attachment' : 'inline',
        ranges: true,
      });
    },
  );

  return Promise.resolve();
};
