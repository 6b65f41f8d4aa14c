import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createImportQuerySchema,
  importListResponseSchema,
  importParamsSchema,
  importResponseSchema,
  listImportsQuerySchema,
} from '../../contract/imports.ts';
import { projectParamsSchema } from '../../contract/projects.ts';
import { auditActorOf, recordAudit } from '../audit/audit-log.ts';
import { principalOf } from '../auth/principal.ts';
import { requireProjectRole } from '../auth/project-access.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { ApiError } from '../http/api-error.ts';
import { charsetOf } from '../http/json-body.ts';
import { installProjectLookup, projectOf } from '../projects/project-lookup.ts';
import type { ImportService } from './import-service.ts';

/** What the import routes are built from. */
export interface ImportsRoutesOptions {
  /** The database the project lookup and the audit trail use. */
  database: AnnexDatabase;
  /** The rules; every route calls one of its methods. */
  service: ImportService;
}

const sendAsJson =
  'Send the Diffgram JSON file itself as the body, with content-type application/json (UTF-8), e.g. curl --data-binary @export.json -H "content-type: application/json".';

function unsupportedBody(what: string): ApiError {
  return new ApiError(
    'bad_request',
    `${what} An import's body is the file. ${sendAsJson}`,
    { field: 'headers.content-type' },
    415,
  );
}

/**
 * This plugin's own body parsing: an `application/json` body is handed to the route as the raw
 * stream, to be stored as it arrives (the app's parser reads a body whole, up to 1 MiB, which no
 * import file fits). Registered in this plugin only, so every other route keeps the app's parser.
 */
function installUploadBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (request, payload, done) => {
    const charset = charsetOf(request.headers['content-type'] ?? '');
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(unsupportedBody(`The body is labelled charset=${charset}; annex reads UTF-8 only.`));
      return;
    }
    done(null, payload);
  });
  app.addContentTypeParser('*', (request, _payload, done) => {
    done(
      unsupportedBody(
        `The body is labelled ${request.headers['content-type'] ?? 'with no content type'}.`,
      ),
    );
  });
}

/** The declared `content-length`, when it is a plain number. */
function declaredLength(header: string | undefined): number | undefined {
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/**
 * `/projects/:project/imports`: upload a Diffgram JSON file to import (202, queued), list imports,
 * read one. Registered under `/api/v1`. Each route parses (the contract's schemas), calls one
 * `ImportService` method and maps its answer to HTTP.
 */
export const importsRoutes: FastifyPluginAsyncZod<ImportsRoutesOptions> = (app, options) => {
  const { service } = options;
  const { db } = options.database;
  installProjectLookup(app, options.database);
  installUploadBodyParser(app);
  // Answered before the whole file was read (a refusal, an unknown project, a missing role): the
  // connection closes after the answer, rather than the server reading up to gigabytes it will
  // throw away to reach the next request on it.
  app.addHook('onSend', async (request, reply) => {
    if (request.body instanceof Readable && !request.body.readableEnded)
      void reply.header('connection', 'close');
  });

  /**
   * Uploads a file and queues its import into the directory `directory` (made when missing): 202 and
   * the import, `queued`; follow it with `GET /:id`. The body is streamed to storage, never held in
   * memory. Refusals: a body that is not JSON (415), a file the check refuses (400
   * `invalid_import_file`, saying why), one over IMPORT_MAX_BYTES (413 `payload_too_large`). Needs
   * editor; `created_by` is the signed-in user.
   */
  app.post(
    '/projects/:project/imports',
    {
      schema: {
        params: projectParamsSchema,
        querystring: createImportQuerySchema,
        response: { 202: importResponseSchema },
      },
    },
    async (request, reply) => {
      requireProjectRole(request, 'editor', 'importing a file');
      const stream = request.body;
      if (!(stream instanceof Readable)) throw unsupportedBody('The request has no body.');
      const project = projectOf(request);
      const { user } = principalOf(request);
      const created = await service.create(
        project,
        request.query,
        { userId: user.id, email: user.email },
        { stream, declaredBytes: declaredLength(request.headers['content-length']) },
      );
      await recordAudit(db, auditActorOf(request), {
        action: 'import_started',
        projectId: project.id,
        target: `import ${created.id}`,
        details: {
          directory: created.directory_name,
          size_bytes: created.size_bytes,
          ...(created.original_filename === null ? {} : { filename: created.original_filename }),
        },
      });
      return reply.status(202).send({ import: created });
    },
  );

  app.get(
    '/projects/:project/imports',
    {
      schema: {
        params: projectParamsSchema,
        querystring: listImportsQuerySchema,
        response: { 200: importListResponseSchema },
      },
    },
    async (request) => service.list(projectOf(request), request.query),
  );

  app.get(
    '/projects/:project/imports/:id',
    { schema: { params: importParamsSchema, response: { 200: importResponseSchema } } },
    async (request) => ({ import: await service.get(projectOf(request), request.params.id) }),
  );

  return Promise.resolve();
};
