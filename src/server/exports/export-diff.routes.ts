import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { exportDiffSchema } from '../../contract/export-diff.ts';
import { exportParamsSchema } from '../../contract/exports.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { installProjectLookup, projectOf } from '../projects/project-lookup.ts';
import type { ExportDiffService } from './export-diff-service.ts';

/** `:id` and `:other`: the export compared from (older) and the one compared to (newer). */
const exportDiffParamsSchema = exportParamsSchema.extend({
  /** The export compared to. */
  other: exportParamsSchema.shape.id,
});

/** What the diff route is built from. */
export interface ExportDiffRoutesOptions {
  /** The database the project lookup reads. */
  database: AnnexDatabase;
  /** The rule and the diff. */
  service: ExportDiffService;
}

/**
 * `GET /projects/:project/exports/:id/diff/:other` (viewer): what export `:other` holds that `:id`
 * does not, and the reverse. Registered under `/api/v1`. Both files are read to the end, which takes
 * seconds for 100,000-file exports; the answer waits (no server timeout applies) and the reading
 * stops when the caller hangs up.
 */
export const exportDiffRoutes: FastifyPluginAsyncZod<ExportDiffRoutesOptions> = (app, options) => {
  installProjectLookup(app, options.database);
  app.get(
    '/projects/:project/exports/:id/diff/:other',
    { schema: { params: exportDiffParamsSchema, response: { 200: exportDiffSchema } } },
    async (request, reply) => {
      const gone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.sent) gone.abort(new Error('The caller went away before the diff was done.'));
      });
      const { id, other } = request.params;
      return options.service.diff(projectOf(request), id, other, gone.signal);
    },
  );
  return Promise.resolve();
};
