import Database from 'better-sqlite3';
import { exportSchema, preflightResponseSchema } from '../../contract/exports.ts';
import type { Export as ExportRecord } from '../../contract/exports.ts';
import type { AnnexTestServer } from './annex-server.ts';

// The API lists no tasks, and the SDK may not import the server's code (the import-zone rule), so
// the task is looked up in the test server's own SQLite file: what the seed wrote, not a guessed id.
function taskOnIncompleteFile(server: AnnexTestServer, projectStringId: string): number {
  const database = new Database(server.databaseUrl.replace(/^sqlite:/, ''), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const row = database
      .prepare<[string], { id: number }>(
        `SELECT task.id AS id FROM task
           JOIN job ON job.id = task.job_id
           JOIN project ON project.id = job.project_id
           JOIN file ON file.id = task.file_id
         WHERE project.project_string_id = ? AND task.status = 'complete'
           AND file.ann_is_complete = 0 AND file.state <> 'removed'
         ORDER BY task.id LIMIT 1`,
      )
      .get(projectStringId);
    if (row === undefined) {
      throw new Error(
        `project "${projectStringId}" has no complete task on an incomplete file: cannot make an export fail`,
      );
    }
    return row.id;
  } finally {
    database.close();
  }
}

/**
 * Queues an export that is bound to fail: one of a complete task whose file is not marked complete,
 * with the default completed-only filter, so it selects no file (the demo project has such tasks).
 */
export async function queueFailingExport(
  server: AnnexTestServer,
  projectStringId: string,
): Promise<ExportRecord> {
  const taskId = taskOnIncompleteFile(server, projectStringId);
  const exportsUrl = `${server.host}/api/v1/projects/${projectStringId}/exports`;
  const preflight = preflightResponseSchema.parse(
    await (await fetch(`${exportsUrl}/preflight?source=task&task_id=${taskId}`)).json(),
  );
  if (preflight.file_count !== 0) {
    throw new Error(`task ${taskId} selects ${preflight.file_count} files; it was to select none`);
  }
  const created = await fetch(exportsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'task', task_id: taskId }),
  });
  if (created.status !== 202)
    throw new Error(
      `POST export of task ${taskId}: HTTP ${created.status} ${await created.text()}`,
    );
  return exportSchema.parse(await created.json());
}
