import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { projectParamsSchema } from '../../contract/projects.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { ApiError } from '../http/api-error.ts';
import { installProjectLookup, projectOf } from '../projects/project-lookup.ts';
import type { ExportChangeFeed } from './export-change-feed.ts';
import { ExportEventStream } from './export-event-stream.ts';
import type { ExportEventStreamTiming } from './export-event-stream.ts';

/** What the live export events route is built from. */
export interface ExportsEventsRoutesOptions {
  /** The database the project lookup reads. */
  database: AnnexDatabase;
  /** Where this process hears export changes (every process's, on PostgreSQL). */
  feed: ExportChangeFeed;
  /** Heartbeat, lifetime and buffer limits of each stream; the defaults suit production. */
  timing?: ExportEventStreamTiming;
}

/** Why a stream cannot be opened while the feed is down, and what the client does instead. */
export const liveEventsUnavailableMessage =
  'Live export updates are not available right now: the server lost the database connection it hears changes on, and is reconnecting. Read the export list instead (it is up to date), and open the stream again in a few seconds.';

/**
 * `GET /projects/:project/exports/events` (registered under `/api/v1`): a text/event-stream of the
 * project's export changes (`src/contract/export-events.ts`), for anyone who may see the project:
 * the same project lookup, and the same 401 and 404, as the export list. 503 `unavailable` while the
 * process's feed is not hearing changes; streams already open are ended then, so no client believes
 * it is live when it is not. Streams are ended on shutdown too, so closing the server never waits
 * for a client to leave.
 */
export const exportsEventsRoutes: FastifyPluginAsyncZod<ExportsEventsRoutesOptions> = (
  app,
  options,
) => {
  const { feed } = options;
  installProjectLookup(app, options.database);
  const open = new Set<ExportEventStream>();
  const endAll = () => {
    for (const stream of [...open]) stream.end();
  };
  const stopWatching = feed.onLiveChange((live) => {
    if (!live) endAll();
  });
  app.addHook('preClose', (done) => {
    stopWatching();
    endAll();
    done();
  });

  app.get(
    '/projects/:project/exports/events',
    // A HEAD would open a stream nobody reads until its lifetime ends.
    { exposeHeadRoute: false, schema: { params: projectParamsSchema } },
    async (request, reply) => {
      const project = projectOf(request);
      if (!feed.live) throw new ApiError('unavailable', liveEventsUnavailableMessage);
      const stream = new ExportEventStream(feed, project, options.timing ?? {});
      open.add(stream);
      stream.onEnded(() => open.delete(stream));
      return (
        reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          // nginx buffers proxied answers unless told not to; a buffered event stream is no stream.
          .header('x-accel-buffering', 'no')
          .send(stream.body)
      );
    },
  );

  return Promise.resolve();
};
