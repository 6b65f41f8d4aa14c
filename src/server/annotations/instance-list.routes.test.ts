import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceListResponseSchema } from '../../contract/annotation-writes.ts';
import type { InstanceListResponse } from '../../contract/annotation-writes.ts';
import { countPacketInstances, filePacketSchema } from '../../contract/export-file.ts';
import { testDialects } from '../db/test-database.ts';
import { buildPackets } from '../exports/export-file-packets.ts';
import { insertAttributeGroups } from '../seed/project-writer.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import {
  createFile,
  createLabel,
  createWriteApiEnv,
  send,
  studioPath,
} from './write-api-test-env.ts';
import type { WriteApiEnv } from './write-api-test-env.ts';

// GET and PUT files/:id/instances: the list sent is the file's whole instance list. New instances
// are created, changed ones updated, equal ones kept, left-out ones soft-deleted; one counter value
// per changing PUT and none for a PUT that changes nothing. Every instance that does not fit the file
// or the project is a 422 naming its path, with nothing written.

const box = (labelId: number, x = 10) => ({
  type: 'box' as const,
  label_file_id: labelId,
  attribute_groups: null,
  x_min: x,
  y_min: 20,
  x_max: x + 30,
  y_max: 60,
});

describe.each(testDialects)('the instance list of a file on %s', (dialect) => {
  let env: WriteApiEnv;
  let car: number;
  let person: number;
  let groups: Map<string, number>;
  let templates: Map<string, Map<string, number>>;

  beforeAll(async () => {
    env = await createWriteApiEnv(dialect);
    car = (await createLabel(env, 'car')).id;
    person = (await createLabel(env, 'person')).id;
    const written = await insertAttributeGroups(
      env.database.db,
      dialect,
      env.projectId,
      [
        group('Colour', 'select', ['red', 'blue']),
        group('Tags', 'multiple_select', ['parked', 'moving']),
        { ...group('Speed', 'slider', []), min: 0, max: 100 },
        group('Note', 'text', []),
      ],
      new Map([['car', car]]),
    );
    groups = written.groupIds;
    templates = written.templateIds;
  });
  afterAll(async () => {
    await env.close();
  });

  function group(
    name: string,
    kind: 'select' | 'multiple_select' | 'slider' | 'text',
    names: string[],
  ) {
    return {
      name,
      kind,
      prompt: `${name}?`,
      labels: ['car'],
      templates: names.map((template) => ({ name: template, archived: false })),
      min: null,
      max: null,
      defaultValue: null,
      createdTime: new Date().toISOString(),
    };
  }
  const groupId = (name: string) => String(groups.get(name));
  const templateId = (groupName: string, name: string) => templates.get(groupName)?.get(name) ?? 0;

  async function put(fileId: number, instanceList: unknown[]) {
    return send(env, 'PUT', studioPath(`files/${fileId}/instances`), {
      instance_list: instanceList,
    });
  }
  async function putOk(fileId: number, instanceList: unknown[]): Promise<InstanceListResponse> {
    const response = await put(fileId, instanceList);
    expect(response.statusCode, response.body).toBe(200);
    return instanceListResponseSchema.parse(response.json());
  }
  async function get(fileId: number): Promise<InstanceListResponse> {
    const response = await send(env, 'GET', studioPath(`files/${fileId}/instances`));
    expect(response.statusCode, response.body).toBe(200);
    return instanceListResponseSchema.parse(response.json());
  }
  async function instanceRows(fileId: number) {
    return env.database.db
      .selectFrom('instance')
      .select(['id', 'soft_deleted'])
      .where('file_id', '=', fileId)
      .orderBy('id')
      .execute();
  }

  it('answers a new file with no instances', async () => {
    const file = await createFile(env);
    const listed = await get(file.id);
    expect(listed.file).toEqual(file);
    expect(listed.instance_list).toEqual([]);
    expect(listed.changes).toBeUndefined();
  });

  it('creates the instances sent, advancing the counter once and stamping the file with it', async () => {
    const file = await createFile(env);
    const before = await env.counter();
    const answer = await putOk(file.id, [box(car), box(person, 100)]);
    expect(answer.changes).toEqual({ created: 2, updated: 0, removed: 0, unchanged: 0 });
    expect(await env.counter()).toBe(before + 1);
    expect(answer.file.change_seq).toBe(before + 1);
    expect((await env.fileSeqs(file.id)).change_seq).toBe(before + 1);
    const [first, second] = answer.instance_list;
    expect(first).toEqual({ id: first?.id, ...box(car) });
    expect(second).toEqual({ id: second?.id, ...box(person, 100) });
    expect(await get(file.id)).toEqual({ file: answer.file, instance_list: answer.instance_list });
  });

  it('an unchanged PUT (the list as GET gave it) changes nothing and does not advance the counter', async () => {
    const file = await createFile(env);
    await putOk(file.id, [box(car), box(person, 100)]);
    const listed = await get(file.id);
    const before = await env.counter();
    const answer = await putOk(file.id, listed.instance_list);
    expect(answer.changes).toEqual({ created: 0, updated: 0, removed: 0, unchanged: 2 });
    expect(await env.counter()).toBe(before);
    expect(answer.file).toEqual(listed.file);
    expect(answer.instance_list).toEqual(listed.instance_list);
  });

  it('updates a changed instance, keeps an equal one, creates a new one and soft-deletes the one left out', async () => {
    const file = await createFile(env);
    const made = await putOk(file.id, [box(car), box(person, 100), box(car, 200)]);
    const [kept, changed, leftOut] = made.instance_list;
    const before = await env.counter();
    const answer = await putOk(file.id, [kept, { ...changed, x_max: 999 }, box(person, 300)]);
    expect(answer.changes).toEqual({ created: 1, updated: 1, removed: 1, unchanged: 1 });
    expect(await env.counter()).toBe(before + 1);
    expect(answer.file.change_seq).toBe(before + 1);
    expect(answer.instance_list.map((instance) => instance.id)).not.toContain(leftOut?.id);
    expect(answer.instance_list.find((instance) => instance.id === changed?.id)).toMatchObject({
      x_max: 999,
    });
    // Soft-deleted, as Diffgram keeps them: still there, marked.
    expect(await instanceRows(file.id)).toContainEqual({ id: leftOut?.id, soft_deleted: 1 });
  });

  it('soft-deletes an instance sent with removed: true, and brings it back when sent without', async () => {
    const file = await createFile(env);
    const [instance] = (await putOk(file.id, [box(car)])).instance_list;
    const removed = await putOk(file.id, [{ ...instance, removed: true }]);
    expect(removed.changes).toEqual({ created: 0, updated: 0, removed: 1, unchanged: 0 });
    expect(removed.instance_list).toEqual([]);
    expect(await instanceRows(file.id)).toEqual([{ id: instance?.id, soft_deleted: 1 }]);

    const before = await env.counter();
    const again = await putOk(file.id, [{ ...instance, removed: true }]);
    expect(again.changes).toEqual({ created: 0, updated: 0, removed: 0, unchanged: 1 });
    expect(await env.counter()).toBe(before);

    const restored = await putOk(file.id, [instance]);
    expect(restored.changes).toEqual({ created: 0, updated: 1, removed: 0, unchanged: 0 });
    expect(restored.instance_list).toEqual([instance]);
  });

  it('stores attribute answers that fit their groups, and answers them back', async () => {
    const file = await createFile(env);
    const attributes = {
      [groupId('Colour')]: templateId('Colour', 'blue'),
      [groupId('Tags')]: [templateId('Tags', 'parked'), templateId('Tags', 'moving')],
      [groupId('Speed')]: 42.5,
      [groupId('Note')]: 'dented door',
    };
    const answer = await putOk(file.id, [{ ...box(car), attribute_groups: attributes }]);
    expect(answer.instance_list[0]?.attribute_groups).toEqual(attributes);
    const again = await putOk(file.id, answer.instance_list);
    expect(again.changes?.unchanged).toBe(1);
  });

  describe('refusals', () => {
    let fileId: number;
    beforeAll(async () => {
      fileId = (await createFile(env)).id;
      await putOk(fileId, [box(car)]);
    });

    async function expectRefused(instanceList: unknown[], status: number, fields: string[]) {
      const before = await env.counter();
      const rowsBefore = await instanceRows(fileId);
      const response = await put(fileId, instanceList);
      expect(response.statusCode, response.body).toBe(status);
      expect(fieldsOf(response)).toEqual(fields);
      expect(await env.counter()).toBe(before);
      expect(await instanceRows(fileId)).toEqual(rowsBefore);
      return response;
    }

    it('answers 422 naming body.instance_list[i].id for an instance of another file', async () => {
      const other = await createFile(env);
      const [theirs] = (await putOk(other.id, [box(car)])).instance_list;
      const response = await expectRefused([box(car), { ...box(car), id: theirs?.id }], 422, [
        'body.instance_list.1.id',
      ]);
      expect(errorOf(response)).toMatchObject({ code: 'validation_failed' });
      expect(errorOf(response).message).toMatch(/is not an instance of file .*leave id out/);
    });

    it('answers 422 naming the second place an id is sent twice', async () => {
      const [stored] = (await get(fileId)).instance_list;
      await expectRefused([stored, stored], 422, ['body.instance_list.1.id']);
    });

    it('answers 422 naming label_file_id for a label that is not the project’s', async () => {
      const response = await expectRefused([box(car), box(987_654)], 422, [
        'body.instance_list.1.label_file_id',
      ]);
      expect(errorOf(response).message).toMatch(/label 987654 is not a label of this project/);
    });

    it('names every bad instance in one answer', async () => {
      await expectRefused([box(987_654), box(car), { ...box(car), id: 2_000_000_000 }], 422, [
        'body.instance_list.0.label_file_id',
        'body.instance_list.2.id',
      ]);
    });

    it.each([
      ['an unknown group', () => ({ '999999': 1 }), '999999'],
      [
        'a select answer that is not its template',
        () => ({ [groupId('Colour')]: 999_999 }),
        'Colour',
      ],
      ['a select answered with text', () => ({ [groupId('Colour')]: 'red' }), 'Colour'],
      [
        'a multiple_select answered with one id',
        () => ({ [groupId('Tags')]: templateId('Tags', 'parked') }),
        'Tags',
      ],
      [
        'a multiple_select with another group’s answer',
        () => ({ [groupId('Tags')]: [templateId('Colour', 'red')] }),
        'Tags',
      ],
      ['a slider above its maximum', () => ({ [groupId('Speed')]: 101 }), 'Speed'],
      ['a text answered with a number', () => ({ [groupId('Note')]: 3 }), 'Note'],
    ])(
      'answers 422 naming attribute_groups.<group> for %s',
      async (_case, attributes, groupName) => {
        const key = groups.has(groupName) ? groupId(groupName) : groupName;
        await expectRefused([{ ...box(car), attribute_groups: attributes() }], 422, [
          `body.instance_list.0.attribute_groups.${key}`,
        ]);
      },
    );

    it('answers 422 naming frame_number on an image', async () => {
      await expectRefused([{ ...box(car), frame_number: 3 }], 422, [
        'body.instance_list.0.frame_number',
      ]);
    });

    it('answers 422 naming type for a text_token instance on an image', async () => {
      await expectRefused(
        [
          {
            type: 'text_token',
            label_file_id: car,
            attribute_groups: null,
            start_char: 0,
            end_char: 1,
            start_token: 0,
            end_token: 0,
          },
        ],
        422,
        ['body.instance_list.0.type'],
      );
    });

    it.each([
      [{}, 'body.instance_list'],
      [{ instance_list: [{ ...box(1), x_max: undefined }] }, 'body.instance_list.0.x_max'],
      [{ instance_list: [{ ...box(1), type: 'blob' }] }, 'body.instance_list.0.type'],
      [{ instance_list: [{ ...box(1), id: '7' }] }, 'body.instance_list.0.id'],
      [{ instance_list: [{ ...box(1), x_min: 1.5 }] }, 'body.instance_list.0.x_min'],
      [{ instance_list: [{ ...box(1), colour: 'red' }] }, 'body.instance_list.0.colour'],
      [{ instance_list: [{ ...box(1), frame_number: -1 }] }, 'body.instance_list.0.frame_number'],
      [{ instance_list: [], extra: true }, 'body.extra'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const response = await send(env, 'PUT', studioPath(`files/${fileId}/instances`), body);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });

    it('answers 409 saying the file was removed', async () => {
      const file = await createFile(env);
      await send(env, 'DELETE', studioPath(`files/${file.id}`));
      const before = await env.counter();
      const response = await put(file.id, [box(car)]);
      expect(response.statusCode).toBe(409);
      expect(errorOf(response).message).toMatch(/was removed/);
      expect(await env.counter()).toBe(before);
    });

    it('answers 404 for a file that is not the project’s', async () => {
      const response = await put(2_000_000_000, []);
      expect(response.statusCode).toBe(404);
    });
  });

  describe('on a video', () => {
    let videoId: number;
    beforeAll(async () => {
      videoId = (
        await createFile(env, {
          type: 'video',
          original_filename: 'drive.mp4',
          frame_count: 10,
          frame_rate: 25,
        })
      ).id;
    });

    const onFrame = (frame: number, extra: Record<string, unknown> = {}) => ({
      ...box(car, frame * 10),
      frame_number: frame,
      ...extra,
    });

    it('puts instances on frames and in sequences (made per label and number), answered with the frame fields', async () => {
      const answer = await putOk(videoId, [
        onFrame(0, { number: 1, local_sequence_number: 0 }),
        onFrame(1, { number: 1, local_sequence_number: 1, interpolated: true }),
        onFrame(4, { number: 1, local_sequence_number: 2 }),
        onFrame(2),
        box(car),
      ]);
      expect(answer.changes?.created).toBe(5);
      const sequences = await env.database.db
        .selectFrom('sequence')
        .select(['id', 'label_id', 'number', 'keyframe_list', 'single_frame'])
        .where('file_id', '=', videoId)
        .execute();
      expect(sequences).toEqual([
        {
          id: sequences[0]?.id,
          label_id: car,
          number: 1,
          keyframe_list: '[0,4]',
          single_frame: 0,
        },
      ]);
      const [first, second, third, loose, whole] = answer.instance_list;
      expect(first).toMatchObject({
        frame_number: 0,
        global_frame_number: 0,
        number: 1,
        local_sequence_number: 0,
        interpolated: false,
      });
      expect(second).toMatchObject({ frame_number: 1, number: 1, interpolated: true });
      expect(third).toMatchObject({ frame_number: 4, number: 1, local_sequence_number: 2 });
      expect(loose).toMatchObject({ frame_number: 2, number: null, local_sequence_number: null });
      expect(whole).not.toHaveProperty('frame_number');

      const before = await env.counter();
      const again = await putOk(videoId, answer.instance_list);
      expect(again.changes).toEqual({ created: 0, updated: 0, removed: 0, unchanged: 5 });
      expect(await env.counter()).toBe(before);
    });

    it('moves an instance to another sequence when its number changes', async () => {
      const listed = await get(videoId);
      const moved = listed.instance_list.map((instance) =>
        instance.frame_number === 4 ? { ...instance, number: 2 } : instance,
      );
      const answer = await putOk(videoId, moved);
      expect(answer.changes).toMatchObject({ updated: 1, unchanged: 4 });
      expect(answer.instance_list.find((instance) => instance.frame_number === 4)).toMatchObject({
        number: 2,
      });
    });

    it('answers 422 naming frame_number for a frame past the video’s end', async () => {
      const response = await put(videoId, [onFrame(10)]);
      expect(response.statusCode).toBe(422);
      expect(fieldsOf(response)).toEqual(['body.instance_list.0.frame_number']);
      expect(errorOf(response).message).toMatch(/past the video's last frame \(9/);
    });

    // Stored in 32-bit integer columns: beyond them PostgreSQL would refuse the insert (a 500).
    it.each([
      [{ number: 3_000_000_000 }, 'body.instance_list.0.number'],
      [
        { number: 1, local_sequence_number: 3_000_000_000 },
        'body.instance_list.0.local_sequence_number',
      ],
    ])('refuses %j on a frame with a 400 naming %s', async (extra, field) => {
      const response = await put(videoId, [onFrame(1, extra)]);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    });

    it('answers 422 naming number for a sequence without a frame', async () => {
      const response = await put(videoId, [{ ...box(car), number: 3 }]);
      expect(response.statusCode).toBe(422);
      expect(fieldsOf(response)).toEqual(['body.instance_list.0.number']);
    });
  });

  describe('on a text', () => {
    let textId: number;
    beforeAll(async () => {
      textId = (
        await createFile(env, {
          type: 'text',
          width: undefined,
          height: undefined,
          text: 'The cat sat.',
        })
      ).id;
    });
    const span = (extra: Record<string, unknown> = {}) => ({
      type: 'text_token',
      label_file_id: car,
      attribute_groups: null,
      start_char: 4,
      end_char: 7,
      start_token: 1,
      end_token: 1,
      ...extra,
    });

    it('stores text_token instances within the tokens', async () => {
      const answer = await putOk(textId, [span()]);
      expect(answer.instance_list).toEqual([{ id: answer.instance_list[0]?.id, ...span() }]);
    });

    it.each([
      [{ end_token: 3 }, 'end_token'],
      [{ start_token: -1 }, 'start_token'],
      [{ end_char: 13 }, 'end_char'],
      [{ start_token: 2, end_token: 1 }, 'end_token'],
    ])('answers 422 naming the field for a span %j outside the tokens', async (extra, field) => {
      const response = await put(textId, [span(extra)]);
      expect(response.statusCode).toBe(422);
      expect(fieldsOf(response)).toEqual([`body.instance_list.0.${field}`]);
    });

    it('answers 422 naming type for a box on a text', async () => {
      const response = await put(textId, [box(car)]);
      expect(response.statusCode).toBe(422);
      expect(fieldsOf(response)).toEqual(['body.instance_list.0.type']);
    });
  });

  it('stores what an export writes as valid packets (every file written above, removed instances included)', async () => {
    const files = await env.database.db
      .selectFrom('file')
      .selectAll()
      .where('project_id', '=', env.projectId)
      .where('state', '=', 'added')
      .orderBy('id')
      .execute();
    const packets = await buildPackets(env.database, files, true, (url) => ({
      url,
      expiry: 2_000_000_000,
    }));
    expect(new Set(packets.map(({ packet }) => packet.file.type))).toEqual(
      new Set(['image', 'video', 'text']),
    );
    for (const { packet, instanceCount } of packets) {
      expect(() => filePacketSchema.parse(packet)).not.toThrow();
      expect(countPacketInstances(packet)).toBe(instanceCount);
    }
  });
});
