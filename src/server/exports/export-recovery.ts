import { sql } from 'kysely';
import type { ExportStatus } from '../../contract/exports.ts';
import type { AnnexDatabase } from '../db/database.ts';

/*
 * The reads recovery and the file sweep judge by: which running exports have lost their worker
 * (stale heartbeat, or on PostgreSQL a session gone from `pg_stat_activity`), and which export each
 * stored file was written for. They only read; the moves they lead to (`recover`, `giveUp`) are
 * guarded UPDATEs in `export-state.ts`, which stays the one home of every status write and calls
 * these reads from its `findOrphans` and `fileOwners`. This module imports nothing of the state
 * module, so imports flow one way.
 */

/** A running export whose worker may be dead, as `findOrphans` reads it. */
export interface OrphanExport {
  /** The export. */
  id: number;
  /** The worker that held it, or null. */
  claimed_by: string | null;
  /** How many workers claimed it so far. */
  attempt_count: number;
}

/**
 * Which running exports `findOrphans` looks at: every one, or only those whose heartbeat is stale
 * (on PostgreSQL also those whose owner session is gone).
 */
export type OrphanRule = 'all-running' | 'stale';

/** What the file sweep needs to know of the export a stored file was written for. */
export interface FileOwner {
  /** The export. */
  id: number;
  /** Its status now. */
  status: ExportStatus;
  /** 1 once archived. */
  archived: number;
  /** The file its row points to, if any. */
  storage_key: string | null;
  /** The worker holding it, when running. */
  claimed_by: string | null;
}

/**
 * A PostgreSQL session's key as `owner_session` stores it: the backend's pid and its start time (in
 * µs, since a pid is reused), so a key never names a later session. One expression, used both when a
 * worker reads its own key and when recovery looks for the keys still alive in `pg_stat_activity`.
 */
export const sessionKeySql =
  "pid::text || ':' || (extract(epoch from backend_start) * 1000000)::bigint::text";

/** Reads the key of the session it runs on; for the worker's dedicated session connection. */
export const ownSessionKeyQuery = `select ${sessionKeySql} as key from pg_stat_activity where pid = pg_backend_pid()`;

/** Ids per `in (…)` list: well under SQLite's limit on bound parameters. */
const idsPerQuery = 500;

/**
 * Running exports whose worker may be dead or no longer building them; `building` are the ids
 * `workerId` is building right now, the only running exports it vouches for. Its other exports
 * (say, one whose final write it could not record) are orphans like anyone's. With `stale`, those
 * whose heartbeat (or start, before the first heartbeat) is older than `staleAfterMs`, and on
 * PostgreSQL those whose owner session is gone from `pg_stat_activity` (a crashed worker's,
 * recovered at once); with `all-running`, every one (SQLite at start, where no other worker can
 * own them).
 */
export async function findOrphans(
  database: AnnexDatabase,
  workerId: string,
  rule: OrphanRule,
  staleAfterMs: number,
  building: ReadonlySet<number> = new Set(),
): Promise<OrphanExport[]> {
  const staleBefore = new Date(Date.now() - staleAfterMs).toISOString();
  const postgres = database.dialect === 'postgres';
  let query = database.db
    .selectFrom('export')
    .select(['id', 'claimed_by', 'attempt_count'])
    .where('status', '=', 'running');
  if (building.size > 0) {
    query = query.where((eb) =>
      eb.or([
        eb('claimed_by', 'is', null),
        eb('claimed_by', '!=', workerId),
        eb('id', 'not in', [...building]),
      ]),
    );
  }
  if (rule === 'stale') {
    query = query.where((eb) =>
      eb.or([
        eb('heartbeat_time', '<', staleBefore),
        eb.and([eb('heartbeat_time', 'is', null), eb('started_time', '<', staleBefore)]),
        ...(postgres
          ? [
              eb.and([
                eb('owner_session', 'is not', null),
                eb(
                  'owner_session',
                  'not in',
                  sql<string>`(select ${sql.raw(sessionKeySql)} from pg_stat_activity where backend_start is not null)`,
                ),
              ]),
            ]
          : []),
      ]),
    );
  }
  return query.execute();
}

/**
 * The exports the stored files of `ids` were written for, as the file sweep judges them; an id
 * with no row is missing from the map.
 */
export async function findFileOwners(
  database: AnnexDatabase,
  ids: readonly number[],
): Promise<Map<number, FileOwner>> {
  const owners = new Map<number, FileOwner>();
  for (const chunk of chunksOf([...new Set(ids)])) {
    const rows = await database.db
      .selectFrom('export')
      .select(['id', 'status', 'archived', 'storage_key', 'claimed_by'])
      .where('id', 'in', chunk)
      .execute();
    for (const row of rows) owners.set(row.id, row);
  }
  return owners;
}

/** Splits ids into lists short enough for one `in (…)`; the heartbeat of many exports uses it too. */
export function chunksOf(ids: number[]): number[][] {
  const chunks: number[][] = [];
  for (let start = 0; start < ids.length; start += idsPerQuery) {
    chunks.push(ids.slice(start, start + idsPerQuery));
  }
  return chunks;
}
