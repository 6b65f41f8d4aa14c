import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fileResponseSchema,
  instanceListResponseSchema,
  jobResponseSchema,
  labelListResponseSchema,
  labelResponseSchema,
  taskResponseSchema,
} from '../../contract/annotation-writes.ts';
import type { FileRecord, JobResponse } from '../../contract/annotation-writes.ts';
import type { TaskStatus } from '../../contract/annotations.ts';
import { testDialects } from '../db/test-database.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { addProject } from '../test-utils/test-records.ts';
import {
  createFile,
  createLabel,
  createWriteApiEnv,
  send,
  studioPath,
} from './write-api-test-env.ts';
import type { WriteApiEnv } from './write-api-test-env.ts';

// Labels, jobs and tasks of the write API, and the platform's rules between tasks and a file's
// completion (task-completion.ts), each rule with its own test named after it.

describe.each(testDialects)('labels, jobs and tasks of the write API on %s', (dialect) => {
  let env: WriteApiEnv;
  let jobCount = 0;

  beforeAll(async () => {
    env = await createWriteApiEnv(dialect);
  });
  afterAll(async () => {
    await env.close();
  });

  async function createJob(body: Record<string, unknown>): Promise<JobResponse> {
    jobCount += 1;
    const response = await send(env, 'POST', studioPath('jobs'), {
      name: `Job ${jobCount}`,
      ...body,
    });
    expect(response.statusCode, response.body).toBe(201);
    return jobResponseSchema.parse(response.json());
  }
  async function tasksOf(jobId: number) {
    return env.database.db
      .selectFrom('task')
      .select(['id', 'file_id', 'status', 'created_seq'])
      .where('job_id', '=', jobId)
      .orderBy('id')
      .execute();
  }
  async function taskIdOf(jobId: number, fileId: number): Promise<number> {
    const task = (await tasksOf(jobId)).find((row) => row.file_id === fileId);
    if (task === undefined) throw new Error(`no task of job ${jobId} on file ${fileId}`);
    return task.id;
  }
  async function moveTask(taskId: number, status: TaskStatus) {
    const response = await send(env, 'PATCH', studioPath(`tasks/${taskId}`), { status });
    expect(response.statusCode, response.body).toBe(200);
    return taskResponseSchema.parse(response.json()).task;
  }
  async function fileOf(fileId: number): Promise<FileRecord> {
    const response = await send(env, 'GET', studioPath(`files/${fileId}`));
    return fileResponseSchema.parse(response.json()).file;
  }

  describe('labels', () => {
    it('makes labels (201), picking a colour when none is given, and lists them by id', async () => {
      const made = await send(env, 'POST', studioPath('labels'), { name: 'tree' });
      expect(made.statusCode).toBe(201);
      const tree = labelResponseSchema.parse(made.json()).label;
      expect(tree.colour_hex).toMatch(/^#[0-9a-f]{6}$/);
      const sign = labelResponseSchema.parse(
        (
          await send(env, 'POST', studioPath('labels'), { name: 'sign', colour_hex: '#A0B0C0' })
        ).json(),
      ).label;
      expect(sign).toMatchObject({ name: 'sign', colour_hex: '#a0b0c0' });
      const listed = labelListResponseSchema.parse(
        (await send(env, 'GET', studioPath('labels'))).json(),
      ).labels;
      expect(listed.slice(-2)).toEqual([tree, sign]);
    });

    it('answers 409 saying the label name is taken', async () => {
      const bus = await createLabel(env, 'bus');
      const response = await send(env, 'POST', studioPath('labels'), { name: 'bus' });
      expect(response.statusCode).toBe(409);
      expect(errorOf(response)).toMatchObject({
        code: 'conflict',
        details: { field: 'body.name', id: bus.id },
      });
    });

    it('does not advance the change counter (a label changes no file)', async () => {
      const before = await env.counter();
      await createLabel(env, 'lamp');
      expect(await env.counter()).toBe(before);
    });

    it.each([
      [{}, 'body.name'],
      [{ name: '' }, 'body.name'],
      [{ name: 'x', colour_hex: 'red' }, 'body.colour_hex'],
      [{ name: 'x', colour_hex: '#12345' }, 'body.colour_hex'],
      [{ name: 'x', shape: 'box' }, 'body.shape'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await send(env, 'POST', studioPath('labels'), body);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });
  });

  describe('POST jobs', () => {
    it('makes an active job with one available task per file, advancing the counter once and stamping every file', async () => {
      const files = [await createFile(env), await createFile(env)];
      const label = await createLabel(env, 'for-job');
      const before = await env.counter();
      const { job, files_completion_reset: reset } = await createJob({
        file_ids: files.map((file) => file.id),
        label_ids: [label.id],
      });
      expect(job).toMatchObject({
        status: 'active',
        task_count: 2,
        task_counts: { available: 2, in_progress: 0, complete: 0, archived: 0 },
      });
      expect(reset).toBe(0);
      expect(await env.counter()).toBe(before + 1);
      const tasks = await tasksOf(job.id);
      expect(tasks.map((task) => [task.file_id, task.status, task.created_seq])).toEqual(
        files.map((file) => [file.id, 'available', before + 1]),
      );
      for (const file of files) expect((await env.fileSeqs(file.id)).change_seq).toBe(before + 1);
      const schema = await env.database.db
        .selectFrom('job')
        .select('label_schema')
        .where('id', '=', job.id)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(schema.label_schema)).toEqual([label.id]);
    });

    it('makes a task for every file of a directory that is not removed', async () => {
      const directory = 'Job directory';
      const kept = await createFile(env, { directory });
      const gone = await createFile(env, { directory });
      await send(env, 'DELETE', studioPath(`files/${gone.id}`));
      const { job } = await createJob({ directory_id: kept.directory_ids[0] });
      expect((await tasksOf(job.id)).map((task) => task.file_id)).toEqual([kept.id]);
    });

    it('advances nothing for a directory with no files', async () => {
      const made = await send(env, 'POST', studioPath('directories'), {
        nickname: 'Empty for jobs',
      });
      const before = await env.counter();
      const { job } = await createJob({
        directory_id: made.json<{ directory: { id: number } }>().directory.id,
      });
      expect(job.task_count).toBe(0);
      expect(await env.counter()).toBe(before);
    });

    it('answers 409 saying the job name is taken', async () => {
      const file = await createFile(env);
      await send(env, 'POST', studioPath('jobs'), { name: 'Taken', file_ids: [file.id] });
      const response = await send(env, 'POST', studioPath('jobs'), {
        name: 'Taken',
        file_ids: [file.id],
      });
      expect(response.statusCode).toBe(409);
      expect(errorOf(response).details).toMatchObject({ field: 'body.name' });
    });

    it('answers 422 naming each file that is not the project’s, removed or listed twice, writing nothing', async () => {
      const file = await createFile(env);
      const removed = await createFile(env);
      await send(env, 'DELETE', studioPath(`files/${removed.id}`));
      const before = await env.counter();
      const response = await send(env, 'POST', studioPath('jobs'), {
        name: 'Refused files',
        file_ids: [file.id, 2_000_000_000, removed.id, file.id],
      });
      expect(response.statusCode).toBe(422);
      expect(fieldsOf(response)).toEqual(['body.file_ids.1', 'body.file_ids.2', 'body.file_ids.3']);
      expect(errorOf(response).message).toMatch(/file 2000000000 is not a file of this project/);
      expect(errorOf(response).message).toMatch(/was removed/);
      expect(await env.counter()).toBe(before);
      const jobs = await env.database.db
        .selectFrom('job')
        .select('id')
        .where('name', '=', 'Refused files')
        .execute();
      expect(jobs).toEqual([]);
    });

    it('answers 422 naming body.label_ids.<i> for a label that is not the project’s', async () => {
      const file = await createFile(env);
      const response = await send(env, 'POST', studioPath('jobs'), {
        name: 'Bad labels',
        file_ids: [file.id],
        label_ids: [2_000_000_000],
      });
      expect(response.statusCode).toBe(422);
      expect(fieldsOf(response)).toEqual(['body.label_ids.0']);
    });

    it('answers 422 naming body.directory_id for a directory of another project', async () => {
      const otherId = await addProject(env.database, 'jobs-other', 'Other');
      const { id } = await env.database.db
        .insertInto('directory')
        .values({ project_id: otherId, nickname: 'Theirs', created_time: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      const response = await send(env, 'POST', studioPath('jobs'), {
        name: 'Other directory',
        directory_id: id,
      });
      expect(response.statusCode).toBe(422);
      expect(fieldsOf(response)).toEqual(['body.directory_id']);
    });

    it.each([
      [{ name: 'A' }, 'body.directory_id'],
      [{ name: 'A', directory_id: 1, file_ids: [1] }, 'body.directory_id'],
      [{ name: 'A', file_ids: [] }, 'body.file_ids'],
      [{ name: 'A', file_ids: [0] }, 'body.file_ids.0'],
      [{ name: '', file_ids: [1] }, 'body.name'],
      [{ name: 'A', file_ids: [1], label_ids: ['1'] }, 'body.label_ids.0'],
      [{ name: 'A', file_ids: [1], status: 'active' }, 'body.status'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await send(env, 'POST', studioPath('jobs'), body);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });
  });

  describe('PATCH tasks/:id', () => {
    it('moves the task, advancing the counter once and stamping its file; the same status again changes nothing', async () => {
      const file = await createFile(env);
      const { job } = await createJob({ file_ids: [file.id] });
      const taskId = await taskIdOf(job.id, file.id);
      const before = await env.counter();
      const task = await moveTask(taskId, 'in_progress');
      expect(task).toMatchObject({
        id: taskId,
        status: 'in_progress',
        job: { id: job.id },
        file: { id: file.id, ann_is_complete: false },
      });
      expect(await env.counter()).toBe(before + 1);
      expect((await env.fileSeqs(file.id)).change_seq).toBe(before + 1);

      await moveTask(taskId, 'in_progress');
      expect(await env.counter()).toBe(before + 1);
    });

    it('answers 404 for a task of another project, as for one that does not exist', async () => {
      const response = await send(env, 'PATCH', studioPath('tasks/2000000000'), {
        status: 'complete',
      });
      expect(response.statusCode).toBe(404);
      expect(errorOf(response).message).toBe('Task 2000000000 in project "studio" was not found.');
    });

    it.each([
      [{ status: 'done' }, 'body.status'],
      [{}, 'body.status'],
      [{ status: 'complete', file_id: 1 }, 'body.file_id'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await send(env, 'PATCH', studioPath('tasks/1'), body);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });
  });

  describe('the platform’s rules', () => {
    it('when every task of a file that is not archived is complete, the file is complete', async () => {
      const file = await createFile(env);
      const first = await createJob({ file_ids: [file.id] });
      const second = await createJob({ file_ids: [file.id] });
      const third = await createJob({ file_ids: [file.id] });
      await moveTask(await taskIdOf(third.job.id, file.id), 'archived');

      const firstTask = await moveTask(await taskIdOf(first.job.id, file.id), 'complete');
      expect(firstTask.file.ann_is_complete).toBe(false);
      const before = await env.counter();
      const secondTask = await moveTask(await taskIdOf(second.job.id, file.id), 'complete');
      expect(secondTask.file.ann_is_complete).toBe(true);
      const now = await fileOf(file.id);
      expect(now).toMatchObject({ ann_is_complete: true, change_seq: before + 1 });
      expect(await env.counter()).toBe(before + 1);
    });

    it('when a task of a complete file leaves complete, the file is no longer complete', async () => {
      const file = await createFile(env);
      const { job } = await createJob({ file_ids: [file.id] });
      const taskId = await taskIdOf(job.id, file.id);
      expect((await moveTask(taskId, 'complete')).file.ann_is_complete).toBe(true);
      const before = await env.counter();
      expect((await moveTask(taskId, 'in_progress')).file.ann_is_complete).toBe(false);
      expect(await fileOf(file.id)).toMatchObject({
        ann_is_complete: false,
        change_seq: before + 1,
      });
    });

    it('a file marked complete by hand stays complete while its open tasks move between open statuses', async () => {
      const file = await createFile(env);
      const { job } = await createJob({ file_ids: [file.id] });
      await send(env, 'PATCH', studioPath(`files/${file.id}`), { ann_is_complete: true });
      const task = await moveTask(await taskIdOf(job.id, file.id), 'in_progress');
      expect(task.file.ann_is_complete).toBe(true);
    });

    it('creating a new task for a file that is complete resets the file’s completion', async () => {
      const complete = await createFile(env, { ann_is_complete: true });
      const open = await createFile(env);
      const before = await env.counter();
      const { files_completion_reset: reset } = await createJob({
        file_ids: [complete.id, open.id],
      });
      expect(reset).toBe(1);
      expect(await fileOf(complete.id)).toMatchObject({
        ann_is_complete: false,
        change_seq: before + 1,
      });
      expect((await fileOf(open.id)).ann_is_complete).toBe(false);
    });

    it('completion never locks a file', async () => {
      const file = await createFile(env, { ann_is_complete: true });
      const label = await createLabel(env, 'unlocked');
      const before = await env.counter();
      const put = await send(env, 'PUT', studioPath(`files/${file.id}/instances`), {
        instance_list: [
          {
            type: 'point',
            label_file_id: label.id,
            attribute_groups: null,
            points: [{ x: 1, y: 2 }],
          },
        ],
      });
      expect(put.statusCode, put.body).toBe(200);
      const answer = instanceListResponseSchema.parse(put.json());
      expect(answer.changes?.created).toBe(1);
      expect(answer.file).toMatchObject({ ann_is_complete: true, change_seq: before + 1 });
      const renamed = await send(env, 'PATCH', studioPath(`files/${file.id}`), {
        original_filename: 'still-editable.jpg',
      });
      expect(renamed.statusCode).toBe(200);
      expect(fileResponseSchema.parse(renamed.json()).file).toMatchObject({
        ann_is_complete: true,
        original_filename: 'still-editable.jpg',
      });
    });
  });
});
