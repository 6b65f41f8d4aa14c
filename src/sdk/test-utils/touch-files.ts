// The SDK's tests change a spawned server's data the way a writer does (one change-counter value per
// transaction, the files stamped with it), straight in its database, so the stale-export tests do
// not depend on the write API. Only these test utilities reach into src/server; the SDK never does.
// eslint-disable-next-line import-x/no-restricted-paths -- the writers' own change-counter helpers
import { markFilesChanged, nextChangeSeq } from '../../server/annotations/file-changes.ts';
// eslint-disable-next-line import-x/no-restricted-paths -- test set-up of a spawned server's database
import { openDatabase } from '../../server/db/database.ts';

/**
 * Marks files of a project as changed, as an annotation tool's write would: takes the project's
 * next change-counter value in one transaction and stamps the files with it.
 */
export async function touchFiles(
  databaseUrl: string,
  projectStringId: string,
  fileIds: readonly number[],
): Promise<void> {
  const database = await openDatabase(databaseUrl);
  try {
    await database.db.transaction().execute(async (trx) => {
      const project = await trx
        .selectFrom('project')
        .select('id')
        .where('project_string_id', '=', projectStringId)
        .executeTakeFirstOrThrow(
          () => new Error(`the test server has no project "${projectStringId}"`),
        );
      await markFilesChanged(trx, fileIds, await nextChangeSeq(trx, project.id));
    });
  } finally {
    await database.close();
  }
}
