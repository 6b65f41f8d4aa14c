import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from './bench-args.ts';

describe('parseBenchArgs', () => {
  it('defaults to 100,000 files on SQLite with three page sizes', () => {
    expect(parseBenchArgs([])).toEqual({
      files: 100_000,
      pageSizes: [100, 500, 2000],
      dialects: ['sqlite'],
      storages: ['local'],
      help: false,
      diff: false,
    });
  });

  it('reads sizes, page sizes and dialects', () => {
    expect(
      parseBenchArgs([
        '--files',
        '2,000',
        '--page-sizes',
        '3, 500,500',
        '--dialects',
        'sqlite,postgres',
        '--storage',
        'both',
      ]),
    ).toEqual({
      files: 2000,
      pageSizes: [3, 500],
      dialects: ['sqlite', 'postgres'],
      storages: ['local', 's3'],
      help: false,
      diff: false,
    });
    expect(parseBenchArgs(['--storage', 's3']).storages).toEqual(['s3']);
    expect(parseBenchArgs(['--storage', 's3,local,s3']).storages).toEqual(['s3', 'local']);
    expect(parseBenchArgs(['-h']).help).toBe(true);
    expect(parseBenchArgs(['--diff', '--files', '1000'])).toMatchObject({
      diff: true,
      files: 1000,
    });
  });

  it.each([
    [['--files', 'many'], '--files takes whole numbers, got "many"'],
    [['--files', '0'], '--files must be between 1 and 2,000,000, got 0'],
    [['--page-sizes', '500,-1'], '--page-sizes takes whole numbers, got "-1"'],
    [['--page-sizes', '50000'], '--page-sizes must be between 1 and 30,000, got 50000'],
    [['--page-sizes', ','], '--page-sizes needs at least one size, e.g. 500'],
    [['--dialects', 'mysql'], '--dialects takes sqlite and/or postgres, got "mysql"'],
    [['--storage', 'gcs'], '--storage takes local, s3 or both, got "gcs"'],
    [['--storage', ','], '--storage needs local, s3 or both'],
    [['--rows', '5'], "Unknown option '--rows'"],
  ])('refuses %j with a message naming the flag', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
