import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FieldIssue } from '../../contract/errors.ts';
import {
  createExportRequestSchema,
  exportLinkSchema,
  exportListResponseSchema,
  exportParamsSchema,
  exportSchema,
  isFinalStatus,
  listExportsQuerySchema,
  preflightQuerySchema,
  preflightResponseSchema,
} from '../../contract/exports.ts';
import type { Export, ExportLink } from '../../contract/exports.ts';
import { projectParamsSchema } from '../../contract/projects.ts';
import type { AppConfig } from '../config/env.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import type { ExportStorage } from '../storage/export-storage.ts';
import type { LinkSigner } from './download-links.ts';
import { sendExportFile } from './export-download.ts';
import type { ExportEvents } from './export-events.ts';
import { ExportRepository } from './export-repository.ts';
import type { ProjectRef } from './export-repository.ts';
import {
  ExportSourceNotFoundError,
  previewSelection,
  resolveExportSelection,
} from './export-selection.ts';
import { exportSettingsFrom, sourceColumnsOf } from './export-settings.ts';
import type { ExportSettings } from './export-settings.ts';

/** What the export routes are built from. */
export interface ExportsRoutesOptions {
  /** The database exports live in. */
  database: AnnexDatabase;
  /** WAIT_TIMEOUT_SECONDS and DEFAULT_USER_EMAIL are read from it. */
  config: AppConfig;
  /** Where finished files are read from. */
  storage: ExportStorage;
  /** Wakes a worker in this process and tells waiting requests that an export settled. */
  events: ExportEvents;
  /** Signs download links. */
  linkSigner: LinkSigner;
}

/** The header naming who asks (annex has no accounts yet); an email. */
export const userHeader = 'x-annex-user';

// A waiting request re-reads its export this often, for a worker in another process that cannot
// signal it; a worker in this process wakes it at once through ExportEvents.
const waitRecheckMs = 500;

const userEmailSchema = z.email();

/**
 * `/projects/:project/exports`: create (optionally waiting for the file), list, read, link, archive,
 * and preflight counts. Registered under `/api/v1`.
 */
export const exportsRoutes: FastifyPluginAsyncZod<ExportsRoutesOptions> = (app, options) => {
  const { database, config, storage, events, linkSigner } = options;
  const repository = new ExportRepository(database);
  // On shutdown, waiting requests answer at once (202, the export as it stands) instead of holding
  // the server open for up to WAIT_TIMEOUT_SECONDS.
  const closing = new AbortController();
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });

  async function requireProject(projectStringId: string): Promise<ProjectRef> {
    const project = await repository.findProject(projectStringId);
    if (project === undefined)
      throw notFound(`Project "${projectStringId}"`, { project: projectStringId });
    return project;
  }

  async function requireExport(project: ProjectRef, id: number): Promise<ExportRow> {
    const row = await repository.get(project.id, id);
    if (row === undefined) {
      throw notFound(`Export ${id} in project "${project.project_string_id}"`, {
        field: 'params.id',
        id,
      });
    }
    return row;
  }

  /** Checks that the source exists in the project; a 400 naming the id field when it does not. */
  async function checkSource(
    project: ProjectRef,
    settings: ExportSettings,
    place: 'body' | 'query',
  ): Promise<void> {
    try {
      await resolveExportSelection(database, settings);
    } catch (error) {
      if (error instanceof ExportSourceNotFoundError) {
        const field = `${place}.${settings.source}_id`;
        const message = `${settings.source} ${settings.sourceId} is not in project "${project.project_string_id}"`;
        throw new ApiError('validation_failed', `Invalid request: ${field}: ${message}`, {
          issues: [{ field, message }],
        });
      }
      throw error;
    }
  }

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
    async (request) => {
      const project = await requireProject(request.params.project);
      const settings = exportSettingsFrom(project.id, request.query);
      await checkSource(project, settings, 'query');
      return previewSelection(database, settings);
    },
  );

  /**
   * Creates an export. Without waiting: 202 and the export, `queued`. With
   * `wait_for_export_generation: true` the request waits up to WAIT_TIMEOUT_SECONDS for the worker:
   * complete with `return_type: "data"` → 200 and the file itself (`application/json`, header
   * `x-annex-export-id`); complete with `"url"` → 200 and `{ url, expires_at, export }`; failed →
   * 422 `export_failed` whose message is the export's `status_text` and whose details carry it;
   * still not done at the limit (or the server is shutting down) → 202 and the export as it stands
   * (poll `GET /:id`, then `POST /:id/link`).
   * `created_by` is the `x-annex-user` header (an email) or DEFAULT_USER_EMAIL.
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
      const createdBy = requesterOf(request, config.DEFAULT_USER_EMAIL);
      const project = await requireProject(request.params.project);
      const body = request.body;
      const settings = exportSettingsFrom(project.id, body);
      await checkSource(project, settings, 'body');

      const row = await repository.create({
        project_id: project.id,
        kind: 'Annotations',
        source: settings.source,
        ...sourceColumnsOf(settings),
        ann_is_complete: settings.annIsComplete ? 1 : 0,
        include_removed: settings.includeRemoved ? 1 : 0,
        status: 'queued',
        percent_complete: 0,
        expected_file_count: body.expected_file_count ?? null,
        created_by: createdBy,
        created_time: new Date().toISOString(),
        archived: 0,
      });
      events.emit('created', row.id);
      if (!body.wait_for_export_generation)
        return reply.status(202).send(await repository.toContractOne(row));

      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const stopWaiting = AbortSignal.any([gone.signal, closing.signal]);
      const settled = await waitUntilSettled(
        row.id,
        config.WAIT_TIMEOUT_SECONDS * 1000,
        stopWaiting,
      );
      const current = settled ?? row;
      const record = await repository.toContractOne(current);
      if (current.status === 'failed') {
        throw new ApiError('export_failed', current.status_text ?? 'Export failed.', {
          export: record,
        });
      }
      if (current.status !== 'complete') return reply.status(202).send(record);
      if (body.return_type === 'url') return reply.status(200).send(linkFor(request, record));
      return sendExportFile(request, reply, storage, current, { ranges: false });
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
    async (request) => {
      const project = await requireProject(request.params.project);
      const { cursor, limit, source } = request.query;
      const page = await repository.list(project.id, {
        limit,
        ...(cursor === undefined ? {} : { cursor: Number(cursor) }),
        ...(source === undefined ? {} : { source }),
      });
      return {
        exports: await repository.toContract(page.rows),
        next_cursor: page.nextCursor === null ? null : String(page.nextCursor),
        total: page.total,
      };
    },
  );

  app.get(
    '/projects/:project/exports/:id',
    { schema: { params: exportParamsSchema, response: { 200: exportSchema } } },
    async (request) => {
      const project = await requireProject(request.params.project);
      return repository.toContractOne(await requireExport(project, request.params.id));
    },
  );

  /** A fresh signed download link to a complete export; 409 `export_not_ready` (with the export) otherwise. */
  app.post(
    '/projects/:project/exports/:id/link',
    { schema: { params: exportParamsSchema, response: { 200: exportLinkSchema } } },
    async (request) => {
      const project = await requireProject(request.params.project);
      const record = await repository.toContractOne(
        await requireExport(project, request.params.id),
      );
      if (record.status !== 'complete')
        throw new ApiError('export_not_ready', 'Export not ready yet', { export: record });
      return linkFor(request, record);
    },
  );

  /** Archives an export: gone from the list, its file deleted; an unfinished one fails and is never built. */
  app.delete(
    '/projects/:project/exports/:id',
    { schema: { params: exportParamsSchema } },
    async (request, reply) => {
      const project = await requireProject(request.params.project);
      const archived = await repository.archive(project.id, request.params.id);
      if (archived === undefined) {
        throw notFound(`Export ${request.params.id} in project "${project.project_string_id}"`, {
          field: 'params.id',
          id: request.params.id,
        });
      }
      if (archived.storage_key !== null) await storage.remove(archived.storage_key);
      events.emit('settled', archived.id, archived.status);
      return reply.status(204).send();
    },
  );

  function linkFor(request: FastifyRequest, record: Export): ExportLink {
    const signed = linkSigner.sign(record.id);
    return {
      url: absoluteUrl(request, signed.path),
      expires_at: signed.expiresAt.toISOString(),
      export: record,
    };
  }

  async function waitUntilSettled(
    id: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<ExportRow | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await repository.getById(id);
      if (row === undefined || isFinalStatus(row.status)) return row;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal.aborted) return row;
      await events.nextSettled(id, Math.min(remaining, waitRecheckMs), signal);
    }
  }

  return Promise.resolve();
};

/** The link's absolute URL, on the host and protocol the request came in on, so any client can open it. */
export function absoluteUrl(request: FastifyRequest, path: string): string {
  return `${request.protocol}://${request.host}${path}`;
}

/** Who asks: the `x-annex-user` header when it is an email, the configured default when absent. */
function requesterOf(request: FastifyRequest, fallback: string): string {
  const header = request.headers[userHeader];
  if (header === undefined) return fallback;
  const value = Array.isArray(header) ? header[0] : header;
  const parsed = userEmailSchema.safeParse(value?.trim());
  if (!parsed.success) {
    const field = `headers.${userHeader}`;
    const message = `must be an email address (who asks for the export), got "${String(value)}"`;
    throw invalid([{ field, message }]);
  }
  return parsed.data;
}

function invalid(issues: FieldIssue[]): ApiError {
  const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  return new ApiError('validation_failed', `Invalid request: ${summary}`, { issues });
}
