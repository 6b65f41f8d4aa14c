import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxId } from '../contract/request-fields.ts';
import type { JobTask } from '../contract/projects.ts';
import { InvalidInputError, NotFoundError } from './annex-errors.ts';
import { AnnexHttpClient } from './annex-http-client.ts';
import { Job } from './source-handles.ts';
import type { TaskListOptions } from './source-handles.ts';
import { startAnnexServer } from './test-utils/annex-server.ts';
import type { AnnexTestServer } from './test-utils/annex-server.ts';
import { demoProjectAs } from './test-utils/demo-project.ts';

// `job.listTasks()` against a real server with the demo seeded: the job's counts (another route)
// say how many tasks each filter must find.

let server: AnnexTestServer | undefined;
let streetJob: Job;

async function collect(tasks: AsyncIterable<JobTask>): Promise<JobTask[]> {
  const all: JobTask[] = [];
  for await (const task of tasks) all.push(task);
  return all;
}

beforeAll(async () => {
  server = await startAnnexServer();
  const project = demoProjectAs(server, server.admin);
  const jobs = await project.job.list();
  const job = jobs.find((candidate) => candidate.name === 'Street scenes, round 1');
  if (job === undefined) throw new Error('the demo has the job "Street scenes, round 1"');
  streetJob = job;
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe('job.listTasks', () => {
  it("walks every page of the job's tasks, lowest id first, as many as the job counts", async () => {
    const tasks = await collect(streetJob.listTasks({ limit: 2 }));

    expect(tasks).toHaveLength(streetJob.task_count);
    const ids = tasks.map((task) => task.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    for (const status of ['available', 'in_progress', 'complete', 'archived'] as const) {
      expect(tasks.filter((task) => task.status === status)).toHaveLength(
        streetJob.task_counts[status],
      );
    }
  });

  it('filters by status and by the file marked complete: street-03.jpg is a complete task on a file that is not', async () => {
    const tasks = await collect(streetJob.listTasks({ status: 'complete', fileComplete: false }));

    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((task) => task.status === 'complete' && !task.file.ann_is_complete)).toBe(
      true,
    );
    expect(tasks.map((task) => task.file.original_filename)).toContain('street-03.jpg');
    const onCompleteFiles = await collect(
      streetJob.listTasks({ status: 'complete', fileComplete: true }),
    );
    expect(tasks.length + onCompleteFiles.length).toBe(streetJob.task_counts.complete);
  });

  it('listTasksPage gives one page with the cursor for the next and the total', async () => {
    const first = await streetJob.listTasksPage({ limit: 1 });
    expect(first.tasks).toHaveLength(1);
    expect(first.total).toBe(streetJob.task_count);
    expect(first.nextCursor).not.toBeNull();

    const second = await streetJob.listTasksPage({ limit: 1, cursor: first.nextCursor ?? '' });
    expect(second.tasks[0]?.id).toBeGreaterThan(first.tasks[0]?.id ?? 0);
  });

  it.each<[TaskListOptions, string[]]>([
    [{ limit: 0 }, ['limit']],
    [{ status: 'done' as 'complete' }, ['status']],
    [{ fileComplete: 'yes' as unknown as boolean }, ['fileComplete']],
    [{ limit: 500, status: 'done' as 'complete' }, ['limit', 'status']],
  ])('refuses the options %o before sending, naming each bad one', async (options, fields) => {
    const error = await collect(streetJob.listTasks(options)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues.map((issue) => issue.field).sort()).toEqual(fields);
  });

  it('a job the project does not have is a NotFoundError with the server message', async () => {
    if (server === undefined) throw new Error('the server did not start');
    const gone = new Job(
      {
        client: new AnnexHttpClient(server.host, { ...server.admin, source: 'options' }),
        projectStringId: 'demo',
      },
      {
        id: maxId,
        name: 'Gone',
        status: 'active',
        task_counts: { available: 0, in_progress: 0, complete: 0, archived: 0 },
        task_count: 0,
      },
    );

    const error = await collect(gone.listTasks()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe(
      `Job ${String(maxId)} in project "demo" was not found.`,
    );
  });
});
