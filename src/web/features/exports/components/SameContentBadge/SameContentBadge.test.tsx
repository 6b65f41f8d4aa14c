import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { SameContentBadge } from './SameContentBadge.tsx';

describe('SameContentBadge', () => {
  it('names the older export and explains itself on hover', async () => {
    const { user } = renderWithProviders(<SameContentBadge sameAs={12} />);
    const badge = screen.getByText('same content as #12');
    await user.hover(badge);
    expect(
      await screen.findByText(/Nothing changed between export #12 and this one/),
    ).toBeInTheDocument();
  });
});
