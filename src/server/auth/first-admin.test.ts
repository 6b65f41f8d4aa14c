import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { createTestDatabase, testDialects } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { createTestDataDir } from '../test-utils/test-app.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import { addProject } from '../test-utils/test-records.ts';
import {
  ensureFirstAdmin,
  generateReadablePassword,
  initialAdminPasswordPath,
  listFirstAdminInProject,
} from './first-admin.ts';
import { verifyPassword } from './password-hash.ts';

describe('generateReadablePassword', () => {
  it('is five groups of five unambiguous letters and digits, different every time', () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generateReadablePassword()));
    expect(passwords.size).toBe(50);
    for (const password of passwords) {
      expect(password).toMatch(/^[a-km-np-z2-9]{5}(-[a-km-np-z2-9]{5}){4}$/);
      expect(password.length).toBeGreaterThanOrEqual(20);
    }
  });
});

describe.each(testDialects)('the first admin on %s', (dialect) => {
  let database: TestDatabase;
  let dataDir: string;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    dataDir = createTestDataDir();
  });
  afterEach(async () => {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function users() {
    return database.db.selectFrom('app_user').selectAll().execute();
  }

  it('is made with a generated password on an empty database, kept in a 0600 file, and not again', async () => {
    const settings = { email: 'Boss@Example.com', password: undefined, dataDir };
    const first = await ensureFirstAdmin(database, settings);

    if (!first.created) throw new Error('expected the first admin to be created');
    expect(first.email).toBe('boss@example.com');
    const password = first.generatedPassword ?? '';
    expect(password.length).toBeGreaterThanOrEqual(20);
    const file = initialAdminPasswordPath(dataDir);
    expect(first.passwordFile).toBe(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${password}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const [admin, ...others] = await users();
    expect(others).toEqual([]);
    expect(admin).toMatchObject({
      id: first.userId,
      email: 'boss@example.com',
      is_instance_admin: 1,
      disabled: 0,
      must_change_password: 1,
    });
    expect(await verifyPassword(password, admin?.password_hash ?? '')).toBe(true);

    const second = await ensureFirstAdmin(database, settings);
    expect(second).toEqual({ created: false });
    expect(fs.readFileSync(file, 'utf8')).toBe(`${password}\n`);
    expect(await users()).toHaveLength(1);
    expect(fs.readdirSync(dataDir)).toEqual(['initial-admin-password']);
  });

  it('takes ANNEX_ADMIN_PASSWORD when given: no file, nothing to change', async () => {
    const outcome = await ensureFirstAdmin(database, {
      email: 'admin@annex.local',
      password: 'given-by-the-operator',
      dataDir,
    });

    expect(outcome).toMatchObject({
      created: true,
      generatedPassword: undefined,
      passwordFile: undefined,
    });
    expect(fs.existsSync(initialAdminPasswordPath(dataDir))).toBe(false);
    const [admin] = await users();
    expect(admin?.must_change_password).toBe(0);
    expect(await verifyPassword('given-by-the-operator', admin?.password_hash ?? '')).toBe(true);
  });

  it('makes nobody when any account exists', async () => {
    await addTestAccount(database.db, { email: 'someone@example.com' });
    const outcome = await ensureFirstAdmin(database, {
      email: 'admin@annex.local',
      password: undefined,
      dataDir,
    });
    expect(outcome).toEqual({ created: false });
    expect(fs.existsSync(initialAdminPasswordPath(dataDir))).toBe(false);
  });

  it('lists the first admin as admin of the demo project, once', async () => {
    expect(await listFirstAdminInProject(database, 'demo')).toBe(false);
    const demoId = await addProject(database, 'demo', 'Demo');
    const outcome = await ensureFirstAdmin(database, {
      email: 'admin@annex.local',
      password: undefined,
      dataDir,
    });
    await addTestAccount(database.db, { instanceAdmin: true });

    expect(await listFirstAdminInProject(database, 'demo')).toBe(true);
    expect(await listFirstAdminInProject(database, 'demo')).toBe(true);
    const members = await database.db
      .selectFrom('project_member')
      .select(['user_id', 'role'])
      .where('project_id', '=', demoId)
      .execute();
    expect(members).toEqual([{ user_id: outcome.created ? outcome.userId : -1, role: 'admin' }]);
  });

  it.runIf(dialect === 'postgres')(
    'is made once when two processes start at once: one wins, the other finds it',
    async () => {
      const rival = await openDatabase(database.url, { poolSize: 2 });
      try {
        const settings = { email: 'admin@annex.local', password: undefined, dataDir };
        const outcomes = await Promise.all([
          ensureFirstAdmin(database, settings),
          ensureFirstAdmin(rival, settings),
        ]);

        const winners = outcomes.filter((outcome) => outcome.created);
        expect(winners).toHaveLength(1);
        const [admin, ...others] = await users();
        expect(others).toEqual([]);
        const written = fs.readFileSync(initialAdminPasswordPath(dataDir), 'utf8').trim();
        expect(await verifyPassword(written, admin?.password_hash ?? '')).toBe(true);
        expect(fs.readdirSync(dataDir)).toEqual(['initial-admin-password']);
      } finally {
        await rival.close();
      }
    },
  );
});

describe('npm start on an empty database', () => {
  const dataDir = createTestDataDir();
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // main.ts as an operator runs it (API only, on a free port), until its summary is printed.
  async function startOnce(): Promise<string> {
    const { spawn } = await import('node:child_process');
    const environment: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${path.join(dataDir, 'annex.db')}`,
      PORT: '0',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'silent',
    };
    delete environment.ANNEX_ADMIN_PASSWORD;
    delete environment.ANNEX_ADMIN_EMAIL;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/server/main.ts', '--services=api'],
      {
        cwd: path.resolve(import.meta.dirname, '../../..'),
        env: environment,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/services\s+api/.test(output)) setTimeout(resolve, 200);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) => reject(new Error(`annex exited (${String(code)}):\n${output}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    return output;
  }

  it('prints the generated password once with the URL, keeps it in a 0600 file, and lists the admin in the demo', async () => {
    const first = await startOnce();
    const file = initialAdminPasswordPath(dataDir);
    const password = fs.readFileSync(file, 'utf8').trim();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first).toMatch(/Sign in at http:\/\/127\.0\.0\.1:\d+ with/);
    expect(first).toContain('admin@annex.local');
    expect(first.split(password)).toHaveLength(2);

    const database = await openDatabase(`sqlite:${path.join(dataDir, 'annex.db')}`);
    try {
      const members = await database.db
        .selectFrom('project_member')
        .innerJoin('project', 'project.id', 'project_member.project_id')
        .innerJoin('app_user', 'app_user.id', 'project_member.user_id')
        .select(['project.project_string_id', 'app_user.email', 'project_member.role'])
        .execute();
      expect(members).toEqual([
        { project_string_id: 'demo', email: 'admin@annex.local', role: 'admin' },
      ]);
    } finally {
      await database.close();
    }

    const second = await startOnce();
    expect(second).not.toContain(password);
    expect(second).not.toContain('First start');
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(password);
  }, 120_000);
});
