import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from './bench-args.ts';

describe('parseBenchArgs', () => {
  it('defaults to 100,000 files on SQLite with three page sizes', () => {
    expect(parseBenchArgs([])).toEqual({
      files: 100_000,
      pageSizes: [100, 500, 2000],
      dialects: ['sqlite'],
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
      ]),
    ).toEqual({
      files: 2000,
      pageSizes: [3, 500],
      dialects: ['sqlite', 'postgres'],
      help: false,
      diff: false,
    });
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
    [['--rows', '5'], "Unknown option '--rows'"],
  ])('refuses %j with a message naming the flag', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
