import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../contract/annotations.ts';
import { errorEnvelopeSchema } from '../../contract/errors.ts';
import { maxId } from '../../contract/request-fields.ts';
import { jobTaskListResponseSchema } from '../../contract/projects.ts';
import type { JobTask } from '../../contract/projects.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { fieldsOf } from '../test-utils/api-responses.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import { addImages, addJob, addProject } from '../test-utils/test-records.ts';

// `GET /projects/:project/jobs/:id/tasks` on a project built here, so every expected task is known
// from the ids the database gave: what the listing, its paging and its two filters must return.

const api = '/api/v1/projects';

interface SeededTask {
  id: number;
  status: TaskStatus;
  fileId: number;
  filename: string;
  fileComplete: boolean;
  removed: boolean;
}

interface TasksProject {
  jobId: number;
  emptyJobId: number;
  otherProjectJobId: number;
  tasks: SeededTask[];
}

/**
 * A project `job-tasks` with one job holding a task of each kind (complete on a complete file,
 * complete on an incomplete file, complete on a removed file, …), a job without tasks, and a job
 * of another project.
 */
async function seedTasksProject(database: TestDatabase): Promise<TasksProject> {
  const projectId = await addProject(database, 'job-tasks', 'Job tasks');
  const complete = await addImages(database, projectId, 2, true, {
    nameOf: (index) => `done-${index}.jpg`,
  });
  const incomplete = await addImages(database, projectId, 2, false, {
    nameOf: (index) => `open-${index}.jpg`,
  });
  const removed = await addImages(database, projectId, 1, false, {
    state: 'removed',
    nameOf: () => 'gone.jpg',
  });
  const plan: [fileId: number, status: TaskStatus, filename: string, fileComplete: boolean][] = [
    [complete[0] ?? 0, 'complete', 'done-0.jpg', true],
    [incomplete[0] ?? 0, 'complete', 'open-0.jpg', false],
    [complete[1] ?? 0, 'available', 'done-1.jpg', true],
    [incomplete[1] ?? 0, 'in_progress', 'open-1.jpg', false],
    [removed[0] ?? 0, 'complete', 'gone.jpg', false],
    [incomplete[0] ?? 0, 'archived', 'open-0.jpg', false],
  ];
  const { jobId, taskIds } = await addJob(
    database,
    projectId,
    'Mixed',
    plan.map(([fileId, status]) => [fileId, status]),
  );
  const { jobId: emptyJobId } = await addJob(database, projectId, 'Empty', []);
  const otherProjectId = await addProject(database, 'job-tasks-other', 'Another');
  const [otherFile] = await addImages(database, otherProjectId, 1, true);
  const { jobId: otherProjectJobId } = await addJob(database, otherProjectId, 'Theirs', [
    [otherFile ?? 0, 'complete'],
  ]);
  return {
    jobId,
    emptyJobId,
    otherProjectJobId,
    tasks: plan.map(([fileId, status, filename, fileComplete], index) => ({
      id: taskIds[index] ?? 0,
      status,
      fileId,
      filename,
      fileComplete,
      removed: filename === 'gone.jpg',
    })),
  };
}

function asListed(task: SeededTask): JobTask {
  return {
    id: task.id,
    status: task.status,
    file: {
      id: task.fileId,
      original_filename: task.filename,
      type: 'image',
      ann_is_complete: task.fileComplete,
      state: task.removed ? 'removed' : 'added',
    },
  };
}

describe.each(testDialects)("a job's task list on %s", (dialect) => {
  let database: TestDatabase;
  let seeded: TasksProject;
  let app: FastifyInstance;
  let built: TestApp;

  const tasksUrl = (jobId: number, query = '') =>
    `${api}/job-tasks/jobs/${String(jobId)}/tasks${query === '' ? '' : `?${query}`}`;

  async function listPage(jobId: number, query = '') {
    const response = await app.inject({ method: 'GET', url: tasksUrl(jobId, query) });
    expect(response.statusCode).toBe(200);
    return jobTaskListResponseSchema.parse(response.json());
  }

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    seeded = await seedTasksProject(database);
    built = await createTestApp(database);
    app = built.app;
  });

  afterAll(async () => {
    await built.close();
    await database.drop();
  });

  it('gives every task of the job, lowest id first, each with its status and its file', async () => {
    const page = await listPage(seeded.jobId);
    expect(page).toEqual({
      tasks: [...seeded.tasks].sort((a, b) => a.id - b.id).map(asListed),
      next_cursor: null,
      total: seeded.tasks.length,
    });
  });

  it('pages with the cursor it hands out, the total the same on every page', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listPage(
        seeded.jobId,
        cursor === null ? 'limit=4' : `limit=4&cursor=${cursor}`,
      );
      expect(page.total).toBe(seeded.tasks.length);
      expect(page.tasks.length).toBeLessThanOrEqual(4);
      seen.push(...page.tasks.map((task) => task.id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(2);
    expect(seen).toEqual(seeded.tasks.map((task) => task.id).sort((a, b) => a - b));
  });

  it('finds the complete tasks on files not marked complete: those a completed-only export selects nothing from', async () => {
    const page = await listPage(seeded.jobId, 'status=complete&file_complete=false');
    expect(page.tasks.map((task) => task.file.original_filename)).toEqual([
      'open-0.jpg',
      'gone.jpg',
    ]);
    expect(page.total).toBe(2);
  });

  it.each([
    ['status=available', ['done-1.jpg']],
    ['status=archived', ['open-0.jpg']],
    ['file_complete=true', ['done-0.jpg', 'done-1.jpg']],
    ['status=in_progress&file_complete=true', []],
  ])('filters with %s', async (query, filenames) => {
    const page = await listPage(seeded.jobId, query);
    expect(page.tasks.map((task) => task.file.original_filename)).toEqual(filenames);
    expect(page.total).toBe(filenames.length);
  });

  it('gives a job without tasks an empty page', async () => {
    expect(await listPage(seeded.emptyJobId)).toEqual({ tasks: [], next_cursor: null, total: 0 });
  });

  it('answers a job of another project with a 404 that names the job and the project', async () => {
    const response = await app.inject({
      method: 'GET',
      url: tasksUrl(seeded.otherProjectJobId),
    });
    expect(response.statusCode).toBe(404);
    const body = errorEnvelopeSchema.parse(response.json());
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toBe(
      `Job ${String(seeded.otherProjectJobId)} in project "job-tasks" was not found.`,
    );
  });

  it('answers a job id no job has with a 404 that names it', async () => {
    const response = await app.inject({ method: 'GET', url: tasksUrl(maxId) });
    expect(response.statusCode).toBe(404);
    expect(errorEnvelopeSchema.parse(response.json()).error.message).toBe(
      `Job ${String(maxId)} in project "job-tasks" was not found.`,
    );
  });

  it('answers a job of an unknown project with a 404 that names the project', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `${api}/no-such-project/jobs/${String(seeded.jobId)}/tasks`,
    });
    expect(response.statusCode).toBe(404);
    const body = errorEnvelopeSchema.parse(response.json());
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain('Project "no-such-project"');
  });

  it.each(['0', '-1', '2.5', 'abc', String(maxId + 1)])(
    'rejects the job id %s, naming params.id',
    async (id) => {
      const response = await app.inject({
        method: 'GET',
        url: `${api}/job-tasks/jobs/${id}/tasks`,
      });
      expect(response.statusCode).toBe(400);
      expect(errorEnvelopeSchema.parse(response.json()).error.code).toBe('validation_failed');
      expect(fieldsOf(response)).toEqual(['params.id']);
    },
  );

  it('rejects an over-long project name, naming params.project', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `${api}/${'p'.repeat(201)}/jobs/${String(seeded.jobId)}/tasks`,
    });
    expect(response.statusCode).toBe(400);
    expect(fieldsOf(response)).toEqual(['params.project']);
  });

  it.each([
    ['limit=0', ['query.limit']],
    ['limit=101', ['query.limit']],
    ['limit=ten', ['query.limit']],
    ['cursor=abc', ['query.cursor']],
    [`cursor=${String(maxId + 1)}`, ['query.cursor']],
    ['status=done', ['query.status']],
    ['file_complete=yes', ['query.file_complete']],
    ['file_complete=1', ['query.file_complete']],
    ['page=2', ['query.page']],
    ['status=done&limit=0', ['query.limit', 'query.status']],
  ])('rejects the query %s, naming each bad field', async (query, fields) => {
    const response = await app.inject({ method: 'GET', url: tasksUrl(seeded.jobId, query) });
    expect(response.statusCode).toBe(400);
    expect(errorEnvelopeSchema.parse(response.json()).error.code).toBe('validation_failed');
    expect(fieldsOf(response).sort()).toEqual(fields);
  });
});
