import { describe, expect, it } from 'vitest';
import { auditActorText, auditDetailLines, auditViaText } from './audit-text.ts';

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
    expect(auditViaText('retention')).toBe('retention (automatic)');
    expect(auditViaText(null)).toBe('—');
  });

  it('names who acted: the account, annex itself for retention, or nobody', () => {
    expect(auditActorText({ actor_email: 'ada@example.com', via: 'session' })).toBe(
      'ada@example.com',
    );
    expect(auditActorText({ actor_email: null, via: 'retention' })).toBe('annex');
    expect(auditActorText({ actor_email: null, via: null })).toBe('nobody signed in');
  });
});
