import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { LiveStatusBadge } from './LiveStatusBadge.tsx';

describe('LiveStatusBadge', () => {
  it('says Live, and explains on hover that changes show up as they happen', async () => {
    const { user } = renderWithProviders(<LiveStatusBadge state="live" pollSeconds={2} />);
    const badge = screen.getByRole('status', { name: 'Live updates' });
    expect(badge).toHaveTextContent('Live');
    await user.hover(badge);
    expect(await screen.findByText(/show up here as they happen/)).toBeInTheDocument();
  });

  it('says Not live when the connection dropped, and that the list polls meanwhile', async () => {
    const { user } = renderWithProviders(<LiveStatusBadge state="reconnecting" pollSeconds={2} />);
    const badge = screen.getByRole('status', { name: 'Live updates' });
    expect(badge).toHaveTextContent('Not live');
    await user.hover(badge);
    expect(
      await screen.findByText(
        /read again every 2 s while exports run, and it reconnects by itself/,
      ),
    ).toBeInTheDocument();
  });

  it('explains itself to the keyboard too', async () => {
    const { user } = renderWithProviders(<LiveStatusBadge state="unavailable" pollSeconds={2} />);
    await user.tab();
    expect(screen.getByRole('status', { name: 'Live updates' })).toHaveFocus();
    expect(await screen.findByText(/cannot keep a live connection/)).toBeInTheDocument();
  });
});
