import { parseArgs } from 'node:util';
import { hashPassword } from '../src/server/auth/password-hash.ts';
import { sessionCookieName } from '../src/server/auth/authenticate.ts';
import { SessionStore } from '../src/server/auth/session-store.ts';
import type { DialectName } from '../src/server/db/database.ts';
import { createTestDatabase } from '../src/server/db/test-database.ts';
import { seedDemoProject } from '../src/server/seed/demo-project.ts';
import { addTestAccount } from '../src/server/test-utils/test-accounts.ts';
import { createTestApp } from '../src/server/test-utils/test-app.ts';
import { printRequestBench, time } from './call-timing.ts';

// What accounts cost a request: the same read of the demo project (GET /api/v1/projects/demo) as
// an API key of a member, of an instance admin, and as a panel session, beside an unauthenticated
// route (/livez) for the floor; and a sign-in, whose scrypt hash is meant to be slow.
// Run with npx rather than an npm script: this bench is occasional.

const usage = `Usage: npx tsx bench/auth-bench.ts [--calls N] [--dialects LIST]

  --calls N        timed calls of each request (default 500; sign-in gets a tenth)
  --dialects LIST  sqlite (default), postgres, or both: sqlite,postgres`;

function parseOptions(argv: string[]): { calls: number; dialects: DialectName[] } | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string', default: '500' },
      dialects: { type: 'string', default: 'sqlite' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) return undefined;
  const calls = Number(values.calls);
  if (!Number.isSafeInteger(calls) || calls < 10)
    throw new Error(`--calls takes a whole number of at least 10, got "${values.calls}"`);
  const dialects = values.dialects.split(',').map((name) => name.trim());
  for (const name of dialects)
    if (name !== 'sqlite' && name !== 'postgres')
      throw new Error(`--dialects takes sqlite and/or postgres, got "${name}"`);
  return { calls, dialects: dialects as DialectName[] };
}

async function benchDialect(dialect: DialectName, calls: number): Promise<string[]> {
  const database = await createTestDatabase(dialect);
  const built = await createTestApp(database);
  try {
    const demo = await seedDemoProject(database);
    const member = await addTestAccount(database.db, { projects: { [demo.projectId]: 'viewer' } });
    const admin = await addTestAccount(database.db, { instanceAdmin: true });
    const password = 'bench-password-0123456789';
    await database.db
      .updateTable('app_user')
      .set({ password_hash: await hashPassword(password) })
      .where('id', '=', member.userId)
      .execute();
    const sessions = new SessionStore(database.db, { idleMinutes: 60, absoluteHours: 24 });
    const { token } = await sessions.create(member.userId, { ip: null, userAgent: null });

    const get = (url: string, headers: Record<string, string>) => async () => {
      const response = await built.anonymousApp.inject({ method: 'GET', url, headers });
      if (response.statusCode !== 200)
        throw new Error(`GET ${url} answered ${response.statusCode}: ${response.body}`);
    };
    const project = '/api/v1/projects/demo';
    const rows: [string, number, { p50: number; p99: number }][] = [
      ['GET /livez (no account asked)', calls, await time(calls, get('/livez', {}))],
      [`GET ${project}, member's API key`, calls, await time(calls, get(project, member.headers))],
      [
        `GET ${project}, instance admin's API key`,
        calls,
        await time(calls, get(project, admin.headers)),
      ],
      [
        `GET ${project}, session cookie`,
        calls,
        await time(calls, get(project, { cookie: `${sessionCookieName}=${token}` })),
      ],
    ];
    const signIns = Math.max(10, Math.round(calls / 10));
    rows.push([
      'POST /api/v1/auth/sign-in (scrypt)',
      signIns,
      await time(signIns, async () => {
        const response = await built.anonymousApp.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          headers: { 'sec-fetch-site': 'same-origin' },
          payload: { email: member.email, password },
        });
        if (response.statusCode !== 200)
          throw new Error(`sign-in answered ${response.statusCode}: ${response.body}`);
      }),
    ]);
    const floor = rows[0]?.[2].p50 ?? NaN;
    return rows.map(
      ([name, count, { p50, p99 }]) =>
        `${dialect}  ${name.padEnd(52)} ${String(count).padStart(5)} calls  p50 ${p50.toFixed(2).padStart(7)} ms  p99 ${p99.toFixed(2).padStart(7)} ms  ${(p50 / floor).toFixed(1).padStart(6)}× the floor`,
    );
  } finally {
    await built.close();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  await printRequestBench('annex accounts', options.dialects, (dialect) =>
    benchDialect(dialect, options.calls),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
  process.exitCode = 1;
});
