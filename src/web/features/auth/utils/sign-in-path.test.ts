import { describe, expect, it } from 'vitest';
import { safeNextPath, signInPath } from './sign-in-path.ts';

describe('safeNextPath', () => {
  it('keeps the panel’s own paths with their search and hash', () => {
    expect(safeNextPath('/projects/demo/export')).toBe('/projects/demo/export');
    expect(safeNextPath('/projects/demo/export?job_id=22#top')).toBe(
      '/projects/demo/export?job_id=22#top',
    );
  });

  it.each([
    null,
    undefined,
    '',
    'projects/demo',
    'https://evil.example/',
    '//evil.example/path',
    '/\\evil.example',
    '/\tevil',
    'javascript:alert(1)',
    '/sign-in',
    '/sign-in?next=/x',
  ])('sends %j to /', (next) => {
    expect(safeNextPath(next)).toBe('/');
  });

  it('refuses a next that becomes another site once its dot segments collapse, and any spelling of sign-in', () => {
    for (const next of ['/..//evil.com', '/.//evil.com', '/%2e%2e//evil.com'])
      expect(safeNextPath(next)).toBe('/');
    for (const next of ['/sign-in/', '/SIGN-IN', '/Sign-In//'])
      expect(safeNextPath(next)).toBe('/');
  });
});

describe('signInPath', () => {
  it('carries the current path and search as next', () => {
    expect(signInPath({ pathname: '/projects/demo/export', search: '?job_id=22' })).toBe(
      '/sign-in?next=%2Fprojects%2Fdemo%2Fexport%3Fjob_id%3D22',
    );
  });

  it('leaves next out for the home page and the sign-in page', () => {
    expect(signInPath({ pathname: '/', search: '' })).toBe('/sign-in');
    expect(signInPath({ pathname: '/sign-in', search: '?next=%2Fx' })).toBe('/sign-in');
  });
});
