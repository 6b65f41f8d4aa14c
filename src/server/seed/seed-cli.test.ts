import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { parseSeedArgs, SeedUsageError } from './seed-cli.ts';

const run = promisify(execFile);

describe('parseSeedArgs', () => {
  it('seeds the demo without flags', () => {
    expect(parseSeedArgs([])).toEqual({ kind: 'demo' });
  });

  it('reads a bulk size, a project name and a seed', () => {
    expect(parseSeedArgs(['--files', '100000'])).toEqual({
      kind: 'bulk',
      files: 100_000,
      projectStringId: 'bulk-100000',
      seed: 42,
    });
    expect(parseSeedArgs(['--files=1_000', '--project', 'big', '--seed', '7'])).toEqual({
      kind: 'bulk',
      files: 1000,
      projectStringId: 'big',
      seed: 7,
    });
  });

  it('asks for help', () => {
    expect(parseSeedArgs(['--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--files', 'abc'], /--files takes a whole number, got "abc"/],
    [['--files', '0'], /--files must be between 1 and 10,000,000, got 0/],
    [['--files', '-5'], /--files/],
    [['--files', '2.5'], /--files takes a whole number/],
    [['--files', '20000000'], /--files must be between 1 and 10,000,000/],
    [
      ['--files', '10', '--project', 'Has Spaces'],
      /--project "Has Spaces" is not a valid project_string_id/,
    ],
    [['--project', 'big'], /add --files N/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['stray'], /positional/i],
  ])('rejects %j', (argv, message) => {
    expect(() => parseSeedArgs(argv)).toThrow(SeedUsageError);
    expect(() => parseSeedArgs(argv)).toThrow(message);
  });
});

describe('npm run seed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-seed-cli-'));
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const tsx = path.resolve('node_modules/.bin/tsx');
  const script = path.resolve('src/server/seed/seed-cli.ts');

  it('migrates the database DATABASE_URL names and seeds a bulk project into it', async () => {
    const url = `sqlite:${path.join(dir, 'annex.db')}`;
    const { stdout } = await run(tsx, [script, '--files', '40', '--project', 'cli-test'], {
      env: { ...process.env, DATABASE_URL: url },
    });
    expect(stdout).toMatch(/Seeded "cli-test" \(id \d+\) in sqlite:.*: 40 files/);
    const database = await openDatabase(url);
    try {
      const files = await database.db
        .selectFrom('file')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(files.n).toBe(40);
    } finally {
      await database.close();
    }
  });

  it('exits 2 with the reason and the usage on a bad flag', async () => {
    const failure = await run(tsx, [script, '--files', 'lots'], {
      env: { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'unused.db')}` },
    }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('--files takes a whole number, got "lots"');
    expect(failure?.stderr).toContain('Usage: npm run seed');
    expect(fs.existsSync(path.join(dir, 'unused.db'))).toBe(false);
  });
});
