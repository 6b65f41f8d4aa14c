import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createExportRequestSchema,
  exportLinkSchema,
  exportListResponseSchema,
  exportParamsSchema,
  exportSchema,
  listExportsQuerySchema,
  preflightQuerySchema,
  preflightResponseSchema,
} from '../../contract/exports.ts';
import {
  exportSampleQuerySchema,
  exportSampleResponseSchema,
} from '../../contract/export-sample.ts';
import { projectParamsSchema } from '../../contract/projects.ts';
import { auditActorOf, recordAudit } from '../audit/audit-log.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { principalOf } from '../auth/principal.ts';
import { requireProjectRole } from '../auth/project-access.ts';
import { originOf } from '../http/request-context.ts';
import { installProjectLookup, projectOf } from '../projects/project-lookup.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import {
  deliverExportFile,
  recordExportCreated,
  recordLinkIssued,
  waitForRequester,
} from './export-delivery.ts';
import { readExportSample } from './export-sample.ts';
import type { ExportService } from './export-service.ts';

/** What the export routes are built from. */
export interface ExportsRoutesOptions {
  /** The database the project lookup reads. */
  database: AnnexDatabase;
  /** The rules; every route calls one of its methods. */
  service: ExportService;
  /** Where a waited-for file is read from. */
  storage: ExportFileStore;
}

/**
 * `/projects/:project/exports`: create (optionally waiting for the file), list, read, link, archive,
 * and preflight counts. Registered under `/api/v1`. Each route parses (the contract's schemas), calls
 * one `ExportService` method and maps its answer to HTTP.
 */
export const exportsRoutes: FastifyPluginAsyncZod<ExportsRoutesOptions> = (app, options) => {
  const { database, service, storage } = options;
  installProjectLookup(app, options.database);

  // GET /preflight is declared before GET /:id; find-my-way prefers the static segment either way,
  // so "preflight" never reaches the numeric id parser.
  app.get(
    '/projects/:project/exports/preflight',
    {
      schema: {
        params: projectParamsSchema,
        querystring: preflightQuerySchema,
        response: { 200: preflightResponseSchema },
      },
    },
    async (request) => service.preview(projectOf(request), request.query),
  );

  /**
   * Creates an export. Without waiting: 202 and the export, `queued`. With
   * `wait_for_export_generation: true` the request waits up to WAIT_TIMEOUT_SECONDS for the worker:
   * complete with `return_type: "data"` → 200 and the file itself (`application/json`, header
   * `x-annex-export-id`); complete with `"url"` → 200 and `{ url, expires_at, export }`; failed →
   * 422 `export_failed` whose message is the export's `status_text` and whose details carry it;
   * still not done at the limit (or the server is shutting down) → 202 and the export as it stands
   * (poll `GET /:id`, then `POST /:id/link`).
   * Needs editor; `created_by` is the signed-in user.
   */
  app.post(
    '/projects/:project/exports',
    {
      schema: {
        params: projectParamsSchema,
        body: createExportRequestSchema,
        response: { 202: exportSchema, 200: exportLinkSchema },
      },
    },
    async (request, reply) => {
      requireProjectRole(request, 'editor', 'generating an export');
      const { user } = principalOf(request);
      const { body } = request;
      const project = projectOf(request);
      const created = await service.create(project, body, { userId: user.id, email: user.email });
      await recordExportCreated(database, request, project.id, created.id, {
        source: created.source,
      });
      if (!body.wait_for_export_generation) return reply.status(202).send(created);

      const result = await waitForRequester(service, reply, created.id);
      if (result.outcome === 'pending') return reply.status(202).send(result.export);
      if (body.return_type === 'url') {
        const link = await service.linkTo(result.export, originOf(request));
        await recordLinkIssued(database, request, project.id, link);
        return reply.status(200).send(link);
      }
      return deliverExportFile(
        database,
        storage,
        request,
        reply,
        result.row,
        'in the answer to a waiting request',
      );
    },
  );

  app.get(
    '/projects/:project/exports',
    {
      schema: {
        params: projectParamsSchema,
        querystring: listExportsQuerySchema,
        response: { 200: exportListResponseSchema },
      },
    },
    async (request) => service.list(projectOf(request), request.query),
  );

  app.get(
    '/projects/:project/exports/:id',
    { schema: { params: exportParamsSchema, response: { 200: exportSchema } } },
    async (request) => service.get(projectOf(request), request.params.id),
  );

  /**
   * The spot-check's packets, read from the stored file: a seeded random sample or named file ids
   * (export-sample.ts in the contract). 409 while not complete (`export_not_ready`,
   * `export_failed`, `export_cancelled`) or when the stored file cannot be read (`conflict`); 404
   * for an unknown export or a file missing from storage.
   */
  app.get(
    '/projects/:project/exports/:id/sample',
    {
      schema: {
        params: exportParamsSchema,
        querystring: exportSampleQuerySchema,
        response: { 200: exportSampleResponseSchema },
      },
    },
    async (request) =>
      readExportSample(service, storage, projectOf(request), request.params.id, request.query),
  );

  /**
   * A fresh signed download link to a complete export; 409 `export_failed` ("This export failed: …")
   * for a failed one, 409 `export_not_ready` (with the export) while it is queued or running.
   */
  app.post(
    '/projects/:project/exports/:id/link',
    { schema: { params: exportParamsSchema, response: { 200: exportLinkSchema } } },
    async (request) => {
      const project = projectOf(request);
      const link = await service.link(project, request.params.id, originOf(request));
      await recordLinkIssued(database, request, project.id, link);
      return link;
    },
  );

  /**
   * Archives an export: gone from the list, its file deleted; an unfinished one fails and is never
   * built. An editor may archive their own exports, an admin anyone's.
   */
  app.delete(
    '/projects/:project/exports/:id',
    { schema: { params: exportParamsSchema } },
    async (request, reply) => {
      const project = projectOf(request);
      await service.archive(project, request.params.id, {
        userId: principalOf(request).user.id,
        role: project.my_role,
      });
      await recordAudit(database.db, auditActorOf(request), {
        action: 'export_archived',
        projectId: project.id,
        target: `export ${request.params.id}`,
      });
      return reply.status(204).send();
    },
  );

  return Promise.resolve();
};
