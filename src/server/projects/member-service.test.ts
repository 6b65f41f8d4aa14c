import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import { addProject } from '../test-utils/test-records.ts';
import { MemberService } from './member-service.ts';

// The last-admin guard under concurrency: a project's two admins demoting (or removing) each other at
// the same moment leave it one admin, never none.

describe.each(testDialects)('MemberService on %s', (dialect) => {
  let database: TestDatabase;
  let service: MemberService;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    service = new MemberService(database);
  });
  afterAll(async () => {
    await database.drop();
  });

  it.each(['demote', 'remove'] as const)(
    'keeps one admin when two admins %s each other at once',
    async (change) => {
      for (let round = 0; round < 5; round += 1) {
        const projectStringId = `race-${change}-${round}`;
        const projectId = await addProject(database, projectStringId, projectStringId);
        const project = { id: projectId, project_string_id: projectStringId };
        const ann = await addTestAccount(database.db, { projects: { [projectId]: 'admin' } });
        const ben = await addTestAccount(database.db, { projects: { [projectId]: 'admin' } });
        const actor = { principal: null, ip: null };
        const act = (userId: number) =>
          change === 'demote'
            ? service.changeRole(project, userId, 'viewer', actor)
            : service.remove(project, userId, actor);
        const outcomes = await Promise.allSettled([act(ann.userId), act(ben.userId)]);
        const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
        expect(refused).toHaveLength(1);
        expect(String((refused[0] as PromiseRejectedResult).reason)).toContain(
          `is the last admin of project "${projectStringId}"`,
        );
        const admins = await database.db
          .selectFrom('project_member')
          .select('user_id')
          .where('project_id', '=', projectId)
          .where('role', '=', 'admin')
          .execute();
        expect(admins).toHaveLength(1);
      }
    },
  );
});
