import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { taskStatuses } from '../../contract/annotations.ts';
import type { TaskStatus } from '../../contract/annotations.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import {
  addSmallProject,
  applyChange,
  expectCountsToMatchRecount,
} from './project-counts-test-changes.ts';
import type { Change } from './project-counts-test-changes.ts';

// The maintained counts (migration 0004's triggers) against a fresh recount after random sequences
// of every kind of change a writer can make, on both engines. The seed, the worked example and the
// migration are in project-counts.test.ts.

const index = fc.nat({ max: 99 });
const flag = fc.constantFrom<0 | 1>(0, 1);
const state = fc.constantFrom<'added' | 'removed'>('added', 'removed');
const status = fc.constantFrom<TaskStatus>(...taskStatuses);
const changeArbitrary: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('add to directory'), directory: index, file: index }),
  fc.record({ kind: fc.constant('add to every directory'), file: index }),
  fc.record({ kind: fc.constant('remove from directory'), directory: index, file: index }),
  fc.record({ kind: fc.constant('empty directory'), directory: index }),
  fc.record({ kind: fc.constant('move membership'), directory: index, file: index, to: index }),
  fc.record({ kind: fc.constant('mark complete'), file: index, complete: flag }),
  fc.record({ kind: fc.constant('mark every file'), complete: flag }),
  fc.record({ kind: fc.constant('set state'), file: index, state }),
  fc.record({ kind: fc.constant('set state and complete'), file: index, state, complete: flag }),
  fc.record({ kind: fc.constant('replace file'), file: index, complete: fc.boolean(), state }),
  fc.record({ kind: fc.constant('add task'), job: index, file: index, status }),
  fc.record({ kind: fc.constant('delete task'), task: index }),
  fc.record({ kind: fc.constant('set task status'), task: index, status }),
  fc.record({ kind: fc.constant('set every task status'), job: index, status }),
  fc.record({ kind: fc.constant('move task'), task: index, job: index }),
);

describe.each(testDialects)('maintained project counts on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('follow any sequence of changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(changeArbitrary, { maxLength: 12 }), async (changes) => {
        const project = await addSmallProject(database);
        await expectCountsToMatchRecount(database, project.projectId, 'setting up');
        for (const [n, change] of changes.entries()) {
          await applyChange(database, project, change);
          await expectCountsToMatchRecount(
            database,
            project.projectId,
            `change ${n + 1}: ${JSON.stringify(change)}`,
          );
        }
      }),
      { numRuns: 30 },
    );
  });
});
