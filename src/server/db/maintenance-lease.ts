import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

// A lease on a maintenance task, so that one process at a time runs it across every process on one
// database (SQLite or PostgreSQL alike): a row in `maintenance_lease` (migration 0008) naming the
// holder and when the lease runs out. Taking it is one conditional upsert: it inserts the row, or
// takes over a row whose lease has run out (or that this holder already has); two processes racing
// for it cannot both win, since the database serialises writes to one row and the loser's condition
// then reads the winner's lease. The holder renews it while it works and deletes it when done; a
// holder that crashed never deletes it, and the lease runs out `ttlMs` after its last renewal.
//
// Times are the processes' own clocks, as ISO-8601 text. Leases last minutes, so clocks a few
// seconds apart only shift when a crashed holder's lease is taken over, never who holds it.

/** What a lease is made of. */
export interface MaintenanceLeaseOptions {
  /** The database the lease row lives in. */
  db: Kysely<Database>;
  /** The task it guards, the same in every process (`export-retention`). */
  name: string;
  /** Who takes it: unique per process (a worker id). */
  holder: string;
  /** How long a taken or renewed lease lasts, in milliseconds. */
  ttlMs: number;
  /** The time now; tests move it. */
  clock?: () => Date;
}

/** A lease one holder takes, renews and releases; see the module comment. */
export class MaintenanceLease {
  /** The task it guards. */
  readonly name: string;
  /** Who takes it. */
  readonly holder: string;
  private readonly db: Kysely<Database>;
  private readonly ttlMs: number;
  private readonly clock: () => Date;

  constructor(options: MaintenanceLeaseOptions) {
    if (options.holder.length === 0) throw new Error('A lease holder needs a name');
    if (!(options.ttlMs > 0))
      throw new Error(`A lease lasts a positive time; got ${options.ttlMs}`);
    this.db = options.db;
    this.name = options.name;
    this.holder = options.holder;
    this.ttlMs = options.ttlMs;
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Takes the lease when nobody holds it, its holder's lease ran out, or this holder has it already
   * (then it is renewed); true when this holder holds it now, false when someone else does.
   */
  async tryAcquire(): Promise<boolean> {
    const now = this.clock();
    const expires = new Date(now.getTime() + this.ttlMs).toISOString();
    const taken = await this.db
      .insertInto('maintenance_lease')
      .values({
        name: this.name,
        holder: this.holder,
        acquired_time: now.toISOString(),
        expires_time: expires,
      })
      .onConflict((conflict) =>
        conflict
          .column('name')
          .doUpdateSet({
            holder: this.holder,
            acquired_time: now.toISOString(),
            expires_time: expires,
          })
          .where((eb) =>
            eb.or([
              eb('maintenance_lease.expires_time', '<=', now.toISOString()),
              eb('maintenance_lease.holder', '=', this.holder),
            ]),
          ),
      )
      .returning('holder')
      .executeTakeFirst();
    return taken !== undefined;
  }

  /**
   * Pushes the end of this holder's lease `ttlMs` past now; false when it no longer holds it (it ran
   * out and someone else took it), and the holder must then stop the work the lease guards.
   */
  async renew(): Promise<boolean> {
    const now = this.clock();
    const result = await this.db
      .updateTable('maintenance_lease')
      .set({ expires_time: new Date(now.getTime() + this.ttlMs).toISOString() })
      .where('name', '=', this.name)
      .where('holder', '=', this.holder)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Gives the lease up, so the next process need not wait for it to run out; a lease someone else holds is left alone. */
  async release(): Promise<void> {
    await this.db
      .deleteFrom('maintenance_lease')
      .where('name', '=', this.name)
      .where('holder', '=', this.holder)
      .execute();
  }

  /** The lease as stored (its holder and end, which may have passed), or undefined when none is (for logs and tests). */
  async current(): Promise<{ holder: string; expiresTime: string } | undefined> {
    const row = await this.db
      .selectFrom('maintenance_lease')
      .select(['holder', 'expires_time'])
      .where('name', '=', this.name)
      .executeTakeFirst();
    return row === undefined ? undefined : { holder: row.holder, expiresTime: row.expires_time };
  }
}
