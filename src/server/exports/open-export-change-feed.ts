import type { AnnexDatabase } from '../db/database.ts';
import { InProcessChangeFeed } from './export-change-feed.ts';
import type { ExportChangeFeed } from './export-change-feed.ts';
import { PostgresChangeFeed } from './postgres-change-feed.ts';
import type { PostgresChangeFeedOptions } from './postgres-change-feed.ts';

/**
 * The change feed of a process on `database`: on PostgreSQL a listening connection to
 * `options.url` (open before this returns; when the database does not answer it keeps trying in the
 * background and never throws), on SQLite the relay of this process's own events. One per process,
 * shared by its worker and its API; close it on shutdown.
 */
export async function openExportChangeFeed(
  database: AnnexDatabase,
  options: PostgresChangeFeedOptions,
): Promise<ExportChangeFeed> {
  if (database.dialect === 'sqlite')
    return new InProcessChangeFeed(database, options.exportEvents, options.logger ?? console);
  const feed = new PostgresChangeFeed(options);
  await feed.start();
  return feed;
}
