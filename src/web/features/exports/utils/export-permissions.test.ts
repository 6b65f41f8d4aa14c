import { describe, expect, it } from 'vitest';
import { buildExport } from '../../../test-utils/builders.ts';
import { canArchiveExport, canGenerateExports } from './export-permissions.ts';

describe('export permissions', () => {
  it('lets editors and admins generate, not viewers', () => {
    expect(canGenerateExports('viewer')).toBe(false);
    expect(canGenerateExports('editor')).toBe(true);
    expect(canGenerateExports('admin')).toBe(true);
  });

  it('lets an admin archive any export, an editor only their own, a viewer none', () => {
    const mine = buildExport({ created_by: 'ed@example.com' });
    const theirs = buildExport({ created_by: 'other@example.com' });
    expect(canArchiveExport('admin', theirs, 'ed@example.com')).toBe(true);
    expect(canArchiveExport('editor', mine, 'ed@example.com')).toBe(true);
    expect(canArchiveExport('editor', theirs, 'ed@example.com')).toBe(false);
    expect(canArchiveExport('viewer', mine, 'ed@example.com')).toBe(false);
  });
});
