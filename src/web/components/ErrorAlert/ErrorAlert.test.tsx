import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../test-utils/render.tsx';
import { ErrorAlert } from './ErrorAlert.tsx';

describe('ErrorAlert', () => {
  it('shows nothing while there is no error', () => {
    renderWithProviders(<ErrorAlert title="The key could not be created" error={null} />);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows what could not be done, the server’s message and what to do next', async () => {
    renderWithProviders(
      <ErrorAlert title="Could not set the password" error={new Error('The link has expired.')}>
        Ask for a new link.
      </ErrorAlert>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not set the password');
    expect(alert).toHaveTextContent('The link has expired.');
    expect(alert).toHaveTextContent('Ask for a new link.');
    expect(screen.queryByRole('button', { name: 'Dismiss' })).not.toBeInTheDocument();
  });

  it('offers Dismiss when it can be dismissed', async () => {
    const onDismiss = vi.fn<() => void>();
    const { user } = renderWithProviders(
      <ErrorAlert
        title="Bob could not be changed"
        error={new Error('No.')}
        onDismiss={onDismiss}
      />,
    );
    await user.click(await screen.findByRole('button', { name: 'Dismiss' }));
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });
});
