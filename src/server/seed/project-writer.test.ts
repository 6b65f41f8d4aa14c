import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import type { NewFile } from '../db/schema.ts';
import { imageFileValues } from '../test-utils/test-records.ts';
import {
  insertAttributeGroups,
  insertFiles,
  insertJobs,
  insertLabels,
  insertProject,
  insertSequences,
  insertTasks,
  seedClock,
} from './project-writer.ts';
import type { WrittenProject } from './project-writer.ts';

const time = seedClock('2025-01-01T00:00:00.000Z', 1000);

function fileRow(projectId: number, name: string): NewFile {
  return imageFileValues(projectId, name, {
    width: 10,
    height: 10,
    ann_is_complete: 0,
    created_time: time(0),
    last_modified_time: time(0),
  });
}

describe('seedClock', () => {
  it('counts units from its base', () => {
    expect(seedClock('2024-03-04T08:00:00.000Z', 60_000)(90)).toBe('2024-03-04T09:30:00.000Z');
  });
});

describe.each(testDialects)('the project writer on %s', (dialect) => {
  let database: TestDatabase;
  let project: WrittenProject;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    project = await insertProject(database.db, {
      projectStringId: 'writer',
      name: 'Writer test',
      createdTime: time(0),
      directories: [
        { nickname: 'First', createdTime: time(1) },
        { nickname: 'Home', createdTime: time(2) },
      ],
      defaultDirectory: 'Home',
      whenTaken: 'pick another.',
    });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('points the project at its default directory', async () => {
    const row = await database.db
      .selectFrom('project')
      .selectAll()
      .where('id', '=', project.projectId)
      .executeTakeFirstOrThrow();
    expect(row.default_directory_id).toBe(project.defaultDirectoryId);
    expect(project.directoryIds.get('Home')).toBe(project.defaultDirectoryId);
    expect(project.directoryIds.get('First')).not.toBe(project.defaultDirectoryId);
  });

  it('refuses a taken project_string_id, says what to do, and writes nothing', async () => {
    await expect(
      insertProject(database.db, {
        projectStringId: 'writer',
        name: 'Again',
        createdTime: time(0),
        directories: [{ nickname: 'Other', createdTime: time(1) }],
        defaultDirectory: 'Other',
        whenTaken: 'pick another.',
      }),
    ).rejects.toThrow(`A project "writer" already exists (id ${project.projectId}); pick another.`);
    const directories = await database.db.selectFrom('directory').select('nickname').execute();
    expect(directories.map((row) => row.nickname).sort()).toEqual(['First', 'Home']);
  });

  it('writes attribute groups with their templates, archived flags and labels', async () => {
    const labelIds = await insertLabels(database.db, project.projectId, [
      { name: 'car', colour: '#000001' },
      { name: 'bus', colour: '#000002' },
    ]);
    const groups = await insertAttributeGroups(
      database.db,
      database.dialect,
      project.projectId,
      [
        {
          name: 'colour',
          kind: 'select',
          prompt: 'Colour?',
          labels: ['bus', 'car'],
          templates: [
            { name: 'red', archived: false },
            { name: 'blue', archived: true },
          ],
          min: null,
          max: null,
          defaultValue: null,
          createdTime: time(3),
        },
        {
          name: 'weather',
          kind: 'select',
          prompt: 'Weather?',
          labels: [],
          templates: [{ name: 'red', archived: false }],
          min: null,
          max: null,
          defaultValue: null,
          createdTime: time(3),
        },
      ],
      labelIds,
    );
    expect(groups.templateCount).toBe(3);
    const rows = await database.db
      .selectFrom('attribute_template')
      .innerJoin('attribute_group', 'attribute_group.id', 'attribute_template.group_id')
      .select([
        'attribute_template.id',
        'attribute_template.name',
        'attribute_template.archived',
        'attribute_template.display_order',
        'attribute_group.name as group',
        'attribute_group.is_global',
      ])
      .orderBy('attribute_template.id')
      .execute();
    // Two templates named "red" in two groups: each lookup must find its own group's.
    for (const row of rows) {
      expect(groups.templateIds.get(row.group)?.get(row.name)).toBe(row.id);
    }
    expect(rows.map((row) => [row.group, row.name, row.archived, row.display_order])).toEqual([
      ['colour', 'red', 0, 0],
      ['colour', 'blue', 1, 1],
      ['weather', 'red', 0, 0],
    ]);
    expect(rows.map((row) => row.is_global)).toEqual([0, 0, 1]);
    expect([...(groups.templateIds.get('colour')?.keys() ?? [])]).toEqual(['red', 'blue']);
    const applies = await database.db
      .selectFrom('attribute_group_label')
      .select('label_id')
      .where('group_id', '=', groups.groupIds.get('colour') ?? 0)
      .orderBy('label_id')
      .execute();
    expect(applies.map((row) => row.label_id)).toEqual(
      [labelIds.get('car'), labelIds.get('bus')].sort(),
    );
  });

  it('gives every file its own id when the rows take several statements', async () => {
    // 3,500 rows of 20 columns take three statements on SQLite and two on PostgreSQL.
    const names = Array.from({ length: 3_500 }, (_, index) => `f-${index}.jpg`);
    const fileIds = await insertFiles(
      database.db,
      database.dialect,
      names.map((name) => fileRow(project.projectId, name)),
    );
    const rows = await database.db
      .selectFrom('file')
      .select(['id', 'original_filename'])
      .where('original_filename', 'like', 'f-%')
      .execute();
    expect(rows).toHaveLength(names.length);
    for (const row of rows) expect(fileIds.get(row.original_filename)).toBe(row.id);
  });

  it('refuses two rows with one key before writing any', async () => {
    await expect(
      insertFiles(database.db, database.dialect, [
        fileRow(project.projectId, 'twice.jpg'),
        fileRow(project.projectId, 'twice.jpg'),
      ]),
    ).rejects.toThrow('Two file rows share the key twice.jpg');
    const rows = await database.db
      .selectFrom('file')
      .select('id')
      .where('original_filename', '=', 'twice.jpg')
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('looks up task and sequence ids by their keys, and says so for an unknown one', async () => {
    const fileIds = await insertFiles(database.db, database.dialect, [
      fileRow(project.projectId, 'a.jpg'),
      fileRow(project.projectId, 'b.jpg'),
    ]);
    const a = fileIds.get('a.jpg') ?? 0;
    const b = fileIds.get('b.jpg') ?? 0;
    const labelIds = await insertLabels(database.db, project.projectId, [
      { name: 'tram', colour: '#000003' },
    ]);
    const tram = labelIds.get('tram') ?? 0;
    const jobIds = await insertJobs(database.db, project.projectId, [
      { name: 'Job', status: 'active', labelIds: [tram], createdTime: time(4) },
    ]);
    const job = jobIds.get('Job') ?? 0;
    const taskIdOf = await insertTasks(database.db, database.dialect, [
      { job_id: job, file_id: a, status: 'complete', created_time: time(5) },
      { job_id: job, file_id: a, status: 'archived', created_time: time(6) },
      { job_id: job, file_id: b, status: 'complete', created_time: time(7) },
    ]);
    const tasks = await database.db.selectFrom('task').selectAll().execute();
    for (const task of tasks) expect(taskIdOf(task)).toBe(task.id);
    expect(() => taskIdOf({ job_id: job, file_id: b, status: 'archived' })).toThrow(
      `The seed lost track of task ${job}/${b}/archived`,
    );

    const sequenceIdOf = await insertSequences(database.db, database.dialect, [
      { file_id: a, label_id: tram, number: 1, keyframe_list: '[0]', single_frame: 1 },
      { file_id: a, label_id: tram, number: 2, keyframe_list: '[1]', single_frame: 1 },
      { file_id: b, label_id: tram, number: 1, keyframe_list: '[2]', single_frame: 1 },
    ]);
    const sequences = await database.db.selectFrom('sequence').selectAll().execute();
    expect(sequences).toHaveLength(3);
    for (const sequence of sequences) expect(sequenceIdOf(sequence)).toBe(sequence.id);
  });
});
