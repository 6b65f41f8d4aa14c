import { describe, expect, it } from 'vitest';
import { auditDetailLines, auditViaText } from './audit-text.ts';

describe('audit text', () => {
  it('writes details as key: value lines, JSON for anything but text', () => {
    expect(auditDetailLines({ role: 'editor', count: 3, tags: ['a'] })).toEqual([
      'role: editor',
      'count: 3',
      'tags: ["a"]',
    ]);
    expect(auditDetailLines({})).toEqual([]);
  });

  it('names how the actor was signed in', () => {
    expect(auditViaText('session')).toBe('panel');
    expect(auditViaText('api_key')).toBe('API key');
    expect(auditViaText(null)).toBe('—');
  });
});
