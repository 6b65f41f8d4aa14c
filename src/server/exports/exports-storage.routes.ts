import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { exportStorageResponseSchema } from '../../contract/export-storage.ts';
import { projectParamsSchema } from '../../contract/projects.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { installProjectLookup, projectOf } from '../projects/project-lookup.ts';
import type { ExportStorageUsage } from './export-storage-usage.ts';

/** What the storage route is built from. */
export interface ExportsStorageRoutesOptions {
  /** The database the project lookup reads. */
  database: AnnexDatabase;
  /** Reads the project's storage use. */
  usage: ExportStorageUsage;
}

/**
 * `GET /projects/:project/exports/storage`: bytes and count of the project's exports with files, and
 * the retention settings; for whoever may see the project's exports (as the list). Registered under
 * `/api/v1`.
 */
export const exportsStorageRoutes: FastifyPluginAsyncZod<ExportsStorageRoutesOptions> = (
  app,
  options,
) => {
  installProjectLookup(app, options.database);
  // A static segment: find-my-way prefers it to `/exports/:id`, so "storage" never reaches the id parser.
  app.get(
    '/projects/:project/exports/storage',
    { schema: { params: projectParamsSchema, response: { 200: exportStorageResponseSchema } } },
    async (request) => options.usage.of(projectOf(request).id),
  );
  return Promise.resolve();
};
