import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ProjectPageNav } from './ProjectPageNav.tsx';

describe('ProjectPageNav', () => {
  it('links back to the export page and marks the page on screen', () => {
    renderWithProviders(
      <ProjectPageNav project="demo" projectName="Demo project" current="audit" />,
    );
    const nav = screen.getByRole('navigation', { name: 'Project pages' });
    expect(
      within(nav).getByRole('link', { name: '← Back to Demo project exports' }),
    ).toHaveAttribute('href', '/projects/demo/export');
    expect(within(nav).getByRole('link', { name: 'Members' })).toHaveAttribute(
      'href',
      '/projects/demo/members',
    );
    expect(within(nav).getByRole('link', { name: 'Audit log' })).toHaveAttribute(
      'aria-current',
      'page',
    );
  });
});
