import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geometrySchemas, instanceTypes, taskStatuses } from '../../contract/annotations.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { rowsPerStatement } from './batch-insert.ts';
import { seedBulkProject } from './bulk-project.ts';
import type { BulkProjectSummary } from './bulk-project.ts';

const files = 500;

describe.each(testDialects)('a bulk project on %s', (dialect) => {
  let database: TestDatabase;
  let bulk: BulkProjectSummary;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    bulk = await seedBulkProject(database, { files, projectStringId: 'bulk-test' });
  });
  afterAll(async () => {
    await database.drop();
  });

  const count = async (table: 'file' | 'instance' | 'sequence' | 'task') =>
    (
      await database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('holds the files, instances, sequences and tasks its summary counts', async () => {
    expect(bulk.counts.files).toBe(files);
    expect(await count('file')).toBe(files);
    expect(await count('instance')).toBe(bulk.counts.instances);
    expect(await count('sequence')).toBe(bulk.counts.sequences);
    expect(await count('task')).toBe(bulk.counts.tasks);
    expect(bulk.counts.images + bulk.counts.videos + bulk.counts.texts).toBe(files);
    expect(bulk.counts.videos).toBe(25);
    expect(bulk.counts.texts).toBe(25);
    // 5–10 drawn instances per image: the total lands between those bounds plus video and text instances.
    expect(bulk.counts.instances).toBeGreaterThanOrEqual(bulk.counts.images * 5);
    expect(bulk.counts.instances).toBeLessThanOrEqual(
      bulk.counts.images * 11 + bulk.counts.videos * 21 + bulk.counts.texts * 5,
    );
  });

  it('marks about 70% of files complete and a few removed, and soft-deletes a few instances', async () => {
    const rows = await database.db
      .selectFrom('file')
      .select(['ann_is_complete', 'state'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy(['ann_is_complete', 'state'])
      .execute();
    const complete = rows
      .filter((row) => row.ann_is_complete === 1)
      .reduce((sum, row) => sum + row.n, 0);
    const removed = rows
      .filter((row) => row.state === 'removed')
      .reduce((sum, row) => sum + row.n, 0);
    expect(complete).toBe(bulk.counts.completeFiles);
    expect(removed).toBe(bulk.counts.removedFiles);
    expect(complete / files).toBeGreaterThan(0.6);
    expect(complete / files).toBeLessThan(0.8);
    const softDeleted = await database.db
      .selectFrom('instance')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('soft_deleted', '=', 1)
      .executeTakeFirstOrThrow();
    expect(softDeleted.n).toBe(bulk.counts.softDeletedInstances);
    expect(softDeleted.n).toBeGreaterThan(0);
  });

  it('puts every file in the default directory and every 10th in Sample', async () => {
    const project = await database.db
      .selectFrom('project')
      .selectAll()
      .where('id', '=', bulk.projectId)
      .executeTakeFirstOrThrow();
    expect(project.default_directory_id).toBe(bulk.defaultDirectoryId);
    const memberships = await database.db
      .selectFrom('directory_file')
      .select('directory_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('directory_id')
      .orderBy('directory_id')
      .execute();
    expect(memberships).toEqual([
      { directory_id: bulk.defaultDirectoryId, n: files },
      { directory_id: bulk.sampleDirectoryId, n: files / 10 },
    ]);
  });

  it('draws instances of every type with geometry the contract accepts', async () => {
    const instances = await database.db
      .selectFrom('instance')
      .select(['type', 'geometry', 'label_id'])
      .execute();
    for (const type of instanceTypes)
      expect(
        instances.some((instance) => instance.type === type),
        type,
      ).toBe(true);
    for (const instance of instances) {
      expect(
        geometrySchemas[instance.type].safeParse(JSON.parse(instance.geometry)).success,
        instance.geometry,
      ).toBe(true);
      expect(instance.label_id === null).toBe(instance.type === 'global');
    }
  });

  it('has two jobs with tasks in every status, some files in both', async () => {
    const tasks = await database.db
      .selectFrom('task')
      .select(['job_id', 'file_id', 'status'])
      .execute();
    expect(new Set(tasks.map((task) => task.job_id)).size).toBe(2);
    for (const status of taskStatuses)
      expect(
        tasks.some((task) => task.status === status),
        status,
      ).toBe(true);
    const jobsPerFile = new Map<number, number>();
    for (const task of tasks)
      jobsPerFile.set(task.file_id, (jobsPerFile.get(task.file_id) ?? 0) + 1);
    expect([...jobsPerFile.values()].some((jobs) => jobs > 1)).toBe(true);
  });

  it('is deterministic: the same seed gives the same rows in another project', async () => {
    const again = await seedBulkProject(database, { files, projectStringId: 'bulk-again' });
    expect(again.counts).toEqual(bulk.counts);
    const contentOf = async (projectId: number) => {
      const rows = await database.db
        .selectFrom('instance')
        .innerJoin('file', 'file.id', 'instance.file_id')
        .select([
          'file.original_filename',
          'file.ann_is_complete',
          'file.state',
          'instance.type',
          'instance.geometry',
          'instance.soft_deleted',
        ])
        .where('instance.project_id', '=', projectId)
        .orderBy('instance.id')
        .execute();
      return rows;
    };
    expect(await contentOf(again.projectId)).toEqual(await contentOf(bulk.projectId));
  });

  it('refuses an existing project, a bad name and a bad size', async () => {
    await expect(
      seedBulkProject(database, { files: 5, projectStringId: 'bulk-test' }),
    ).rejects.toThrow(/"bulk-test" already exists/);
    await expect(
      seedBulkProject(database, { files: 5, projectStringId: 'Bad Name' }),
    ).rejects.toThrow(/not a valid project_string_id/);
    await expect(seedBulkProject(database, { files: 0, projectStringId: 'zero' })).rejects.toThrow(
      /positive whole number/,
    );
  });
});

describe('rowsPerStatement', () => {
  it('keeps a multi-row insert under each dialect’s bound-parameter limit', () => {
    expect(rowsPerStatement('sqlite', 13) * 13).toBeLessThanOrEqual(32_766);
    expect(rowsPerStatement('postgres', 13) * 13).toBeLessThanOrEqual(65_535);
    expect(rowsPerStatement('sqlite', 40_000)).toBe(1);
    expect(() => rowsPerStatement('sqlite', 0)).toThrow(/positive column count/);
  });
});
