import { describe, expect, it } from 'vitest';
import { auditDetailsText, auditViaText } from './audit-text.ts';

describe('audit text', () => {
  it('writes details as key: value pairs, JSON for anything but text', () => {
    expect(auditDetailsText({ role: 'editor', count: 3, tags: ['a'] })).toBe(
      'role: editor · count: 3 · tags: ["a"]',
    );
    expect(auditDetailsText({})).toBe('');
  });

  it('names how the actor was signed in', () => {
    expect(auditViaText('session')).toBe('panel');
    expect(auditViaText('api_key')).toBe('API key');
    expect(auditViaText(null)).toBe('—');
  });
});
