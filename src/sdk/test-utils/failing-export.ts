import { exportSchema, preflightResponseSchema } from '../../contract/exports.ts';
import type { Export as ExportRecord } from '../../contract/exports.ts';

/**
 * Queues an export that is bound to fail: one of a task whose file is not marked complete, with the
 * default completed-only filter, so it selects no file. The demo project has such tasks (complete
 * tasks on incomplete files), but the API lists no tasks, so the preflight count finds one.
 */
export async function queueFailingExport(
  host: string,
  projectStringId: string,
): Promise<ExportRecord> {
  const exportsUrl = `${host}/api/v1/projects/${projectStringId}/exports`;
  for (let taskId = 1; taskId <= 100; taskId += 1) {
    const preflight = await fetch(`${exportsUrl}/preflight?source=task&task_id=${taskId}`);
    if (!preflight.ok) continue;
    const counts = preflightResponseSchema.parse(await preflight.json());
    if (counts.file_count !== 0) continue;
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
  throw new Error(
    `no task of project "${projectStringId}" selects zero files: cannot make an export fail`,
  );
}
