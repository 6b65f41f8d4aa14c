import type { MatrixWorld } from './role-matrix-fixture.ts';

// The diff row of the role matrix needs two complete exports; the world builds one. A copy of its
// row (the same stored file) is a second complete export without running the worker again.

const copies = new WeakMap<MatrixWorld, Promise<number>>();

/** A second complete export of the demo project, made once per world: a copy of `completeExportId`. */
export function secondCompleteExport(world: MatrixWorld): Promise<number> {
  let copy = copies.get(world);
  if (copy === undefined) {
    copy = copyExport(world);
    copies.set(world, copy);
  }
  return copy;
}

async function copyExport(world: MatrixWorld): Promise<number> {
  const { db } = world.database;
  const { id: _id, ...row } = await db
    .selectFrom('export')
    .selectAll()
    .where('id', '=', world.completeExportId)
    .executeTakeFirstOrThrow();
  const inserted = await db
    .insertInto('export')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}
