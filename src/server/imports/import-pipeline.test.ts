import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countPacketInstances } from '../../contract/export-file.ts';
import type { ExportFile } from '../../contract/export-file.ts';
import { lockProjectWrites } from '../annotations/annotation-file-queries.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { seedDemoProject } from '../seed/demo-project.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import {
  createEmptyProject,
  exportDirectory,
  importFile,
  packetList,
  packetsByName,
  referencesByName,
} from './import-test-helpers.ts';
import { runImportWith } from './import-pipeline.ts';
import type { ImportProgress } from './import-run.ts';

// The pipeline end to end on both engines: the round trip (export → import into a new project →
// export: the same packets but for ids and times), re-import in place, a changed re-import, bad
// packets with on_error fail and skip, and the change counter once per page.

describe.each(testDialects)('importing a Diffgram JSON file on %s', (dialect) => {
  let database: TestDatabase;
  let demo: DemoProjectSummary;
  let dir: string;
  let source: { outPath: string; file: ExportFile };
  let projects = 0;
  const newProject = () => createEmptyProject(database, `imported-${(projects += 1)}`);
  const directoryIdOf = async (projectId: number, nickname: string) =>
    (
      await database.db
        .selectFrom('directory')
        .select('id')
        .where('project_id', '=', projectId)
        .where('nickname', '=', nickname)
        .executeTakeFirstOrThrow()
    ).id;
  const countRows = async (
    table: 'file' | 'instance' | 'sequence' | 'label' | 'directory' | 'attribute_group',
    projectId: number,
  ) => {
    const { db } = database;
    if (
      table === 'instance' ||
      table === 'label' ||
      table === 'directory' ||
      table === 'attribute_group' ||
      table === 'file'
    ) {
      const row = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', projectId)
        .executeTakeFirstOrThrow();
      return row.n;
    }
    const row = await db
      .selectFrom('sequence')
      .innerJoin('file', 'file.id', 'sequence.file_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('file.project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return row.n;
  };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    demo = await seedDemoProject(database);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-import-'));
    source = await exportDirectory(database, demo.projectId, demo.defaultDirectoryId, dir);
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round trip: the export of the imported directory holds the same packets but for ids and times', async () => {
    const packets = packetList(source.file);
    // The demo's default directory holds every file and instance type, and a split video.
    const types = new Set(packets.map(([, packet]) => packet.file.type));
    expect([...types].sort()).toEqual(['image', 'text', 'video']);
    expect(JSON.stringify(source.file)).toContain('"removed":true');

    const projectId = await newProject();
    const progress: ImportProgress[] = [];
    const outcome = await importFile(database, projectId, 'Round trip', source.outPath, 'fail', {
      onProgress: (update) => {
        progress.push(update);
      },
    });
    expect(outcome.errors).toEqual([]);
    expect(outcome).toMatchObject({ status: 'complete', statusText: null });
    const instanceCount = source.file.export_info.instance_count;
    expect(outcome.counts).toEqual({
      packet_count: packets.length,
      files_created: packets.length,
      files_updated: 0,
      files_skipped: 0,
      instances_created: instanceCount,
      instances_updated: 0,
      instances_removed: 0,
      labels_created: Object.keys(source.file.label_map).length,
      error_count: 0,
    });
    expect(progress[0]).toMatchObject({ stage: 'validating', percent: 0 });
    expect(progress.at(-1)).toMatchObject({ stage: 'writing', percent: 100 });
    const percents = progress.map((update) => update.percent);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);

    const directoryId = await directoryIdOf(projectId, 'Round trip');
    expect(outcome.directoryId).toBe(directoryId);
    const again = await exportDirectory(database, projectId, directoryId, dir);
    expect(packetsByName(again.file)).toEqual(packetsByName(source.file));
    expect(referencesByName(again.file)).toEqual(referencesByName(source.file));
    expect(again.file.export_info.instance_count).toBe(instanceCount);
  });

  /** Writes `file` as JSON into the test folder; returns its path. */
  const writeJson = (name: string, file: unknown) => {
    const outPath = path.join(dir, name);
    fs.writeFileSync(outPath, JSON.stringify(file));
    return outPath;
  };
  /** A deep copy of the demo export to change. */
  const sourceCopy = () => JSON.parse(JSON.stringify(source.file)) as ExportFile;
  const changeSeqOf = async (projectId: number) =>
    (
      await database.db
        .selectFrom('project')
        .select('change_seq')
        .where('id', '=', projectId)
        .executeTakeFirstOrThrow()
    ).change_seq;
  const fileSeqs = async (projectId: number) =>
    database.db
      .selectFrom('file')
      .select(['id', 'change_seq', 'created_seq'])
      .where('project_id', '=', projectId)
      .orderBy('id')
      .execute();

  it('importing the same file again updates the same files in place and changes nothing', async () => {
    const projectId = await newProject();
    const first = await importFile(database, projectId, 'Twice', source.outPath);
    expect(first.status).toBe('complete');
    const before = {
      files: await countRows('file', projectId),
      instances: await countRows('instance', projectId),
      sequences: await countRows('sequence', projectId),
      labels: await countRows('label', projectId),
      groups: await countRows('attribute_group', projectId),
      directories: await countRows('directory', projectId),
      seqs: await fileSeqs(projectId),
    };
    const second = await importFile(database, projectId, 'Twice', source.outPath);
    const packets = packetList(source.file).length;
    expect(second.counts).toEqual({
      packet_count: packets,
      files_created: 0,
      // Matched, but nothing on them changed: none is updated.
      files_updated: 0,
      files_skipped: 0,
      instances_created: 0,
      instances_updated: 0,
      instances_removed: 0,
      labels_created: 0,
      error_count: 0,
    });
    expect({
      files: await countRows('file', projectId),
      instances: await countRows('instance', projectId),
      sequences: await countRows('sequence', projectId),
      labels: await countRows('label', projectId),
      groups: await countRows('attribute_group', projectId),
      directories: await countRows('directory', projectId),
      // Not stamped: a re-import that changes nothing leaves every file's change_seq as it was.
      seqs: await fileSeqs(projectId),
    }).toEqual(before);
    const directoryId = await directoryIdOf(projectId, 'Twice');
    const again = await exportDirectory(database, projectId, directoryId, dir);
    expect(packetsByName(again.file)).toEqual(packetsByName(source.file));
  });

  it('a changed re-import updates, creates and soft-deletes exactly the instances that changed', async () => {
    const projectId = await newProject();
    expect((await importFile(database, projectId, 'Changed', source.outPath)).status).toBe(
      'complete',
    );
    const seqBefore = await fileSeqs(projectId);

    const changed = sourceCopy();
    const [key, packet] = packetList(changed).find(
      ([, candidate]) =>
        'image' in candidate &&
        candidate.instance_list.filter((instance) => instance.removed !== true).length >= 3 &&
        candidate.instance_list.some((instance) => instance.type === 'box'),
    ) ?? ['', undefined];
    if (packet === undefined || !('image' in packet))
      throw new Error('The demo export has no image to change');
    const live = packet.instance_list.filter((instance) => instance.removed !== true);
    const box = live.find((instance) => instance.type === 'box');
    const gone = live.find((instance) => instance !== box);
    if (box?.type !== 'box' || gone === undefined) throw new Error('The demo image lacks a box');
    box.x_max += 5;
    packet.instance_list = packet.instance_list.filter((instance) => instance !== gone);
    const newId = 9_000_000;
    packet.instance_list.push({ ...box, id: newId, x_min: 1, y_min: 1, x_max: 2, y_max: 2 });
    const changedPath = writeJson('changed.json', changed);

    const outcome = await importFile(database, projectId, 'Changed', changedPath);
    expect(outcome.counts).toMatchObject({
      files_created: 0,
      // The one packet that changed; the others are matched and left as they were.
      files_updated: 1,
      instances_created: 1,
      instances_updated: 1,
      instances_removed: 1,
    });

    const fileId = (
      await database.db
        .selectFrom('imported_file')
        .select('file_id')
        .where('directory_id', '=', await directoryIdOf(projectId, 'Changed'))
        .where('source_file_id', '=', Number(key))
        .executeTakeFirstOrThrow()
    ).file_id;
    const rows = await database.db
      .selectFrom('instance')
      .select(['id', 'source_instance_id', 'geometry', 'soft_deleted'])
      .where('file_id', '=', fileId)
      .orderBy('id')
      .execute();
    const bySource = (id: number) => rows.filter((row) => row.source_instance_id === id);
    expect(bySource(box.id)).toHaveLength(1);
    expect(JSON.parse(bySource(box.id)[0]?.geometry ?? '{}')).toMatchObject({ x_max: box.x_max });
    expect(bySource(gone.id)).toMatchObject([{ soft_deleted: 1 }]);
    expect(bySource(newId)).toMatchObject([{ soft_deleted: 0 }]);

    // Only the changed file is stamped, with the page's value.
    const seqAfter = await fileSeqs(projectId);
    const stamped = seqAfter.filter(
      (row, index) => row.change_seq !== seqBefore[index]?.change_seq,
    );
    expect(stamped.map((row) => row.id)).toEqual([fileId]);
    expect(stamped[0]?.change_seq).toBe(await changeSeqOf(projectId));
  });

  /** The demo export with two bad packets: a text for a number, and a label the file lacks. */
  const withBadPackets = () => {
    const file = sourceCopy();
    const images = packetList(file).filter(([, packet]) => 'image' in packet);
    const [firstKey, first] = images[0] ?? [];
    const [secondKey, second] = images[1] ?? [];
    if (first === undefined || second === undefined || !('image' in first) || !('image' in second))
      throw new Error('The demo export has fewer than two images');
    const boxIndex = first.instance_list.findIndex((instance) => instance.type === 'box');
    (first.instance_list[boxIndex] as unknown as Record<string, unknown>).x_max = 'wide';
    const secondInstance = second.instance_list[0];
    if (secondInstance === undefined) throw new Error('The second image has no instance');
    secondInstance.label_file_id = 987_654;
    return { file, firstKey, secondKey, boxIndex };
  };

  it('on_error=fail: a bad packet fails the import with its key and path, and nothing is written', async () => {
    const { file, firstKey, secondKey, boxIndex } = withBadPackets();
    const projectId = await newProject();
    const outcome = await importFile(
      database,
      projectId,
      'Failing',
      writeJson('bad.json', file),
      'fail',
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.directoryId).toBeNull();
    expect(outcome.statusText).toBe(
      `2 packets are not valid Diffgram JSON (first: packet ${firstKey} › instance_list[${boxIndex}] › x_max: expected a number); nothing was imported. Fix them, or import with on_error=skip to leave them out.`,
    );
    expect(outcome.errors).toEqual([
      {
        packet: firstKey,
        path: `instance_list[${boxIndex}] › x_max`,
        message: 'expected a number',
      },
      {
        packet: secondKey,
        path: 'instance_list[0] › label_file_id',
        message: "label 987654 is not in the file's label_map",
      },
    ]);
    expect(outcome.counts).toMatchObject({
      error_count: 2,
      files_created: 0,
      packet_count: packetList(file).length,
    });
    for (const table of [
      'directory',
      'label',
      'attribute_group',
      'file',
      'instance',
      'sequence',
    ] as const) {
      expect(await countRows(table, projectId)).toBe(0);
    }
    expect(await changeSeqOf(projectId)).toBe(0);
  });

  it('on_error=skip: bad packets are counted and left out, the rest imported', async () => {
    const { file, firstKey, secondKey } = withBadPackets();
    const projectId = await newProject();
    const outcome = await importFile(
      database,
      projectId,
      'Skipping',
      writeJson('bad-skip.json', file),
      'skip',
    );
    const packets = packetList(file).length;
    expect(outcome).toMatchObject({ status: 'complete', statusText: null });
    expect(outcome.counts).toMatchObject({
      packet_count: packets,
      files_created: packets - 2,
      files_skipped: 2,
      error_count: 2,
    });
    expect(outcome.errors.map((problem) => problem.packet)).toEqual([firstKey, secondKey]);
    const imported = await database.db
      .selectFrom('imported_file')
      .select('source_file_id')
      .where('directory_id', '=', await directoryIdOf(projectId, 'Skipping'))
      .execute();
    const keys = imported.map((row) => String(row.source_file_id));
    expect(keys).toHaveLength(packets - 2);
    expect(keys).not.toContain(firstKey);
    expect(keys).not.toContain(secondKey);
  });

  /** The demo export with values no column can hold: a 3,000,000,000 width, a NUL in a file name. */
  const withUnstorableValues = () => {
    const file = sourceCopy();
    const images = packetList(file).filter(([, packet]) => 'image' in packet);
    const [wideKey, wide] = images[0] ?? [];
    const [nulKey, nul] = images[1] ?? [];
    if (wide === undefined || nul === undefined || !('image' in wide) || !('image' in nul))
      throw new Error('The demo export has fewer than two images');
    wide.image.width = 3_000_000_000;
    nul.file.original_filename = 'a\u0000b.jpg';
    return { file, wideKey, nulKey };
  };

  it('on_error=fail: a value no column can hold fails validation, and nothing is written', async () => {
    const { file, wideKey, nulKey } = withUnstorableValues();
    // Pages of one packet: were these caught only by the INSERT, earlier pages would have committed.
    const projectId = await newProject();
    const outcome = await importFile(
      database,
      projectId,
      'Too wide',
      writeJson('too-wide.json', file),
      'fail',
      {},
      { pageSize: 1 },
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.errors).toEqual([
      { packet: wideKey, path: 'image › width', message: 'must be at most 2147483647' },
      {
        packet: nulKey,
        path: 'file › original_filename',
        message: 'must not contain NUL or control characters',
      },
    ]);
    for (const table of ['directory', 'label', 'file', 'instance'] as const)
      expect(await countRows(table, projectId)).toBe(0);
    expect(await changeSeqOf(projectId)).toBe(0);

    const skipped = await importFile(
      database,
      projectId,
      'Too wide, skipped',
      writeJson('too-wide-skip.json', file),
      'skip',
    );
    const packets = packetList(file).length;
    expect(skipped.counts).toMatchObject({ files_created: packets - 2, files_skipped: 2 });
  });

  it('fails, writing nothing, when a label name holds a NUL', async () => {
    const file = sourceCopy();
    const [labelId] = Object.keys(file.label_map);
    if (labelId === undefined) throw new Error('The demo export has no label');
    file.label_map[labelId] = 'c\u0000ar';
    const projectId = await newProject();
    const outcome = await importFile(
      database,
      projectId,
      'NUL label',
      writeJson('nul-label.json', file),
      'skip',
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.statusText).toContain(
      `file › label_map › ${labelId}: must not contain NUL or control characters`,
    );
    expect(await countRows('label', projectId)).toBe(0);
    expect(await countRows('directory', projectId)).toBe(0);
  });

  it('waits for a label write holding the project lock: the label it made is used, not made again', async () => {
    // A writer (as POST labels does) locks the project and makes a label the file names; the import
    // reaches its references meanwhile and must wait for it, then find that label.
    const projectId = await newProject();
    const [name] = Object.values(source.file.label_map);
    if (name === undefined) throw new Error('The demo export has no label');
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const writer = database.db.transaction().execute(async (trx) => {
      await lockProjectWrites(trx, projectId);
      locked();
      await held;
      await trx
        .insertInto('label')
        .values({ project_id: projectId, name, colour_hex: '#123456' })
        .execute();
    });
    await lockTaken;
    const importing = importFile(database, projectId, 'Waiting', source.outPath, 'fail', {
      onProgress: (update) => {
        // Validation is done: the import goes on to its references while the writer still holds
        // the lock, and is let go a little later.
        if (update.stage === 'validating' && update.percent === 30) setTimeout(release, 200);
      },
    });
    await writer;
    const outcome = await importing;
    expect(outcome.status).toBe('complete');
    const rows = await database.db
      .selectFrom('label')
      .select(['name', 'colour_hex'])
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .execute();
    expect(rows).toEqual([{ name, colour_hex: '#123456' }]);
    expect(outcome.counts.labels_created).toBe(Object.keys(source.file.label_map).length - 1);
  });

  it('a packet the writing pass finds bad after validation passed it is a bug, not a silent drop', async () => {
    // The upload read differently the second time (a changed file on disk): the first read is
    // the demo export, every later one has a bad packet.
    const { file } = withBadPackets();
    const goodPath = source.outPath;
    const badPath = writeJson('changed-under.json', file);
    let reads = 0;
    const projectId = await newProject();
    const run = runImportWith(
      {},
      database,
      { importId: 1, projectId, directoryName: 'Changed under', onError: 'fail' },
      () => fs.createReadStream((reads += 1) === 1 ? goodPath : badPath),
      fs.statSync(goodPath).size,
    );
    await expect(run).rejects.toThrow(/^Bug: packet \d+ passed validation but failed/);
  });

  it('fails an import whose packet is over IMPORT_MAX_PACKET_BYTES (an upload stored before the limit)', async () => {
    const sizes = packetList(source.file).map(([, packet]) => JSON.stringify(packet).length);
    expect(Math.max(...sizes)).toBeGreaterThan(2048);
    const projectId = await newProject();
    const outcome = await importFile(
      database,
      projectId,
      'Too big',
      source.outPath,
      'skip',
      {},
      { maxPacketBytes: 1024 },
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.statusText).toMatch(
      /^The file cannot be imported: file: packet \d+ is over 1 KiB, the most a packet may be; split the file or raise IMPORT_MAX_PACKET_BYTES; nothing was imported\./,
    );
    expect(await countRows('directory', projectId)).toBe(0);
  });

  it('ends a page at the instance limit as well as at the packet limit', async () => {
    const projectId = await newProject();
    const pageInstances = 40;
    const outcome = await importFile(
      database,
      projectId,
      'Paged by instances',
      source.outPath,
      'fail',
      {},
      { pageInstances },
    );
    expect(outcome.status).toBe('complete');
    // The pages the rule makes: a page ends once it holds 40 instances (500 packets is never reached).
    let pages = 0;
    let open = 0;
    let held = 0;
    for (const [, packet] of packetList(source.file)) {
      open += 1;
      held += countPacketInstances(packet);
      if (held >= pageInstances) {
        pages += 1;
        open = 0;
        held = 0;
      }
    }
    if (open > 0) pages += 1;
    expect(pages).toBeGreaterThan(1);
    expect(await changeSeqOf(projectId)).toBe(pages);
  });

  it('takes one change counter value per page and stamps every file it writes with it', async () => {
    const projectId = await newProject();
    const pageSize = 5;
    const outcome = await importFile(
      database,
      projectId,
      'Paged',
      source.outPath,
      'fail',
      {},
      { pageSize },
    );
    const packets = packetList(source.file).length;
    expect(outcome.counts.files_created).toBe(packets);
    const pages = Math.ceil(packets / pageSize);
    expect(await changeSeqOf(projectId)).toBe(pages);
    const seqs = await fileSeqs(projectId);
    expect(new Set(seqs.map((row) => row.change_seq))).toEqual(
      new Set(Array.from({ length: pages }, (_, index) => index + 1)),
    );
    for (const row of seqs) expect(row.created_seq).toBe(row.change_seq);
    const memberships = await database.db
      .selectFrom('directory_file')
      .innerJoin('file', 'file.id', 'directory_file.file_id')
      .select(['directory_file.added_seq', 'file.created_seq'])
      .where('file.project_id', '=', projectId)
      .execute();
    for (const row of memberships) expect(row.added_seq).toBe(row.created_seq);
  });

  it('an import stopped between pages, run again, completes without duplicates', async () => {
    const projectId = await newProject();
    const controller = new AbortController();
    let pagesSeen = 0;
    const stopped = importFile(
      database,
      projectId,
      'Stopped',
      source.outPath,
      'fail',
      {
        signal: controller.signal,
        onProgress: (update) => {
          if (update.stage !== 'writing' || update.counts.files_created === 0) return;
          pagesSeen += 1;
          controller.abort(new Error('stopped by the test'));
        },
      },
      { pageSize: 5, progressIntervalMs: 0 },
    );
    await expect(stopped).rejects.toThrow('stopped by the test');
    expect(pagesSeen).toBeGreaterThan(0);
    const partly = await countRows('file', projectId);
    const packets = packetList(source.file).length;
    expect(partly).toBeGreaterThan(0);
    expect(partly).toBeLessThan(packets);

    const resumed = await importFile(database, projectId, 'Stopped', source.outPath);
    expect(resumed.counts).toMatchObject({
      files_created: packets - partly,
      // The files the stopped run wrote are whole and unchanged: none is updated again.
      files_updated: 0,
    });
    expect(await countRows('file', projectId)).toBe(packets);
    const directoryId = await directoryIdOf(projectId, 'Stopped');
    const again = await exportDirectory(database, projectId, directoryId, dir);
    expect(packetsByName(again.file)).toEqual(packetsByName(source.file));
  });

  it('reads a file whose metadata comes after its packets', async () => {
    const reordered: Record<string, unknown> = {};
    for (const [key, packet] of packetList(source.file)) reordered[key] = packet;
    const { readme, label_map, label_colour_map, export_info, attribute_groups_reference } =
      source.file;
    Object.assign(reordered, {
      readme,
      label_map,
      label_colour_map,
      export_info,
      attribute_groups_reference,
    });
    const projectId = await newProject();
    const outcome = await importFile(
      database,
      projectId,
      'Late metadata',
      writeJson('late.json', reordered),
    );
    expect(outcome.errors).toEqual([]);
    expect(outcome.counts.files_created).toBe(packetList(source.file).length);
    const again = await exportDirectory(
      database,
      projectId,
      await directoryIdOf(projectId, 'Late metadata'),
      dir,
    );
    expect(packetsByName(again.file)).toEqual(packetsByName(source.file));
  });

  it('fails, writing nothing, when the file has no label_map or another format version', async () => {
    const { label_map: _labels, ...noLabels } = sourceCopy();
    const projectId = await newProject();
    const outcome = await importFile(
      database,
      projectId,
      'No labels',
      writeJson('no-labels.json', noLabels),
      'skip',
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.statusText).toMatch(
      /^The file cannot be imported: file › label_map: the file has no label_map/,
    );
    const newer = sourceCopy() as unknown as { export_info: Record<string, unknown> };
    newer.export_info.export_format_version = '2.0';
    const versioned = await importFile(
      database,
      projectId,
      'Newer',
      writeJson('newer.json', newer),
      'skip',
    );
    expect(versioned.statusText).toContain(
      'export_info › export_format_version: this is format version "2.0"',
    );
    expect(await countRows('directory', projectId)).toBe(0);
  });
});
