import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attributeGroupKinds,
  attributeValuesSchema,
  geometrySchemas,
  instanceTypes,
  taskStatuses,
} from '../../contract/annotations.ts';
import type { InstanceType } from '../../contract/annotations.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import type { Database } from '../db/schema.ts';
import { demoDefaultDirectoryNickname, seedDemoIfEmpty, seedDemoProject } from './demo-project.ts';
import type { DemoProjectSummary } from './demo-project.ts';

const tables: (keyof Database)[] = [
  'project',
  'directory',
  'directory_file',
  'label',
  'attribute_group',
  'attribute_group_label',
  'attribute_template',
  'file',
  'job',
  'task',
  'sequence',
  'instance',
];

/** Every row of every seeded table, in a stable order, for comparing two databases. */
async function dump(database: TestDatabase): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = await database.db.selectFrom(table).selectAll().execute();
    result[table] = rows
      .map((row) => JSON.stringify(row, Object.keys(row).sort()))
      .sort()
      .map((text) => JSON.parse(text) as unknown);
  }
  return result;
}

describe.each(testDialects)('the demo project on %s', (dialect) => {
  let database: TestDatabase;
  let other: TestDatabase;
  let demo: DemoProjectSummary;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    demo = await seedDemoProject(database);
    other = await createTestDatabase(dialect);
    expect(await seedDemoIfEmpty(other)).toBe(true);
  });
  afterAll(async () => {
    await database.drop();
    await other.drop();
  });

  it('is deterministic: a second database holds the same rows with the same ids', async () => {
    expect(await dump(other)).toEqual(await dump(database));
  });

  it('seeds only an empty database, and only once', async () => {
    expect(await seedDemoIfEmpty(database)).toBe(false);
    await expect(seedDemoProject(database)).rejects.toThrow(/project "demo" already exists/);
    const projects = await database.db.selectFrom('project').select('id').execute();
    expect(projects).toHaveLength(1);
  });

  it('names the project and defaults to Luckfrill', async () => {
    const project = await database.db.selectFrom('project').selectAll().executeTakeFirstOrThrow();
    expect(project.project_string_id).toBe('demo');
    expect(project.name).toBe(demo.name);
    const directory = await database.db
      .selectFrom('directory')
      .selectAll()
      .where('id', '=', project.default_directory_id)
      .executeTakeFirstOrThrow();
    expect(directory.nickname).toBe(demoDefaultDirectoryNickname);
    expect(demo.defaultDirectoryId).toBe(directory.id);
    const directories = await database.db.selectFrom('directory').select('nickname').execute();
    expect(directories).toHaveLength(3);
  });

  it('puts some files in several directories', async () => {
    const rows = await database.db
      .selectFrom('directory_file')
      .select('file_id')
      .select((eb) => eb.fn.countAll<number>().as('directories'))
      .groupBy('file_id')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(rows.length).toBeGreaterThan(0);
  });

  it('gives labels #rrggbb colours and has attribute groups of every kind, global and per label', async () => {
    const labels = await database.db.selectFrom('label').selectAll().execute();
    expect(labels).toHaveLength(demo.counts.labels);
    for (const label of labels) expect(label.colour_hex).toMatch(/^#[0-9a-f]{6}$/);

    const groups = await database.db.selectFrom('attribute_group').selectAll().execute();
    const links = await database.db.selectFrom('attribute_group_label').selectAll().execute();
    const templates = await database.db.selectFrom('attribute_template').selectAll().execute();
    expect(templates).toHaveLength(demo.counts.attributeTemplates);
    for (const kind of attributeGroupKinds) {
      const ofKind = groups.filter((group) => group.kind === kind);
      expect(
        ofKind.some((group) => group.is_global === 1),
        `a global ${kind} group`,
      ).toBe(true);
      expect(
        ofKind.some((group) => group.is_global === 0),
        `a per-label ${kind} group`,
      ).toBe(true);
    }
    for (const group of groups) {
      const linked = links.filter((link) => link.group_id === group.id);
      expect(linked.length > 0, `${group.name} has labels exactly when it is not global`).toBe(
        group.is_global === 0,
      );
    }
    expect(templates.some((template) => template.archived === 1)).toBe(true);
    expect(templates.some((template) => template.archived === 0)).toBe(true);
  });

  it('has every instance type, each with geometry its contract schema accepts', async () => {
    const instances = await database.db.selectFrom('instance').selectAll().execute();
    expect(instances).toHaveLength(demo.counts.instances);
    const seen = new Map<InstanceType, number>();
    for (const instance of instances) {
      const parsed = geometrySchemas[instance.type].safeParse(JSON.parse(instance.geometry));
      expect(
        parsed.success,
        `instance ${instance.id} (${instance.type}) geometry ${instance.geometry}`,
      ).toBe(true);
      expect(instance.label_id === null, `instance ${instance.id} has a label unless global`).toBe(
        instance.type === 'global',
      );
      seen.set(instance.type, (seen.get(instance.type) ?? 0) + 1);
    }
    for (const type of instanceTypes) expect(seen.get(type) ?? 0, type).toBeGreaterThan(0);
    expect(Object.fromEntries(seen)).toEqual(demo.counts.instancesByType);
  });

  it('answers attributes by group id, only for groups that apply, with templates of that group', async () => {
    const groups = await database.db.selectFrom('attribute_group').selectAll().execute();
    const links = await database.db.selectFrom('attribute_group_label').selectAll().execute();
    const templates = await database.db.selectFrom('attribute_template').selectAll().execute();
    const instances = await database.db.selectFrom('instance').selectAll().execute();
    let answered = 0;
    for (const instance of instances) {
      if (instance.attribute_values === null) continue;
      const values = attributeValuesSchema.parse(JSON.parse(instance.attribute_values));
      for (const [groupId, value] of Object.entries(values)) {
        answered += 1;
        const group = groups.find((candidate) => candidate.id === Number(groupId));
        if (group === undefined)
          throw new Error(`instance ${instance.id} answers unknown group ${groupId}`);
        if (instance.type === 'global') expect(group.is_global).toBe(1);
        else
          expect(
            links.some((link) => link.group_id === group.id && link.label_id === instance.label_id),
          ).toBe(true);
        const templateIds = templates
          .filter((template) => template.group_id === group.id)
          .map((template) => template.id);
        if (group.kind === 'select' || group.kind === 'radio') expect(templateIds).toContain(value);
        if (group.kind === 'multiple_select' || group.kind === 'tree') {
          expect(Array.isArray(value)).toBe(true);
          for (const id of value as number[]) expect(templateIds).toContain(id);
        }
        if (group.kind === 'slider') {
          expect(typeof value).toBe('number');
          expect(value).toBeGreaterThanOrEqual(group.min_value ?? 0);
          expect(value).toBeLessThanOrEqual(group.max_value ?? 0);
        }
        if (group.kind === 'text') expect(typeof value).toBe('string');
      }
    }
    expect(answered).toBeGreaterThan(100);
  });

  it('has complete and incomplete files, and removed files in Luckfrill', async () => {
    const files = await database.db.selectFrom('file').selectAll().execute();
    expect(files).toHaveLength(demo.counts.files);
    expect(
      files
        .filter((file) => file.ann_is_complete === 1)
        .map((file) => file.id)
        .sort((a, b) => a - b),
    ).toEqual([...demo.completeFileIds].sort((a, b) => a - b));
    expect(files.some((file) => file.ann_is_complete === 0)).toBe(true);
    for (const type of ['image', 'video', 'text'] as const)
      expect(files.some((file) => file.type === type)).toBe(true);

    const luckfrill = demo.directories[demoDefaultDirectoryNickname];
    if (luckfrill === undefined) throw new Error('no Luckfrill in the summary');
    const inLuckfrill = await database.db
      .selectFrom('directory_file')
      .innerJoin('file', 'file.id', 'directory_file.file_id')
      .select(['file.id', 'file.state', 'file.ann_is_complete'])
      .where('directory_file.directory_id', '=', luckfrill.id)
      .execute();
    expect(inLuckfrill.map((file) => file.id).sort((a, b) => a - b)).toEqual(
      [...luckfrill.fileIds].sort((a, b) => a - b),
    );
    expect(inLuckfrill.filter((file) => file.state === 'removed').length).toBeGreaterThanOrEqual(2);
    expect(inLuckfrill.filter((file) => file.state === 'removed').map((file) => file.id)).toEqual(
      luckfrill.removedFileIds,
    );
    expect(
      inLuckfrill
        .filter((file) => file.state === 'added' && file.ann_is_complete === 1)
        .map((file) => file.id),
    ).toEqual(luckfrill.completedFileIds);
  });

  it('soft-deletes some instances on images, video frames and text', async () => {
    const deleted = await database.db
      .selectFrom('instance')
      .innerJoin('file', 'file.id', 'instance.file_id')
      .select(['instance.id', 'file.type', 'instance.frame_number'])
      .where('instance.soft_deleted', '=', 1)
      .execute();
    expect(deleted).toHaveLength(demo.counts.softDeletedInstances);
    expect(deleted.some((row) => row.type === 'image')).toBe(true);
    expect(deleted.some((row) => row.type === 'video' && row.frame_number !== null)).toBe(true);
    expect(deleted.some((row) => row.type === 'text')).toBe(true);
  });

  it('splits one long video into clips whose global frames differ from their local ones', async () => {
    const clips = await database.db
      .selectFrom('file')
      .selectAll()
      .where('parent_file_id', '=', demo.splitVideo.parentFileId)
      .orderBy('global_frame_start')
      .execute();
    expect(clips.map((clip) => clip.id)).toEqual(demo.splitVideo.clipFileIds);
    expect(clips.map((clip) => clip.global_frame_start)).toEqual(demo.splitVideo.globalFrameStarts);
    expect(clips.every((clip) => clip.type === 'video')).toBe(true);
    expect(
      clips.filter((clip) => (clip.global_frame_start ?? 0) > 0).length,
    ).toBeGreaterThanOrEqual(2);
    const parent = await database.db
      .selectFrom('file')
      .selectAll()
      .where('id', '=', demo.splitVideo.parentFileId)
      .executeTakeFirstOrThrow();
    const clipFrames = clips.reduce((sum, clip) => sum + (clip.frame_count ?? 0), 0);
    expect(parent.frame_count).toBe(clipFrames);
    const parentInDirectory = await database.db
      .selectFrom('directory_file')
      .select('file_id')
      .where('file_id', '=', parent.id)
      .execute();
    expect(parentInDirectory).toEqual([]);
    const framesOnLaterClips = await database.db
      .selectFrom('instance')
      .select('id')
      .where(
        'file_id',
        'in',
        clips.filter((clip) => (clip.global_frame_start ?? 0) > 0).map((clip) => clip.id),
      )
      .where('frame_number', 'is not', null)
      .execute();
    expect(framesOnLaterClips.length).toBeGreaterThan(0);
  });

  it('tracks video objects in sequences with keyframes and interpolated frames', async () => {
    const sequences = await database.db.selectFrom('sequence').selectAll().execute();
    expect(sequences).toHaveLength(demo.counts.sequences);
    const frames = await database.db
      .selectFrom('instance')
      .selectAll()
      .where('sequence_id', 'is not', null)
      .execute();
    for (const sequence of sequences) {
      const keyframes = JSON.parse(sequence.keyframe_list) as number[];
      const own = frames
        .filter((frame) => frame.sequence_id === sequence.id)
        .sort((a, b) => (a.frame_number ?? 0) - (b.frame_number ?? 0));
      expect(own.length).toBeGreaterThan(0);
      expect(own.map((frame) => frame.local_sequence_number)).toEqual(own.map((_, index) => index));
      for (const frame of own) {
        expect(frame.file_id).toBe(sequence.file_id);
        expect(frame.label_id).toBe(sequence.label_id);
        expect(frame.interpolated).toBe(keyframes.includes(frame.frame_number ?? -1) ? 0 : 1);
      }
      expect(sequence.single_frame).toBe(own.length === 1 ? 1 : 0);
    }
    expect(frames.some((frame) => frame.interpolated === 1)).toBe(true);
    expect(sequences.some((sequence) => sequence.single_frame === 1)).toBe(true);
  });

  it('gives text files tokens that their text_token instances point into', async () => {
    const texts = await database.db
      .selectFrom('file')
      .selectAll()
      .where('type', '=', 'text')
      .execute();
    const spans = await database.db
      .selectFrom('instance')
      .selectAll()
      .where('type', '=', 'text_token')
      .execute();
    expect(spans.length).toBeGreaterThan(0);
    for (const span of spans) {
      const file = texts.find((text) => text.id === span.file_id);
      const tokens = JSON.parse(file?.text_tokens ?? 'null') as {
        id: number;
        start_char: number;
        end_char: number;
      }[];
      const geometry = geometrySchemas.text_token.parse(JSON.parse(span.geometry));
      expect(tokens[geometry.start_token]?.start_char).toBe(geometry.start_char);
      expect(tokens[geometry.end_token]?.end_char).toBe(geometry.end_char);
    }
  });

  it('has jobs with tasks in every status, a file in two jobs, and task status apart from file completion', async () => {
    const tasks = await database.db
      .selectFrom('task')
      .innerJoin('file', 'file.id', 'task.file_id')
      .select(['task.id', 'task.job_id', 'task.file_id', 'task.status', 'file.ann_is_complete'])
      .execute();
    expect(tasks).toHaveLength(demo.counts.tasks);
    for (const status of taskStatuses)
      expect(
        tasks.some((task) => task.status === status),
        status,
      ).toBe(true);
    const jobsByFile = new Map<number, Set<number>>();
    for (const task of tasks)
      jobsByFile.set(task.file_id, (jobsByFile.get(task.file_id) ?? new Set()).add(task.job_id));
    expect([...jobsByFile.values()].some((jobs) => jobs.size > 1)).toBe(true);
    expect(tasks.some((task) => task.status === 'complete' && task.ann_is_complete === 0)).toBe(
      true,
    );
    expect(tasks.some((task) => task.status !== 'complete' && task.ann_is_complete === 1)).toBe(
      true,
    );

    const jobs = await database.db.selectFrom('job').selectAll().execute();
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    for (const job of jobs) {
      const summary = demo.jobs[job.name];
      expect(summary?.id).toBe(job.id);
      expect(tasks.filter((task) => task.job_id === job.id).map((task) => task.id)).toEqual(
        summary?.tasks.map((task) => task.id),
      );
      expect((JSON.parse(job.label_schema) as number[]).length).toBeGreaterThan(0);
    }
  });

  it('counts instances per file as the summary says', async () => {
    const rows = await database.db
      .selectFrom('instance')
      .select(['file_id'])
      .select((eb) => eb.fn.countAll<number>().as('instances'))
      .groupBy('file_id')
      .execute();
    expect(Object.fromEntries(rows.map((row) => [row.file_id, row.instances]))).toEqual(
      Object.fromEntries(
        Object.entries(demo.counts.instancesByFile).map(([id, count]) => [Number(id), count]),
      ),
    );
  });
});
