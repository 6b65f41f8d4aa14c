import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryResponseSchema, fileResponseSchema } from '../../contract/annotation-writes.ts';
import { testDialects } from '../db/test-database.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { addProject } from '../test-utils/test-records.ts';
import { createFile, createWriteApiEnv, send, studioPath } from './write-api-test-env.ts';
import type { WriteApiEnv } from './write-api-test-env.ts';

// The write API's directories and files: POST directories, POST files (into a directory by id, by
// name, or the default one; image, video and text), GET, PATCH and DELETE a file. Every write that
// changes a file advances the project's change counter once and stamps the file with the new value;
// every write that changes nothing leaves both alone.

describe.each(testDialects)('directories and files of the write API on %s', (dialect) => {
  let env: WriteApiEnv;

  beforeAll(async () => {
    env = await createWriteApiEnv(dialect);
  });
  afterAll(async () => {
    await env.close();
  });

  describe('POST directories', () => {
    it('makes an empty directory (201) without advancing the change counter', async () => {
      const before = await env.counter();
      const response = await send(env, 'POST', studioPath('directories'), { nickname: 'Batch 1' });
      expect(response.statusCode).toBe(201);
      const { directory } = directoryResponseSchema.parse(response.json());
      expect(directory).toMatchObject({
        nickname: 'Batch 1',
        file_count: 0,
        completed_file_count: 0,
      });
      expect(await env.counter()).toBe(before);
    });

    it('answers 409 saying the nickname is taken', async () => {
      const response = await send(env, 'POST', studioPath('directories'), { nickname: 'Inbox' });
      expect(response.statusCode).toBe(409);
      expect(errorOf(response)).toMatchObject({
        code: 'conflict',
        details: { field: 'body.nickname', id: env.inboxId },
      });
      expect(errorOf(response).message).toMatch(/"Inbox" already exists/);
    });

    it.each([
      [{}, 'body.nickname'],
      [{ nickname: '' }, 'body.nickname'],
      [{ nickname: 'a\u0000b' }, 'body.nickname'],
      [{ nickname: 'x', colour: 'red' }, 'body.colour'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await send(env, 'POST', studioPath('directories'), body);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });
  });

  describe('POST files', () => {
    it('makes an image in the default directory, stamped created_seq = change_seq = a new counter value', async () => {
      const before = await env.counter();
      const response = await send(env, 'POST', studioPath('files'), {
        type: 'image',
        original_filename: 'cat.jpg',
        media_url: 'https://media.example.com/cat.jpg',
        width: 800,
        height: 600,
      });
      expect(response.statusCode).toBe(201);
      const { file } = fileResponseSchema.parse(response.json());
      expect(file).toMatchObject({
        type: 'image',
        original_filename: 'cat.jpg',
        width: 800,
        height: 600,
        frame_count: null,
        token_count: null,
        ann_is_complete: false,
        state: 'added',
        directory_ids: [env.inboxId],
        change_seq: before + 1,
      });
      expect(await env.counter()).toBe(before + 1);
      expect(await env.fileSeqs(file.id)).toEqual({
        change_seq: before + 1,
        created_seq: before + 1,
      });
      const membership = await env.database.db
        .selectFrom('directory_file')
        .select('added_seq')
        .where('file_id', '=', file.id)
        .executeTakeFirstOrThrow();
      expect(membership.added_seq).toBe(before + 1);
    });

    it('makes a video with its frame count and rate, starting at global frame 0', async () => {
      const file = await createFile(env, {
        type: 'video',
        original_filename: 'drive.mp4',
        frame_count: 120,
        frame_rate: 30,
      });
      expect(file).toMatchObject({ type: 'video', frame_count: 120, frame_rate: 30 });
      const row = await env.database.db
        .selectFrom('file')
        .select('global_frame_start')
        .where('id', '=', file.id)
        .executeTakeFirstOrThrow();
      expect(row.global_frame_start).toBe(0);
    });

    it('makes a text file split into tokens at whitespace', async () => {
      const file = await createFile(env, {
        type: 'text',
        original_filename: 'note.txt',
        media_url: 'https://media.example.com/note.txt',
        width: undefined,
        height: undefined,
        text: ' The cat\nsat. ',
      });
      expect(file.token_count).toBe(3);
      const row = await env.database.db
        .selectFrom('file')
        .select('text_tokens')
        .where('id', '=', file.id)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(row.text_tokens ?? 'null')).toEqual([
        { id: 0, text: 'The', start_char: 1, end_char: 4 },
        { id: 1, text: 'cat', start_char: 5, end_char: 8 },
        { id: 2, text: 'sat.', start_char: 9, end_char: 13 },
      ]);
    });

    it('takes a text larger than the 1 MiB other bodies are held to', async () => {
      // Long words: the body passes 1 MiB while the tokens stay few.
      const words = `${'w'.repeat(999)} `.repeat(1_500);
      const file = await createFile(env, {
        type: 'text',
        width: undefined,
        height: undefined,
        text: words,
      });
      expect(file.token_count).toBe(1_500);
    });

    it('puts the file in a directory named by id', async () => {
      const made = await send(env, 'POST', studioPath('directories'), { nickname: 'By id' });
      const { directory } = directoryResponseSchema.parse(made.json());
      const file = await createFile(env, { directory_id: directory.id });
      expect(file.directory_ids).toEqual([directory.id]);
    });

    it('puts the file in a directory named by name, making it when missing', async () => {
      const first = await createFile(env, { directory: 'Made on the fly' });
      const second = await createFile(env, { directory: 'Made on the fly' });
      expect(first.directory_ids).toHaveLength(1);
      expect(second.directory_ids).toEqual(first.directory_ids);
      const directories = await env.database.db
        .selectFrom('directory')
        .select('file_count')
        .where('nickname', '=', 'Made on the fly')
        .execute();
      expect(directories).toEqual([{ file_count: 2 }]);
    });

    it('answers 409 saying to name a directory when the project has no default one', async () => {
      await addProject(env.database, 'bare', 'Bare');
      const response = await send(env, 'POST', studioPath('files', 'bare'), {
        type: 'image',
        original_filename: 'a.jpg',
        media_url: 'https://media.example.com/a.jpg',
      });
      expect(response.statusCode).toBe(409);
      expect(errorOf(response).message).toMatch(/no default directory.*directory_id/);
    });

    it('answers 422 naming body.directory_id for a directory of another project', async () => {
      const otherId = await addProject(env.database, 'elsewhere', 'Elsewhere');
      const { id } = await env.database.db
        .insertInto('directory')
        .values({ project_id: otherId, nickname: 'Theirs', created_time: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      const before = await env.counter();
      const response = await send(env, 'POST', studioPath('files'), {
        type: 'image',
        original_filename: 'a.jpg',
        media_url: 'https://media.example.com/a.jpg',
        directory_id: id,
      });
      expect(response.statusCode).toBe(422);
      expect(fieldsOf(response)).toEqual(['body.directory_id']);
      expect(await env.counter()).toBe(before);
    });

    const image = {
      type: 'image',
      original_filename: 'a.jpg',
      media_url: 'https://m.example/a.jpg',
    };
    it.each([
      [{ ...image, type: 'audio' }, 'body.type'],
      [{ ...image, media_url: 'not a url' }, 'body.media_url'],
      [{ ...image, original_filename: '' }, 'body.original_filename'],
      [{ ...image, width: 0 }, 'body.width'],
      [{ ...image, frame_count: 10 }, 'body.frame_count'],
      [{ ...image, text: 'words' }, 'body.text'],
      [{ ...image, directory: 'A', directory_id: 1 }, 'body.directory'],
      [{ ...image, type: 'text' }, 'body.text'],
      [{ ...image, type: 'video', frame_rate: 0 }, 'body.frame_rate'],
      [{ ...image, rotation_degrees: 45 }, 'body.rotation_degrees'],
      [{ ...image, owner: 'me' }, 'body.owner'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await send(env, 'POST', studioPath('files'), body);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });
  });

  describe('GET files/:id', () => {
    it('answers the file', async () => {
      const file = await createFile(env);
      const response = await send(env, 'GET', studioPath(`files/${file.id}`));
      expect(response.statusCode).toBe(200);
      expect(fileResponseSchema.parse(response.json()).file).toEqual(file);
    });

    it('answers 404 for a file of another project, as for one that does not exist', async () => {
      const otherId = await addProject(env.database, 'other-files', 'Other');
      const { id } = await env.database.db
        .insertInto('file')
        .values({
          project_id: otherId,
          type: 'image',
          original_filename: 'theirs.jpg',
          media_url: 'https://m.example/theirs.jpg',
          ann_is_complete: 0,
          state: 'added',
          created_time: new Date().toISOString(),
          last_modified_time: new Date().toISOString(),
          width: null,
          height: null,
          rotation_degrees: null,
          frame_rate: null,
          frame_count: null,
          original_fps: null,
          fps_conversion_ratio: null,
          offset_in_seconds: null,
          global_frame_start: null,
          parent_file_id: null,
          text_tokens: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const response = await send(
          env,
          method,
          studioPath(`files/${id}`),
          method === 'PATCH' ? { ann_is_complete: true } : undefined,
        );
        expect(response.statusCode).toBe(404);
        expect(errorOf(response).message).toBe(`File ${id} in project "studio" was not found.`);
      }
    });

    it('refuses an id that is not digits with a 400 naming params.id', async () => {
      const response = await send(env, 'GET', studioPath('files/1e0'));
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toEqual(['params.id']);
    });
  });

  describe('PATCH files/:id', () => {
    it('changes completion, media, name and size, advancing the counter once and stamping the file', async () => {
      const file = await createFile(env);
      const before = await env.counter();
      const response = await send(env, 'PATCH', studioPath(`files/${file.id}`), {
        ann_is_complete: true,
        media_url: 'https://media.example.com/moved.jpg',
        original_filename: 'renamed.jpg',
        width: 1024,
        height: 768,
      });
      expect(response.statusCode).toBe(200);
      expect(fileResponseSchema.parse(response.json()).file).toMatchObject({
        ann_is_complete: true,
        media_url: 'https://media.example.com/moved.jpg',
        original_filename: 'renamed.jpg',
        width: 1024,
        height: 768,
        change_seq: before + 1,
      });
      expect(await env.counter()).toBe(before + 1);
      expect((await env.fileSeqs(file.id)).change_seq).toBe(before + 1);
    });

    it('gives writes sent at once a counter value each, in the order they committed', async () => {
      const files = await Promise.all([1, 2, 3, 4, 5].map(() => createFile(env)));
      const before = await env.counter();
      const answers = await Promise.all(
        files.map((file) =>
          send(env, 'PATCH', studioPath(`files/${file.id}`), { ann_is_complete: true }),
        ),
      );
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200]);
      const seqs = answers.map((answer) => fileResponseSchema.parse(answer.json()).file.change_seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5].map((n) => before + n));
      expect(await env.counter()).toBe(before + 5);
    });

    it('changes nothing, not even the counter, when every value is the one stored', async () => {
      const file = await createFile(env);
      const before = await env.counter();
      const response = await send(env, 'PATCH', studioPath(`files/${file.id}`), {
        ann_is_complete: file.ann_is_complete,
        media_url: file.media_url,
      });
      expect(response.statusCode).toBe(200);
      expect(fileResponseSchema.parse(response.json()).file).toEqual(file);
      expect(await env.counter()).toBe(before);
    });

    it('answers 422 naming body.width for a text file', async () => {
      const file = await createFile(env, {
        type: 'text',
        width: undefined,
        height: undefined,
        text: 'a b',
      });
      const response = await send(env, 'PATCH', studioPath(`files/${file.id}`), { width: 10 });
      expect(response.statusCode).toBe(422);
      expect(fieldsOf(response)).toEqual(['body.width']);
    });

    it.each([
      [{}, 'body'],
      [{ ann_is_complete: 'yes' }, 'body.ann_is_complete'],
      [{ media_url: 'nope' }, 'body.media_url'],
      [{ height: -1 }, 'body.height'],
      [{ state: 'removed' }, 'body.state'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const file = await createFile(env);
      const response = await send(env, 'PATCH', studioPath(`files/${file.id}`), body);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });

    it('answers 409 saying the file was removed', async () => {
      const file = await createFile(env);
      await send(env, 'DELETE', studioPath(`files/${file.id}`));
      const response = await send(env, 'PATCH', studioPath(`files/${file.id}`), {
        ann_is_complete: true,
      });
      expect(response.statusCode).toBe(409);
      expect(errorOf(response).message).toMatch(/was removed/);
    });
  });

  describe('DELETE files/:id', () => {
    it('removes the file (200, state removed), advancing the counter and stamping it; again changes nothing', async () => {
      const file = await createFile(env);
      const before = await env.counter();
      const first = await send(env, 'DELETE', studioPath(`files/${file.id}`));
      expect(first.statusCode).toBe(200);
      expect(fileResponseSchema.parse(first.json()).file).toMatchObject({
        state: 'removed',
        change_seq: before + 1,
      });
      expect(await env.counter()).toBe(before + 1);
      expect((await env.fileSeqs(file.id)).change_seq).toBe(before + 1);

      const again = await send(env, 'DELETE', studioPath(`files/${file.id}`));
      expect(again.statusCode).toBe(200);
      expect(fileResponseSchema.parse(again.json()).file).toMatchObject({
        state: 'removed',
        change_seq: before + 1,
      });
      expect(await env.counter()).toBe(before + 1);
    });

    it('takes the file out of its directory counts', async () => {
      const made = await send(env, 'POST', studioPath('directories'), { nickname: 'Counted' });
      const { directory } = directoryResponseSchema.parse(made.json());
      const file = await createFile(env, { directory_id: directory.id });
      await send(env, 'DELETE', studioPath(`files/${file.id}`));
      const row = await env.database.db
        .selectFrom('directory')
        .select('file_count')
        .where('id', '=', directory.id)
        .executeTakeFirstOrThrow();
      expect(row.file_count).toBe(0);
    });
  });
});
