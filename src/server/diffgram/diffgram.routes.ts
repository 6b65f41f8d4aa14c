import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  diffgramExportLinkRequestSchema,
  diffgramExportListResponseSchema,
  diffgramFileExistsRequestSchema,
  diffgramFileExistsResponseSchema,
  diffgramFileListRequestSchema,
  diffgramFileListResponseSchema,
  diffgramJobInfoRequestSchema,
  diffgramJobInfoResponseSchema,
  diffgramJobParamsSchema,
  diffgramLabelNameMapResponseSchema,
  diffgramLabelSchemaListResponseSchema,
  diffgramProjectParamsSchema,
  diffgramQueuedExportResponseSchema,
  diffgramToFileRequestSchema,
  diffgramWorkingDirQuerySchema,
  diffgramWorkingDirResponseSchema,
} from '../../contract/diffgram-api.ts';
import type { ExportLink } from '../../contract/exports.ts';
import { maxId } from '../../contract/request-fields.ts';
import { principalOf } from '../auth/principal.ts';
import { projectRoleOf, requireProjectRole } from '../auth/project-access.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import {
  deliverExportFile,
  recordExportCreated,
  recordLinkIssued,
  waitForRequester,
} from '../exports/export-delivery.ts';
import type { ExportService } from '../exports/export-service.ts';
import { ApiError } from '../http/api-error.ts';
import { originOf } from '../http/request-context.ts';
import { installProjectLookup, projectOf } from '../projects/project-lookup.ts';
import type { ExportFileStore } from '../storage/export-file-store.ts';
import { installDiffgramErrorAnswers } from './diffgram-errors.ts';
import { exportInputFromDiffgram } from './diffgram-export-settings.ts';
import {
  allFilesInProject,
  directoryFileIdPage,
  findDirectory,
  findJobById,
  jobFileCount,
  labelCount,
  labelNameMap,
} from './diffgram-queries.ts';
import { diffgramExportOf, diffgramWorkingDirOf } from './diffgram-records.ts';

/** What the Diffgram API is built from. */
export interface DiffgramRoutesOptions {
  database: AnnexDatabase;
  /** The same export service annex's own routes call. */
  service: ExportService;
  /** Where a file answered in the response is read from. */
  storage: ExportFileStore;
}

/** The front door's name in the audit trail. */
const viaDiffgram = { api: 'diffgram' };

/** The message a `Dataset not found` refusal carries (the SDK's own words for an unknown directory). */
const datasetNotFound = 'Dataset not found';

/** Every `/api/project/P`, `/api/v1/project/P` and `/api/walrus/project/P` route's `:project_string_id`. */
const projectParams = { params: diffgramProjectParamsSchema };

// How long a TCP keepalive probe waits on an idle socket while a blocking export holds the request:
// well under the minutes after which NAT tables and firewalls forget a silent connection.
const keepAliveProbeMs = 30_000;

/** Keeps the connection of a request that waits open however long the wait (a real socket only). */
function holdOpen(request: FastifyRequest): void {
  const socket: Partial<Socket> = request.raw.socket;
  // `inject` (the tests) hands the request a stand-in that has neither.
  socket.setKeepAlive?.(true, keepAliveProbeMs);
  socket.setTimeout?.(0);
}

/**
 * Diffgram's own HTTP API, as its Python SDK calls it for the export flow
 * (../shared/docs/diffgram-api.md), beside annex's own: the same project lookup, roles and export
 * service, answered in Diffgram's shapes, with errors as `text/plain` 400s and 403s the SDK shows.
 * Authentication is annex's: an API key sent as HTTP Basic, exactly what the SDK sends.
 */
export const diffgramRoutes: FastifyPluginAsyncZod<DiffgramRoutesOptions> = (app, options) => {
  const { database, service, storage } = options;
  const { db } = database;
  installDiffgramErrorAnswers(app);
  installProjectLookup(app, database, 'project_string_id');

  /** The directory the SDK names by id, or null/missing for the project's default one. */
  async function directoryOrDefault(request: FastifyRequest, directoryId: number | undefined) {
    const project = projectOf(request);
    const id = directoryId ?? project.default_directory_id;
    const directory = id === null ? undefined : await findDirectory(db, project.id, { id });
    if (directory === undefined) throw new ApiError('bad_request', datasetNotFound);
    return directory;
  }

  // `Project(...)`: the default directory, or one by nickname.
  app.get(
    '/api/project/:project_string_id/user/legacy/working_dir/view',
    {
      schema: {
        ...projectParams,
        querystring: diffgramWorkingDirQuerySchema,
        response: { 200: diffgramWorkingDirResponseSchema },
      },
    },
    async (request) => {
      const project = projectOf(request);
      const { name } = request.query;
      const directory =
        name === undefined
          ? await directoryOrDefault(request, undefined)
          : await findDirectory(db, project.id, { nickname: name });
      if (directory === undefined) throw new ApiError('bad_request', datasetNotFound);
      return { working_dir: diffgramWorkingDirOf(directory, project.default_directory_id) };
    },
  );

  // A page of a directory's file ids (`ids_only`, what the SDK asks for).
  app.post(
    '/api/project/:project_string_id/user/sdk/file/list',
    {
      schema: {
        ...projectParams,
        body: diffgramFileListRequestSchema,
        response: { 200: diffgramFileListResponseSchema },
      },
    },
    async (request) => {
      const { metadata } = request.body;
      const mode = metadata.file_view_mode ?? 'ids_only';
      if (mode !== 'ids_only') {
        throw new ApiError(
          'bad_request',
          `file_view_mode "${mode}" is not supported: annex lists file ids only (file_view_mode "ids_only").`,
        );
      }
      const directory = await directoryOrDefault(request, metadata.directory_id);
      const { page, limit } = metadata;
      const found = await directoryFileIdPage(db, directory.id, { number: page, limit });
      const totalPages = Math.ceil(found.total / limit);
      return {
        file_list: found.ids,
        metadata: {
          next_page: page < totalPages ? page + 1 : null,
          total_pages: totalPages,
          page,
          limit,
          file_count: found.total,
          directory_id: directory.id,
        },
      };
    },
  );

  // Do these ids all name files of the project? (The SDK checks a directory's list before using it.)
  app.post(
    '/api/v1/project/:project_string_id/file/exists',
    {
      // A million ids, as JSON, fit in 16 MiB.
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        ...projectParams,
        body: diffgramFileExistsRequestSchema,
        response: { 200: diffgramFileExistsResponseSchema },
      },
    },
    async (request) => {
      const ids = request.body.file_id_list;
      // An id outside what annex stores names no file (and must not reach a 32-bit column).
      const storable = ids.every((id) => id >= 1 && id <= maxId);
      const exists = storable && (await allFilesInProject(db, projectOf(request).id, ids));
      return { result: { exists } };
    },
  );

  app.get(
    '/api/v1/project/:project_string_id/labels/view/name_to_file_id',
    { schema: { ...projectParams, response: { 200: diffgramLabelNameMapResponseSchema } } },
    async (request) => ({
      log: { success: true },
      name_to_file_id: await labelNameMap(db, projectOf(request).id),
    }),
  );

  // annex has one label schema per project: all its labels.
  app.get(
    '/api/v1/project/:project_string_id/labels-schema',
    { schema: { ...projectParams, response: { 200: diffgramLabelSchemaListResponseSchema } } },
    async (request) => {
      const project = projectOf(request);
      return [
        {
          id: project.id,
          name: 'Default',
          is_default: true,
          label_count: await labelCount(db, project.id),
        },
      ];
    },
  );

  // `project.job.get_by_id(id)`: the path names no project, so the job is looked for among the
  // caller's projects; one they may not see is the same refusal as one that does not exist.
  app.post(
    '/api/v1/job/:job_id/builder/info',
    {
      schema: {
        params: diffgramJobParamsSchema,
        body: diffgramJobInfoRequestSchema.nullish(),
        response: { 200: diffgramJobInfoResponseSchema },
      },
    },
    async (request) => {
      const jobId = request.params.job_id;
      const job = await findJobById(db, jobId);
      const role =
        job === undefined
          ? undefined
          : await projectRoleOf(db, principalOf(request), job.project_id);
      if (job === undefined || role === undefined) {
        throw new ApiError(
          'not_found',
          `Job ${jobId} was not found in any project this key may see.`,
        );
      }
      return {
        job: {
          id: job.id,
          name: job.name,
          status: job.status,
          launch_datetime: job.created_time,
          label_schema_id: job.project_id,
          tag_list: [],
          project_string_id: job.project_string_id,
          file_count: await jobFileCount(db, job.id),
          task_count: job.task_count,
          complete_task_count: job.complete_task_count,
        },
      };
    },
  );

  // `job.generate_export(...)` and `project.job.generate_export(source="directory", ...)`.
  app.post(
    '/api/walrus/project/:project_string_id/export/to_file',
    { schema: { ...projectParams, body: diffgramToFileRequestSchema } },
    async (request, reply) => {
      requireProjectRole(request, 'editor', 'generating an export');
      const project = projectOf(request);
      const { user } = principalOf(request);
      const input = exportInputFromDiffgram(request.body, project.default_directory_id);
      const created = await service.create(project, input, { userId: user.id, email: user.email });
      await recordExportCreated(database, request, project.id, created.id, {
        source: created.source,
        ...viaDiffgram,
      });
      if (!input.wait_for_export_generation) {
        const answer = { success: true as const, export: diffgramExportOf(created) };
        return reply.send(diffgramQueuedExportResponseSchema.parse(answer));
      }

      // The SDK cannot tell "not finished" from data, so the request is held until the export is
      // final, however long it takes; TCP keepalives keep an idle proxy or NAT from dropping it.
      holdOpen(request);
      const result = await waitForRequester(service, reply, created.id, { timeoutMs: Infinity });
      if (result.outcome === 'pending') {
        throw new ApiError(
          'bad_request',
          `annex is shutting down before export ${created.id} finished. It goes on when a worker is back: find it with project.export.list() and get it with export.access_data().`,
        );
      }
      return answerWith(request, reply, input.return_type, result.row, result.export.id);
    },
  );

  // `export.access_data(return_type=...)`.
  app.post(
    '/api/walrus/project/:project_string_id/export/link',
    { schema: { ...projectParams, body: diffgramExportLinkRequestSchema } },
    async (request, reply) => {
      const { id, format, return_type: returnType } = request.body;
      if (format !== undefined && format.toUpperCase() !== 'JSON') {
        throw new ApiError(
          'bad_request',
          `Format "${format}" is not supported: annex exports are JSON (format="JSON").`,
        );
      }
      const complete = await service.requireComplete(projectOf(request), id);
      return answerWith(request, reply, returnType, complete.row, complete.export.id);
    },
  );

  // `project.export.list()`: every export not archived, newest first, in one answer.
  app.get(
    '/api/walrus/project/:project_string_id/export/working_dir/list',
    { schema: { ...projectParams, response: { 200: diffgramExportListResponseSchema } } },
    async (request) => ({
      success: true as const,
      export_list: (await service.listAll(projectOf(request))).map(diffgramExportOf),
    }),
  );

  /**
   * A complete export as the SDK asked for it: the bare URL string of a signed link (absolute, on
   * PUBLIC_URL or the host the request came in on), or the file itself.
   */
  async function answerWith(
    request: FastifyRequest,
    reply: FastifyReply,
    returnType: 'data' | 'url',
    row: ExportRow,
    exportId: number,
  ): Promise<FastifyReply> {
    if (returnType === 'data')
      return deliverExportFile(database, storage, request, reply, row, 'Diffgram API (data)');
    const link: ExportLink = await service.link(projectOf(request), exportId, originOf(request));
    await recordLinkIssued(database, request, row.project_id, link);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(link.url));
  }

  return Promise.resolve();
};
