import { describe, expect, it } from 'vitest';
import { completionAfterTaskMove } from './task-completion.ts';

// The completion rules as a table: the file's completion now, its tasks' statuses after the move,
// the move, and the completion it takes (undefined: it keeps the one it has).

describe('completionAfterTaskMove', () => {
  it.each([
    [
      'the last open task completes',
      false,
      ['complete', 'complete'],
      'in_progress',
      'complete',
      true,
    ],
    [
      'an open task is archived, the rest complete',
      false,
      ['complete', 'archived'],
      'available',
      'archived',
      true,
    ],
    [
      'a task completes while another is open',
      false,
      ['complete', 'available'],
      'available',
      'complete',
      undefined,
    ],
    ['every task archived', false, ['archived'], 'complete', 'archived', undefined],
    [
      'a task of a complete file leaves complete',
      true,
      ['in_progress', 'complete'],
      'complete',
      'in_progress',
      false,
    ],
    [
      'a complete file’s task is archived from complete, the rest complete',
      true,
      ['archived', 'complete'],
      'complete',
      'archived',
      undefined,
    ],
    [
      'a complete file’s only task is archived from complete',
      true,
      ['archived'],
      'complete',
      'archived',
      undefined,
    ],
    [
      'an open task of a file marked complete by hand moves',
      true,
      ['in_progress'],
      'available',
      'in_progress',
      undefined,
    ],
  ] as const)('%s', (_case, fileComplete, statuses, from, to, expected) => {
    expect(completionAfterTaskMove(fileComplete, statuses, from, to)).toBe(expected);
  });
});
