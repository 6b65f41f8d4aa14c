import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';
import type { AnnexDatabase } from './database.ts';
import { MaintenanceLease } from './maintenance-lease.ts';
import { createTestDatabase, testDialects } from './test-database.ts';
import type { TestDatabase } from './test-database.ts';

// One process at a time across processes: each lease here is a process of its own, half of them on a
// second connection to the same database, as two machines would be.

describe.each(testDialects)('MaintenanceLease on %s', (dialect) => {
  let database: TestDatabase;
  let second: AnnexDatabase;
  let sequence = 0;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    second = await openDatabase(database.url);
  });
  afterAll(async () => {
    await second.close();
    await database.drop();
  });

  /** A fresh task name, so no test sees another's lease. */
  function taskName(): string {
    sequence += 1;
    return `task-${sequence}`;
  }

  function leaseOf(
    name: string,
    holder: string,
    options: { on?: AnnexDatabase; ttlMs?: number; clock?: () => Date } = {},
  ): MaintenanceLease {
    return new MaintenanceLease({
      db: (options.on ?? database).db,
      name,
      holder,
      ttlMs: options.ttlMs ?? 60_000,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  }

  it('is held by one holder until it is released, then by the next', async () => {
    const name = taskName();
    const first = leaseOf(name, 'worker-a');
    const other = leaseOf(name, 'worker-b', { on: second });
    expect(await first.tryAcquire()).toBe(true);
    expect(await other.tryAcquire()).toBe(false);
    // Its holder may take it again (renewing it); nobody else may, however often they ask.
    expect(await first.tryAcquire()).toBe(true);
    expect(await other.tryAcquire()).toBe(false);
    expect(await other.renew()).toBe(false);
    // A release by someone who does not hold it changes nothing.
    await other.release();
    expect((await first.current())?.holder).toBe('worker-a');
    await first.release();
    expect(await first.current()).toBeUndefined();
    expect(await other.tryAcquire()).toBe(true);
    expect(await first.tryAcquire()).toBe(false);
    await other.release();
  });

  it('runs out when a crashed holder stops renewing it, and is then taken over', async () => {
    const name = taskName();
    const start = Date.parse('2025-06-01T10:00:00.000Z');
    let now = start;
    const clock = () => new Date(now);
    const crashed = leaseOf(name, 'worker-crashed', { ttlMs: 10_000, clock });
    const survivor = leaseOf(name, 'worker-survivor', { on: second, ttlMs: 10_000, clock });
    expect(await crashed.tryAcquire()).toBe(true);
    now = start + 5_000;
    expect(await crashed.renew()).toBe(true); // runs until start + 15 s now
    now = start + 14_999;
    expect(await survivor.tryAcquire()).toBe(false);
    // The crashed holder never renews again, nor releases.
    now = start + 15_000;
    expect(await survivor.tryAcquire()).toBe(true);
    expect(await survivor.current()).toEqual({
      holder: 'worker-survivor',
      expiresTime: new Date(start + 25_000).toISOString(),
    });
    // Back from the dead, the old holder learns it lost the lease and cannot take it back.
    expect(await crashed.renew()).toBe(false);
    expect(await crashed.tryAcquire()).toBe(false);
    await crashed.release();
    expect((await survivor.current())?.holder).toBe('worker-survivor');
    await survivor.release();
  });

  it('goes to exactly one of many holders racing for it on two connections', async () => {
    const name = taskName();
    const contenders = Array.from({ length: 12 }, (_, index) =>
      leaseOf(name, `worker-${index}`, { on: index % 2 === 0 ? database : second }),
    );
    const won = await Promise.all(contenders.map((lease) => lease.tryAcquire()));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = contenders[won.indexOf(true)];
    expect((await winner?.current())?.holder).toBe(winner?.holder);
    await winner?.release();
  });

  it('refuses a lease without a holder or a positive duration', () => {
    expect(() => leaseOf(taskName(), '')).toThrow('A lease holder needs a name');
    expect(() => leaseOf(taskName(), 'worker-a', { ttlMs: 0 })).toThrow(
      'A lease lasts a positive time; got 0',
    );
  });
});
