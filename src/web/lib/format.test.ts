import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatRelativeTime, pluralize } from './format.ts';

describe('format', () => {
  it('counts and plurals', () => {
    expect(formatCount(10_000)).toBe('10,000');
    expect(pluralize(1, 'file')).toBe('1 file');
    expect(pluralize(0, 'file')).toBe('0 files');
    expect(pluralize(1200, 'instance')).toBe('1,200 instances');
  });

  it('bytes, base 1024', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MB');
    expect(formatBytes(3.25 * 1024 ** 3)).toBe('3.3 GB');
  });

  it('relative times', () => {
    const now = Date.parse('2025-11-28T12:00:00.000Z');
    expect(formatRelativeTime('2025-11-28T11:59:55.000Z', now)).toBe('just now');
    expect(formatRelativeTime('2025-11-28T11:59:30.000Z', now)).toBe('30 seconds ago');
    expect(formatRelativeTime('2025-11-28T11:58:00.000Z', now)).toBe('2 minutes ago');
    expect(formatRelativeTime('2025-11-28T09:00:00.000Z', now)).toBe('3 hours ago');
    expect(formatRelativeTime('2025-11-27T12:00:00.000Z', now)).toBe('yesterday');
    expect(formatRelativeTime('2024-11-28T12:00:00.000Z', now)).toBe('last year');
  });
});
