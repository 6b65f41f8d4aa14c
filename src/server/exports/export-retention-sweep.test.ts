import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditEventsOf } from '../audit/audit-test-reads.ts';
import { openDatabase } from '../db/database.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { MaintenanceLease } from '../db/maintenance-lease.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { LocalExportStorage } from '../storage/local-export-storage.ts';
import { addDirectory, addJob, addProject } from '../test-utils/test-records.ts';
import { archiveExport } from './export-archive.ts';
import { ExportEvents } from './export-events.ts';
import type { RetentionPolicy } from './export-retention.ts';
import { retentionArchiveCondition } from './export-retention.ts';
import { addRetentionExport, listedExportIds, retentionNow } from './export-retention-fixtures.ts';
import type { AddedExport, RetentionTestExport } from './export-retention-fixtures.ts';
import {
  ExportRetentionSweep,
  RetentionSchedule,
  retentionLeaseName,
} from './export-retention-sweep.ts';
import type { RetentionSweepOptions } from './export-retention-sweep.ts';
import { ExportState } from './export-state.ts';
import { RecordingLogger } from './export-test-harness.ts';

// The retention sweep, each test on an empty export table (a sweep looks at every project): which exports
// it archives and which it never does, the audit rows and deleted files, batches, and the lease that
// lets one process sweep at a time.

/** An export a test adds: of the test project's first directory unless it names a source. */
type ExportSpec = Omit<RetentionTestExport, 'projectId' | 'source'> & Partial<RetentionTestExport>;

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A storage whose deletes wait for `open()`, so a test can hold a sweep in the middle of its work. */
class GatedStorage extends LocalExportStorage {
  private readonly gate = deferred();
  /** Resolved at the first delete that waits. */
  readonly reached = deferred();

  override async remove(key: string): Promise<void> {
    this.reached.resolve();
    await this.gate.promise;
    await super.remove(key);
  }

  open(): void {
    this.gate.resolve();
  }
}

/** A storage that cannot delete (an object store that is down). */
class UndeletableStorage extends LocalExportStorage {
  override remove(): Promise<void> {
    return Promise.reject(new Error('storage unreachable'));
  }
}

describe.each(testDialects)('the retention sweep on %s', (dialect) => {
  let database: TestDatabase;
  let dataDir: string;
  let storage: LocalExportStorage;
  let projectId: number;
  let directoryId: number;
  let otherDirectoryId: number;
  let jobId: number;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    projectId = await addProject(database, 'kept', 'Kept');
    directoryId = await addDirectory(database, projectId, 'Shelf', []);
    otherDirectoryId = await addDirectory(database, projectId, 'Drawer', []);
    jobId = (await addJob(database, projectId, 'Boxes', [])).jobId;
  }, 30_000);
  afterAll(async () => {
    await database.drop();
  });
  // Each test starts with no export, no audit row and no lease (a sweep looks at every project).
  beforeEach(async () => {
    await database.db.deleteFrom('audit_event').execute();
    await database.db.deleteFrom('maintenance_lease').execute();
    await database.db.deleteFrom('export').execute();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-retention-'));
    storage = new LocalExportStorage(path.join(dataDir, 'exports'));
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function sweepOf(
    policy: Partial<RetentionPolicy>,
    options: Partial<RetentionSweepOptions> = {},
  ): ExportRetentionSweep {
    return new ExportRetentionSweep({
      database,
      storage,
      events: new ExportEvents(),
      policy: { retentionDays: null, keepPerSource: null, ...policy },
      holder: 'worker-test',
      logger: new RecordingLogger(),
      clock: () => retentionNow,
      ...options,
    });
  }

  function add(spec: ExportSpec) {
    return addRetentionExport(database, storage, {
      projectId,
      source: { directory: directoryId },
      ...spec,
    });
  }

  /** Adds exports in order, oldest first (each later one gets a higher id); one added export per spec. */
  async function addAll<const Specs extends readonly ExportSpec[]>(
    specs: Specs,
  ): Promise<{ -readonly [Index in keyof Specs]: AddedExport }> {
    const added: AddedExport[] = [];
    for (const spec of specs) added.push(await add(spec));
    // One element per spec, in order: the tuple type only says so.
    return added as { -readonly [Index in keyof Specs]: AddedExport };
  }

  /** The stored file of a complete export. */
  function fileOf(item: AddedExport | undefined): string {
    if (item?.filePath == null) throw new Error('not a complete export with a file');
    return item.filePath;
  }

  const idsOf = (exports: AddedExport[]) => exports.map((item) => item.id).sort((a, b) => a - b);

  it('archives nothing and takes no lease when no retention is set', async () => {
    const exports = await addAll([
      { status: 'failed', daysAgo: 400 },
      { status: 'complete', daysAgo: 300 },
      { status: 'complete', daysAgo: 200 },
    ]);
    const result = await sweepOf({}).run();
    expect(result.outcome).toBe('off');
    expect(await listedExportIds(database)).toEqual(idsOf(exports));
    expect(await database.db.selectFrom('maintenance_lease').selectAll().execute()).toEqual([]);
  });

  it('archives finished exports older than the retention days, never a queued or running one nor the newest complete one', async () => {
    const [
      oldComplete,
      oldFailed,
      oldCancelled,
      stuckQueued,
      stuckRunning,
      newestComplete,
      youngFailed,
    ] = await addAll([
      { status: 'complete', daysAgo: 40 },
      { status: 'failed', daysAgo: 35 },
      { status: 'cancelled', daysAgo: 31 },
      { status: 'queued', daysAgo: 50 },
      { status: 'running', daysAgo: 45 },
      { status: 'complete', daysAgo: 10 },
      { status: 'failed', daysAgo: 29.9 },
    ]);
    // Another source whose only complete export is far older than the retention: it stays.
    const [onlyComplete, olderFailed] = await addAll([
      { status: 'complete', daysAgo: 400, source: { directory: otherDirectoryId } },
      { status: 'failed', daysAgo: 300, source: { directory: otherDirectoryId } },
    ]);

    const result = await sweepOf({ retentionDays: 30 }).run();

    expect(result).toEqual({
      outcome: 'done',
      archived: { age: 4, keep_count: 0 },
      filesLeft: 0,
    });
    expect(await listedExportIds(database)).toEqual(
      idsOf([stuckQueued, stuckRunning, newestComplete, youngFailed, onlyComplete]),
    );
    expect(fs.existsSync(fileOf(oldComplete))).toBe(false);
    expect(fs.existsSync(fileOf(newestComplete))).toBe(true);
    expect(fs.existsSync(fileOf(onlyComplete))).toBe(true);
    // The unfinished ones are as they were: not failed by the archive, not archived.
    const unfinished = await database.db
      .selectFrom('export')
      .select(['id', 'status', 'archived'])
      .where('id', 'in', [stuckQueued.id, stuckRunning.id])
      .orderBy('id')
      .execute();
    expect(unfinished).toEqual([
      { id: stuckQueued.id, status: 'queued', archived: 0 },
      { id: stuckRunning.id, status: 'running', archived: 0 },
    ]);

    const audit = await auditEventsOf(database.db, 'export_archived');
    expect(audit.map((event) => event.target).sort()).toEqual(
      [oldComplete, oldFailed, oldCancelled, olderFailed].map((item) => `export ${item.id}`).sort(),
    );
    for (const event of audit) {
      expect(event).toMatchObject({
        actor_email: null,
        via: 'retention',
        ip: null,
        project_id: projectId,
        details: { reason: 'age', retention_days: 30 },
      });
    }
    expect(audit.find((event) => event.target === `export ${oldComplete.id}`)?.details).toEqual({
      reason: 'age',
      retention_days: 30,
      created_time: oldComplete.row.created_time,
      status: 'complete',
      file: 'deleted',
    });
    expect(audit.find((event) => event.target === `export ${oldFailed.id}`)?.details).toMatchObject(
      {
        status: 'failed',
        file: 'none',
      },
    );
  });

  it('keeps the newest N finished exports of each source, and the newest complete one beyond them', async () => {
    const [c1, f2, c3, x4, c5, q6, r7] = await addAll([
      { status: 'complete', daysAgo: 5 },
      { status: 'failed', daysAgo: 4 },
      { status: 'complete', daysAgo: 3 },
      { status: 'cancelled', daysAgo: 2 },
      { status: 'complete', daysAgo: 1 },
      // Unfinished exports neither count nor go.
      { status: 'queued', daysAgo: 0.5 },
      { status: 'running', daysAgo: 0.4 },
    ]);
    // A source whose two newest finished exports failed: its newest complete one stays, a third.
    const [keptComplete, failedA, failedB] = await addAll([
      { status: 'complete', daysAgo: 9, source: { job: jobId } },
      { status: 'failed', daysAgo: 8, source: { job: jobId } },
      { status: 'failed', daysAgo: 7, source: { job: jobId } },
    ]);

    const result = await sweepOf({ keepPerSource: 2 }).run();

    expect(result.archived).toEqual({ age: 0, keep_count: 3 });
    expect(await listedExportIds(database)).toEqual(
      idsOf([x4, c5, q6, r7, keptComplete, failedA, failedB]),
    );
    expect(fs.existsSync(fileOf(c1))).toBe(false);
    expect(fs.existsSync(fileOf(c3))).toBe(false);
    expect(fs.existsSync(fileOf(c5))).toBe(true);
    const audit = await auditEventsOf(database.db, 'export_archived');
    expect(audit.map((event) => [event.target, event.details])).toEqual(
      [c3, f2, c1].map((item, index) => [
        `export ${item.id}`,
        {
          reason: 'keep_count',
          keep_per_source: 2,
          newer_exports: 2 + index,
          status: item.row.status,
          file: item.row.status === 'complete' ? 'deleted' : 'none',
        },
      ]),
    );
  });

  it('counts each setting (completed only or all files, removed instances) as a source of its own', async () => {
    const [completedOld, allFiles, withRemoved, completedNew] = await addAll([
      { status: 'complete', daysAgo: 4 },
      { status: 'complete', daysAgo: 3, annIsComplete: false },
      { status: 'complete', daysAgo: 2, includeRemoved: true },
      { status: 'complete', daysAgo: 1 },
    ]);
    await sweepOf({ keepPerSource: 1 }).run();
    expect(await listedExportIds(database)).toEqual(idsOf([allFiles, withRemoved, completedNew]));
    expect(completedOld).toBeDefined();
  });

  it('archives for age first when both rules apply, and judges across small batches and many projects as in one', async () => {
    const otherProject = await addProject(database, 'busy', 'Busy');
    const busyDirectory = await addDirectory(database, otherProject, 'Pile', []);
    const busy: AddedExport[] = [];
    for (let index = 0; index < 23; index += 1) {
      busy.push(
        await addRetentionExport(database, storage, {
          projectId: otherProject,
          source: { directory: busyDirectory },
          status: index % 4 === 3 ? 'failed' : 'complete',
          daysAgo: 60 - index * 2,
        }),
      );
    }
    const mine = await addAll([
      { status: 'complete', daysAgo: 90 },
      { status: 'complete', daysAgo: 1 },
    ]);

    const result = await sweepOf(
      { retentionDays: 30, keepPerSource: 5 },
      { batchSize: 2, projectBatchSize: 1 },
    ).run();

    // Busy: ids ascending are oldest first; the newest 5 (indexes 18–22, the newest complete) stay,
    // the rest go: those older than 30 days (indexes 0–14) for age, the others (15 is exactly 30
    // days old, 16, 17) for the keep count. Mine: the old one for age.
    expect(result.archived).toEqual({ age: 15 + 1, keep_count: 3 });
    expect(await listedExportIds(database)).toEqual(idsOf([...busy.slice(18), mine[1]]));
    const reasons = new Map(
      (await auditEventsOf(database.db, 'export_archived')).map((event) => [
        event.target,
        event.details.reason,
      ]),
    );
    expect(reasons.get(`export ${busy[14]?.id}`)).toBe('age');
    expect(reasons.get(`export ${busy[15]?.id}`)).toBe('keep_count');
    expect(reasons.get(`export ${mine[0].id}`)).toBe('age');
  });

  it('leaves a complete export when the newer complete one its source keeps was archived meanwhile', async () => {
    const [older, kept] = await addAll([
      { status: 'complete', daysAgo: 40 },
      { status: 'complete', daysAgo: 35 },
    ]);
    const state = new ExportState(database, new ExportEvents());
    // What the sweep's judge decided: `older` goes, `kept` stays. Then a user archives `kept`.
    const verdict = { reason: 'age' as const, newerFinished: 1, keptCompleteId: kept.id };
    await archiveExport({ state, storage }, projectId, kept.id);
    expect(
      await archiveExport(
        { state, storage },
        projectId,
        older.id,
        retentionArchiveCondition(verdict),
      ),
    ).toBeUndefined();
    expect(await listedExportIds(database)).toEqual([older.id]);
    expect(fs.existsSync(fileOf(older))).toBe(true);
    // The next sweep sees `older` as the newest complete export of its source, and keeps it.
    await sweepOf({ retentionDays: 30 }).run();
    expect(await listedExportIds(database)).toEqual([older.id]);
  });

  it('never archives an unfinished export, whatever the verdict says', async () => {
    const [running] = await addAll([{ status: 'running', daysAgo: 90 }]);
    const state = new ExportState(database, new ExportEvents());
    const condition = retentionArchiveCondition({
      reason: 'age',
      newerFinished: 0,
      keptCompleteId: null,
    });
    expect(
      await archiveExport({ state, storage }, projectId, running.id, condition),
    ).toBeUndefined();
    expect(await listedExportIds(database)).toEqual([running.id]);
  });

  it('archives the row and says so when its file cannot be deleted; the file sweep deletes it later', async () => {
    const [old] = await addAll([
      { status: 'complete', daysAgo: 40 },
      { status: 'complete', daysAgo: 1 },
    ]);
    const logger = new RecordingLogger();
    const result = await sweepOf(
      { retentionDays: 30 },
      { storage: new UndeletableStorage(storage.root), logger },
    ).run();
    expect(result).toMatchObject({ outcome: 'done', archived: { age: 1 }, filesLeft: 1 });
    expect(await listedExportIds(database)).not.toContain(old.id);
    const [event] = await auditEventsOf(database.db, 'export_archived');
    expect(event?.details.file).toBe('left for the file sweep');
    expect(logger.lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^warn: annex worker worker-test: Export ${old.id} was archived, but its file .* could not be deleted from storage \\(storage unreachable\\)`,
        ),
      ),
    );
  });

  describe('one sweep at a time', () => {
    let second: AnnexDatabase;
    beforeEach(async () => {
      second = await openDatabase(database.url);
    });
    afterEach(async () => {
      await second.close();
    });

    it('lets only one of two workers sweep while it holds the lease; the other skips its turn', async () => {
      const old = await addAll([
        { status: 'complete', daysAgo: 50 },
        { status: 'failed', daysAgo: 45 },
        { status: 'complete', daysAgo: 40 },
        { status: 'complete', daysAgo: 1 },
      ]);
      const gated = new GatedStorage(storage.root);
      const first = sweepOf({ retentionDays: 30 }, { storage: gated, holder: 'worker-1' });
      const other = sweepOf({ retentionDays: 30 }, { database: second, holder: 'worker-2' });

      const firstRun = first.run();
      await gated.reached.promise; // worker-1 holds the lease and is deleting a file
      expect(await other.run()).toMatchObject({
        outcome: 'busy',
        archived: { age: 0, keep_count: 0 },
      });
      gated.open();
      expect(await firstRun).toMatchObject({ outcome: 'done', archived: { age: 3 } });

      const audit = await auditEventsOf(database.db, 'export_archived');
      expect(audit.map((event) => event.target).sort()).toEqual(
        old
          .slice(0, 3)
          .map((item) => `export ${item.id}`)
          .sort(),
      );
      // Released at the end: the next sweep anywhere runs (and finds nothing left to do).
      expect(await database.db.selectFrom('maintenance_lease').selectAll().execute()).toEqual([]);
      expect(await other.run()).toMatchObject({
        outcome: 'done',
        archived: { age: 0, keep_count: 0 },
      });
    });

    it('archives each export once when two workers start sweeping at the same moment', async () => {
      const specs = Array.from({ length: 12 }, (_, index) => ({
        status: 'complete' as const,
        daysAgo: 100 - index,
      }));
      const exports = await addAll(specs);
      const sweeps = [
        sweepOf({ keepPerSource: 2 }, { holder: 'worker-1' }),
        sweepOf({ keepPerSource: 2 }, { database: second, holder: 'worker-2' }),
      ];
      const results = await Promise.all(sweeps.map((sweep) => sweep.run()));
      const total = results.reduce((sum, result) => sum + result.archived.keep_count, 0);
      expect(total).toBe(10);
      expect(await listedExportIds(database)).toEqual(idsOf(exports.slice(10)));
      const targets = (await auditEventsOf(database.db, 'export_archived')).map(
        (event) => event.target,
      );
      expect(new Set(targets).size).toBe(targets.length);
      expect(targets).toHaveLength(10);
    });

    it('waits out the lease of a crashed worker, then sweeps', async () => {
      await addAll([
        { status: 'failed', daysAgo: 40 },
        { status: 'complete', daysAgo: 1 },
      ]);
      // A worker took the lease at `retentionNow` and died without releasing it.
      const crashed = new MaintenanceLease({
        db: second.db,
        name: retentionLeaseName,
        holder: 'worker-crashed',
        ttlMs: 10 * 60_000,
        clock: () => retentionNow,
      });
      expect(await crashed.tryAcquire()).toBe(true);
      let now = new Date(retentionNow.getTime() + 9 * 60_000);
      const sweep = sweepOf({ retentionDays: 30 }, { clock: () => now });
      expect((await sweep.run()).outcome).toBe('busy');
      now = new Date(retentionNow.getTime() + 10 * 60_000);
      expect(await sweep.run()).toMatchObject({ outcome: 'done', archived: { age: 1 } });
    });

    it('stops when its lease was taken over while it stalled', async () => {
      await addAll([
        { status: 'failed', daysAgo: 40 },
        { status: 'complete', daysAgo: 39 },
        { status: 'complete', daysAgo: 1 },
      ]);
      const gated = new GatedStorage(storage.root);
      const logger = new RecordingLogger();
      const stalled = sweepOf(
        { retentionDays: 30 },
        { storage: gated, holder: 'worker-1', logger },
      );
      const run = stalled.run();
      await gated.reached.promise;
      // worker-1 stalls past its lease; worker-2 finds it run out and takes it.
      await second.db
        .updateTable('maintenance_lease')
        .set({ holder: 'worker-2' })
        .where('name', '=', retentionLeaseName)
        .execute();
      gated.open();
      expect((await run).outcome).toBe('lost_lease');
      expect(logger.lines).toContain(
        'warn: annex worker worker-1: retention sweep stopped: its lease ran out and another process took it over',
      );
      // It leaves worker-2's lease alone.
      expect(
        (await database.db.selectFrom('maintenance_lease').select('holder').execute()).map(
          (row) => row.holder,
        ),
      ).toEqual(['worker-2']);
    });
  });

  it('stops after the export being archived when its worker stops, and releases the lease', async () => {
    await addAll([
      { status: 'complete', daysAgo: 50 },
      { status: 'complete', daysAgo: 45 },
      { status: 'complete', daysAgo: 1 },
    ]);
    const gated = new GatedStorage(storage.root);
    const schedule = new RetentionSchedule({
      database,
      storage: gated,
      events: new ExportEvents(),
      policy: { retentionDays: 30, keepPerSource: null },
      holder: 'worker-1',
      logger: new RecordingLogger(),
      clock: () => retentionNow,
      intervalMs: 60 * 60_000,
    });
    schedule.start();
    await gated.reached.promise;
    const stopped = schedule.stop();
    gated.open();
    await stopped;
    // The export being archived when it stopped went; the next one waits for the next sweep.
    expect(await auditEventsOf(database.db, 'export_archived')).toHaveLength(1);
    expect(await database.db.selectFrom('maintenance_lease').selectAll().execute()).toEqual([]);
    expect(await schedule.runNow()).toBeUndefined();
  });
});
