import { exportSchema, preflightResponseSchema } from '../../contract/exports.ts';
import type { Export as ExportRecord } from '../../contract/exports.ts';
import { basicAuthorization } from '../api-credentials.ts';
import type { AnnexTestServer } from './annex-server.ts';
import { demoProjectAs } from './demo-project.ts';

// The task is found through the API (each job's complete tasks on files not marked complete), so the
// test asks the server what the seed wrote rather than guessing an id.
async function taskOnIncompleteFile(
  server: AnnexTestServer,
  projectStringId: string,
): Promise<number> {
  const project = demoProjectAs(server, server.admin, projectStringId);
  for (const job of await project.job.list()) {
    for await (const task of job.listTasks({ status: 'complete', fileComplete: false })) {
      // A removed file is left out of every export too, but for another reason than the one a test
      // of "nothing marked complete" expects to read.
      if (task.file.state === 'added') return task.id;
    }
  }
  throw new Error(
    `project "${projectStringId}" has no complete task on an incomplete file: cannot make an export fail`,
  );
}

/**
 * Queues an export that is bound to fail: one of a complete task whose file is not marked complete,
 * with the default completed-only filter, so it selects no file (the demo project has such tasks).
 */
export async function queueFailingExport(
  server: AnnexTestServer,
  projectStringId: string,
): Promise<ExportRecord> {
  const taskId = await taskOnIncompleteFile(server, projectStringId);
  const exportsUrl = `${server.host}/api/v1/projects/${projectStringId}/exports`;
  const authorization = basicAuthorization(server.admin);
  const preflight = preflightResponseSchema.parse(
    await (
      await fetch(`${exportsUrl}/preflight?source=task&task_id=${taskId}`, {
        headers: { authorization },
      })
    ).json(),
  );
  if (preflight.file_count !== 0) {
    throw new Error(`task ${taskId} selects ${preflight.file_count} files; it was to select none`);
  }
  const created = await fetch(exportsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ source: 'task', task_id: taskId }),
  });
  if (created.status !== 202)
    throw new Error(
      `POST export of task ${taskId}: HTTP ${created.status} ${await created.text()}`,
    );
  return exportSchema.parse(await created.json());
}
