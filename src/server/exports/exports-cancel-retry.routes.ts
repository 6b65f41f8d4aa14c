import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { exportParamsSchema, exportSchema } from '../../contract/exports.ts';
import { auditActorOf, recordAudit } from '../audit/audit-log.ts';
import { principalOf } from '../auth/principal.ts';
import { requireProjectRole } from '../auth/project-access.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { installProjectLookup, projectOf } from '../projects/project-lookup.ts';
import { ExportCancelRetry } from './export-cancel-retry.ts';
import type { ExportEvents } from './export-events.ts';

/** What the cancel and retry routes are built from. */
export interface ExportCancelRetryRoutesOptions {
  /** The database exports and the project lookup read. */
  database: AnnexDatabase;
  /** The channel the export service and the worker in this process share. */
  events: ExportEvents;
}

/**
 * `POST /projects/:project/exports/:id/cancel` and `…/:id/retry`, registered under `/api/v1` beside
 * the other export routes. Each parses, calls one `ExportCancelRetry` method, and records the audit.
 */
export const exportCancelRetryRoutes: FastifyPluginAsyncZod<ExportCancelRetryRoutesOptions> = (
  app,
  options,
) => {
  const { database } = options;
  const service = new ExportCancelRetry(options);
  installProjectLookup(app, database);

  /**
   * Cancels a queued or running export: 200 and the export, `cancelled`; the worker stops between
   * pages and removes its temporary file. 409 `conflict` (with the export) when it already finished.
   * An editor may cancel their own exports, an admin anyone's.
   */
  app.post(
    '/projects/:project/exports/:id/cancel',
    { schema: { params: exportParamsSchema, response: { 200: exportSchema } } },
    async (request) => {
      const project = projectOf(request);
      const { user } = principalOf(request);
      const cancelled = await service.cancel(project, request.params.id, {
        userId: user.id,
        email: user.email,
        role: project.my_role,
      });
      await recordAudit(database.db, auditActorOf(request), {
        action: 'export_cancelled',
        projectId: project.id,
        target: `export ${cancelled.id}`,
      });
      return cancelled;
    },
  );

  /**
   * Retries a failed or cancelled export: 202 and a new queued export with the same settings, its
   * `retry_of` naming the old one (whose `retried_by` now names it). 409 `conflict` otherwise. Needs
   * editor; `created_by` is the signed-in user. Counts against the export-creation rate limit.
   */
  app.post(
    '/projects/:project/exports/:id/retry',
    { schema: { params: exportParamsSchema, response: { 202: exportSchema } } },
    async (request, reply) => {
      requireProjectRole(request, 'editor', 'retrying an export');
      const project = projectOf(request);
      const { user } = principalOf(request);
      const queued = await service.retry(project, request.params.id, {
        userId: user.id,
        email: user.email,
      });
      await recordAudit(database.db, auditActorOf(request), {
        action: 'export_retried',
        projectId: project.id,
        target: `export ${request.params.id}`,
        details: { new_export: queued.id },
      });
      return reply.status(202).send(queued);
    },
  );

  return Promise.resolve();
};
