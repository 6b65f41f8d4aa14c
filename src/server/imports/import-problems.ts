import type { z } from 'zod';
import type { ImportProblem } from '../../contract/imports.ts';

// The problems an import finds, in the words a person reads them in: a packet's key, where inside it
// (`instance_list[3] › x_max`) and a short message (`expected a number`). zod's own messages
// ("Invalid input: expected number, received undefined") are rewritten here, once, so the panel, the
// CLI and the SDK all show the same plain words.

/** How many problems an import keeps to show; the rest are only counted. */
export const keptProblemLimit = 100;

/** How many problems of one packet are kept, so one broken packet cannot hide every other one. */
const keptPerPacketLimit = 10;

/** A path inside a packet as a person reads it: `instance_list[3] › x_max`. */
export function formatProblemPath(path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  for (const segment of path) {
    if (typeof segment === 'number' && parts.length > 0)
      parts.push(`${parts.pop() ?? ''}[${segment}]`);
    else parts.push(String(segment));
  }
  return parts.join(' › ');
}

const typeWords: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a text',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
  null: 'null',
};

function typeWord(expected: string): string {
  return typeWords[expected] ?? expected;
}

/** One zod issue in plain words, without its path. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return 'missing';
      return `expected ${typeWord(issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${String(issue.values[0])}`
        : `expected one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_union': {
      if ('options' in issue && Array.isArray(issue.options)) {
        return `expected one of ${issue.options.map(String).join(', ')}`;
      }
      const expected = new Set<string>();
      for (const branch of issue.errors) {
        const [first] = branch;
        if (first?.code === 'invalid_type') expected.add(typeWord(first.expected));
      }
      if (expected.size === 0) return 'does not fit any of the shapes the format allows';
      const words = [...expected];
      const last = words.pop() ?? '';
      return `expected ${words.length === 0 ? last : `${words.join(', ')} or ${last}`}`;
    }
    case 'unrecognized_keys':
      return issue.keys.length === 1
        ? `unexpected field "${issue.keys[0] ?? ''}" (not in the format)`
        : `unexpected fields ${issue.keys.map((key) => `"${key}"`).join(', ')} (not in the format)`;
    case 'too_small':
      return issue.origin === 'array'
        ? `expected at least ${String(issue.minimum)} items`
        : `expected at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `expected at most ${String(issue.maximum)} items`
        : `expected at most ${String(issue.maximum)}`;
    case 'invalid_key':
      return issue.origin === 'record' ? 'unexpected key (expected an id)' : 'unexpected key';
    default:
      return issue.message;
  }
}

/** A packet's zod issues as problems, at most `keptPerPacketLimit` of them, the rest counted. */
export function problemsOfIssues(
  packet: string | null,
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ImportProblem[] {
  return issues.map((issue) => ({
    packet,
    path: formatProblemPath([...prefix, ...issue.path]),
    message: describeIssue(issue),
  }));
}

/** The problems found so far: the first `keptProblemLimit` kept, every one counted. */
export class ProblemList {
  /** The first problems, in the order found. */
  readonly kept: ImportProblem[] = [];
  /** Every problem found. */
  count = 0;
  /** Packets with at least one problem. */
  badPackets = 0;

  /** Adds one packet's problems (a packet counts once however many it has). */
  addPacket(problems: readonly ImportProblem[]): void {
    if (problems.length === 0) return;
    this.badPackets += 1;
    this.count += problems.length;
    for (const problem of problems.slice(0, keptPerPacketLimit)) {
      if (this.kept.length >= keptProblemLimit) break;
      this.kept.push(problem);
    }
  }

  /** Adds a problem of the file as a whole (its metadata, its JSON). */
  addFileProblem(problem: ImportProblem): void {
    this.count += 1;
    if (this.kept.length < keptProblemLimit) this.kept.push(problem);
  }
}
