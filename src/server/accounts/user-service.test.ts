import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedInActor } from '../audit/audit-log.ts';
import { markSignedUp } from '../audit/audit-test-reads.ts';
import type { Principal } from '../auth/principal.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import type { TestAccount } from '../test-utils/test-accounts.ts';
import { UserService } from './user-service.ts';

// The last-admin guard under concurrency, at the service: two instance admins, each already past
// authentication, demote each other at the same moment. Through HTTP the second request usually
// authenticates after the first committed (a 403), which hides the race; here both are in flight.

function actorFor(account: TestAccount): SignedInActor {
  const principal: Principal = {
    via: 'api_key',
    user: {
      id: account.userId,
      email: account.email,
      isInstanceAdmin: true,
      isInstanceAdminAccount: true,
      mustChangePassword: false,
    },
    apiKey: { id: 0, name: 'test key', projectId: null, role: null },
  };
  return { principal, ip: null };
}

describe.each(testDialects)('UserService on %s', (dialect) => {
  let database: TestDatabase;
  let service: UserService;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    service = new UserService({ database, signUpLinkHours: 72 });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('never lets two admins demoting each other at once leave annex without an active one', async () => {
    for (let round = 0; round < 5; round += 1) {
      await database.db.updateTable('app_user').set({ is_instance_admin: 0 }).execute();
      const ann = await addTestAccount(database.db, { instanceAdmin: true });
      const ben = await addTestAccount(database.db, { instanceAdmin: true });
      await markSignedUp(database.db, ann.userId);
      await markSignedUp(database.db, ben.userId);
      const outcomes = await Promise.allSettled([
        service.update(ben.userId, { is_instance_admin: false }, actorFor(ann)),
        service.update(ann.userId, { is_instance_admin: false }, actorFor(ben)),
      ]);
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(refused).toHaveLength(1);
      expect(String((refused[0] as PromiseRejectedResult).reason)).toContain(
        'is the last active instance admin',
      );
      const admins = await database.db
        .selectFrom('app_user')
        .select('id')
        .where('is_instance_admin', '=', 1)
        .execute();
      expect(admins).toHaveLength(1);
    }
  });
});
