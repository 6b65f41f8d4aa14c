import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskStatuses } from '../../contract/annotations.ts';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import { maxId } from '../../contract/request-fields.ts';
import {
  jobListResponseSchema,
  projectDetailResponseSchema,
  projectListResponseSchema,
  taskDetailResponseSchema,
} from '../../contract/projects.ts';
import type { TaskCounts } from '../../contract/projects.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { seedDemoProject } from '../seed/demo-project.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import { addDirectory, addImages, addJob, addProject } from '../test-utils/test-records.ts';

describe.each(testDialects)('the project read API on %s', (dialect) => {
  let database: TestDatabase;
  let demo: DemoProjectSummary;
  let app: FastifyInstance;
  let built: TestApp;
  let sparse: { projectId: number; directoryId: number; jobId: number };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    demo = await seedDemoProject(database);
    sparse = await seedSparseProject(database);
    built = await createTestApp(database);
    app = built.app;
  });
  afterAll(async () => {
    await built.close();
    await database.drop();
  });

  it('lists every project by name to an instance admin, with their role', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/projects' });
    expect(response.statusCode).toBe(200);
    const body = projectListResponseSchema.parse(response.json());
    expect(body.projects).toEqual([
      {
        id: sparse.projectId,
        project_string_id: 'all-removed',
        name: 'All removed',
        default_directory_id: null,
        my_role: 'admin',
      },
      {
        id: demo.projectId,
        project_string_id: 'demo',
        name: demo.name,
        default_directory_id: demo.defaultDirectoryId,
        my_role: 'admin',
      },
    ]);
  });

  it('lists a member their projects with their role in each, and a bound key its one project', async () => {
    const member = await addTestAccount(database.db, {
      projects: { [demo.projectId]: 'editor', [sparse.projectId]: 'viewer' },
    });
    const bound = await addTestAccount(database.db, {
      projects: { [demo.projectId]: 'editor', [sparse.projectId]: 'viewer' },
      key: { projectId: demo.projectId, role: 'viewer' },
    });
    const listed = async (headers: Record<string, string>) =>
      projectListResponseSchema
        .parse((await app.inject({ method: 'GET', url: '/api/v1/projects', headers })).json())
        .projects.map(({ project_string_id, my_role }) => ({ project_string_id, my_role }));
    expect(await listed(member.headers)).toEqual([
      { project_string_id: 'all-removed', my_role: 'viewer' },
      { project_string_id: 'demo', my_role: 'editor' },
    ]);
    expect(await listed(bound.headers)).toEqual([{ project_string_id: 'demo', my_role: 'viewer' }]);
  });

  it('gives a project with its directories, their counts and the default directory', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/projects/demo' });
    expect(response.statusCode).toBe(200);
    const body = projectDetailResponseSchema.parse(response.json());
    expect(body.project.project_string_id).toBe('demo');
    const expected = Object.values(demo.directories)
      .map((directory) => ({
        id: directory.id,
        nickname: directory.nickname,
        file_count: directory.fileIds.length - directory.removedFileIds.length,
        completed_file_count: directory.completedFileIds.length,
      }))
      .sort((a, b) => a.nickname.localeCompare(b.nickname));
    expect(body.directories).toEqual(expected);
    expect(body.default_directory).toEqual(
      expected.find((directory) => directory.nickname === 'Luckfrill'),
    );
    // Removed files are not counted, so Luckfrill's count is below its membership.
    expect(body.default_directory?.file_count).toBeLessThan(
      demo.directories.Luckfrill?.fileIds.length ?? 0,
    );
  });

  it('counts a directory whose files are all removed as empty, and has no default when none is set', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/projects/all-removed' });
    expect(response.statusCode).toBe(200);
    const body = projectDetailResponseSchema.parse(response.json());
    expect(body.directories).toEqual([
      { id: sparse.directoryId, nickname: 'Gone', file_count: 0, completed_file_count: 0 },
    ]);
    expect(body.default_directory).toBeNull();
  });

  it("gives a project's jobs with task counts by status", async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/projects/demo/jobs' });
    expect(response.statusCode).toBe(200);
    const body = jobListResponseSchema.parse(response.json());
    const expected = Object.values(demo.jobs)
      .map((job) => {
        const counts = Object.fromEntries(taskStatuses.map((status) => [status, 0])) as TaskCounts;
        for (const task of job.tasks) counts[task.status] += 1;
        return {
          id: job.id,
          name: job.name,
          status: job.status,
          task_counts: counts,
          task_count: job.tasks.length,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(body.jobs).toEqual(expected);
  });

  it('gives a job without tasks zero counts', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/projects/all-removed/jobs' });
    const body = jobListResponseSchema.parse(response.json());
    expect(body.jobs).toEqual([
      {
        id: sparse.jobId,
        name: 'Not started',
        status: 'draft',
        task_counts: { available: 0, in_progress: 0, complete: 0, archived: 0 },
        task_count: 0,
      },
    ]);
  });

  it.each(['/api/v1/projects/no-such-project', '/api/v1/projects/no-such-project/jobs'])(
    'answers %s with a 404 that names the project',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      const body = errorEnvelopeSchema.parse(response.json());
      expect(body.error.code).toBe('not_found');
      expect(body.error.message).toContain('"no-such-project"');
    },
  );

  it('gives every demo task with its job, its file and its status', async () => {
    const filenameById = new Map(Object.entries(demo.files).map(([name, id]) => [id, name]));
    const completeFileIds = new Set(demo.completeFileIds);
    for (const job of Object.values(demo.jobs)) {
      for (const task of job.tasks) {
        const response = await app.inject({
          method: 'GET',
          url: `/api/v1/projects/demo/tasks/${String(task.id)}`,
        });
        expect(response.statusCode).toBe(200);
        expect(taskDetailResponseSchema.parse(response.json())).toEqual({
          task: {
            id: task.id,
            status: task.status,
            job: { id: job.id, name: job.name },
            file: {
              id: task.fileId,
              original_filename: filenameById.get(task.fileId),
              ann_is_complete: completeFileIds.has(task.fileId),
            },
          },
        });
      }
    }
  });

  it("keeps a task's status apart from its file's own completion", async () => {
    const job = demo.jobs['Street scenes, round 1'];
    const street03 = demo.files['street-03.jpg'];
    const task = job?.tasks.find((item) => item.fileId === street03);
    if (job === undefined || task === undefined)
      throw new Error('the demo has a task on street-03.jpg');
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/projects/demo/tasks/${String(task.id)}`,
    });
    const body = taskDetailResponseSchema.parse(response.json());
    expect(body.task.status).toBe('complete');
    expect(body.task.file).toMatchObject({
      original_filename: 'street-03.jpg',
      ann_is_complete: false,
    });
    expect(body.task.job.name).toBe('Street scenes, round 1');
  });

  it('answers a task of another project with a 404 that names the task and the project', async () => {
    const task = Object.values(demo.jobs)[0]?.tasks[0];
    if (task === undefined) throw new Error('the demo has tasks');
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/projects/all-removed/tasks/${String(task.id)}`,
    });
    expect(response.statusCode).toBe(404);
    const body = errorEnvelopeSchema.parse(response.json());
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toBe(
      `Task ${String(task.id)} in project "all-removed" was not found.`,
    );
  });

  it('answers a task id no task has with a 404 that names it', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/projects/demo/tasks/${String(maxId)}`,
    });
    expect(response.statusCode).toBe(404);
    const body = errorEnvelopeSchema.parse(response.json());
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toBe(`Task ${String(maxId)} in project "demo" was not found.`);
  });

  it('answers a task of an unknown project with a 404 that names the project', async () => {
    const task = Object.values(demo.jobs)[0]?.tasks[0];
    if (task === undefined) throw new Error('the demo has tasks');
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/projects/no-such-project/tasks/${String(task.id)}`,
    });
    expect(response.statusCode).toBe(404);
    const body = errorEnvelopeSchema.parse(response.json());
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain('Project "no-such-project"');
  });

  it.each(['0', '-1', '2.5', 'abc', String(maxId + 1)])(
    'rejects the task id %s in the envelope naming the field',
    async (id) => {
      const response = await app.inject({
        method: 'GET',
        url: `/api/v1/projects/demo/tasks/${id}`,
      });
      expect(response.statusCode).toBe(400);
      const body = errorEnvelopeSchema.parse(response.json());
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.message).toContain('params.id');
    },
  );

  it('rejects an empty project name in the envelope', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/projects/' });
    expect(response.statusCode).toBe(400);
    expect(errorEnvelopeSchema.parse(response.json()).error.code).toBe('validation_failed');
  });

  it('answers an over-long project name with the envelope naming the field', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/projects/${'p'.repeat(201)}`,
    });
    expect(response.statusCode).toBe(400);
    const body = errorEnvelopeSchema.parse(response.json());
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toContain('params.project');
  });
});

/** A second project with the edge cases the demo lacks: no default directory, only removed files, a job without tasks. */
async function seedSparseProject(
  database: TestDatabase,
): Promise<{ projectId: number; directoryId: number; jobId: number }> {
  const projectId = await addProject(database, 'all-removed', 'All removed');
  const removed = await addImages(database, projectId, 1, true, {
    state: 'removed',
    nameOf: () => 'gone.jpg',
  });
  const directoryId = await addDirectory(database, projectId, 'Gone', removed);
  const { jobId } = await addJob(database, projectId, 'Not started', [], 'draft');
  return { projectId, directoryId, jobId };
}
