import type { Insertable, Kysely } from 'kysely';
import type { DialectName } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

// One statement may bind at most 32,766 values on SQLite (SQLITE_MAX_VARIABLE_NUMBER) and 65,535
// on PostgreSQL (the wire protocol's 16-bit count). Staying a little under leaves room for any
// value Kysely binds besides the rows.
const maxParametersByDialect: Record<DialectName, number> = { sqlite: 32_000, postgres: 65_000 };

/** How many rows of `columnCount` columns fit in one multi-row INSERT on this dialect. */
export function rowsPerStatement(dialect: DialectName, columnCount: number): number {
  if (!Number.isInteger(columnCount) || columnCount < 1) {
    throw new Error(`rowsPerStatement needs a positive column count, got ${columnCount}`);
  }
  return Math.max(1, Math.floor(maxParametersByDialect[dialect] / columnCount));
}

/** Splits rows into the largest multi-row INSERTs the dialect allows. */
export function* batchesOf<Row extends object>(
  dialect: DialectName,
  rows: readonly Row[],
): Generator<Row[]> {
  const first = rows[0];
  if (first === undefined) return;
  const size = rowsPerStatement(dialect, Object.keys(first).length);
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}

/**
 * Inserts rows with as few statements as the dialect's parameter limit allows. Every row must
 * name the same columns: a multi-row VALUES list has one column list.
 */
export async function insertBatched<Table extends keyof Database>(
  db: Kysely<Database>,
  dialect: DialectName,
  table: Table,
  rows: readonly Insertable<Database[Table]>[],
): Promise<void> {
  for (const batch of batchesOf(dialect, rows)) {
    await db.insertInto(table).values(batch).execute();
  }
}
