import { useState } from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../test-utils/render.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import type { ConfirmAction } from './ConfirmDialog.tsx';

/** A stand-in mutation: `run` settles as the test says, and the dialog sees its state. */
function ConfirmHarness({ run, onClose }: { run: () => Promise<unknown>; onClose: () => void }) {
  const [isPending, setPending] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const action: ConfirmAction = { isPending, error, reset: () => setError(null) };
  return (
    <ConfirmDialog
      opened
      title="Delete the thing?"
      confirmLabel="Delete"
      errorTitle="The thing could not be deleted"
      action={action}
      onConfirm={async () => {
        setPending(true);
        try {
          return await run();
        } catch (caught) {
          setError(caught as Error);
          throw caught;
        } finally {
          setPending(false);
        }
      }}
      onClose={onClose}
    >
      The thing goes for good.
    </ConfirmDialog>
  );
}

function renderDialog(run: () => Promise<unknown>) {
  const onClose = vi.fn<() => void>();
  const view = renderWithProviders(<ConfirmHarness run={run} onClose={onClose} />);
  return { ...view, onClose };
}

describe('ConfirmDialog', () => {
  it('shows the title and body, focuses Cancel, and runs nothing on Cancel', async () => {
    const run = vi.fn(() => Promise.resolve());
    const { user, onClose } = renderDialog(run);
    const dialog = await screen.findByRole('dialog', { name: 'Delete the thing?' });
    expect(dialog).toHaveTextContent('The thing goes for good.');
    const cancel = within(dialog).getByRole('button', { name: 'Cancel' });
    await waitFor(() => expect(cancel).toHaveFocus());
    await user.click(cancel);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(run).not.toHaveBeenCalled();
  });

  it('shows the pending state, then closes once the action is done', async () => {
    let finish = () => {};
    const run = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const { user, onClose } = renderDialog(run);
    const dialog = await screen.findByRole('dialog', { name: 'Delete the thing?' });
    const confirm = within(dialog).getByRole('button', { name: 'Delete' });
    await user.click(confirm);
    await waitFor(() => expect(confirm).toHaveAttribute('data-loading', 'true'));
    expect(onClose).not.toHaveBeenCalled();
    finish();
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('stays open with the server’s reason when the action fails', async () => {
    const run = () => Promise.reject(new Error('Only an admin may delete it.'));
    const { user, onClose } = renderDialog(run);
    const dialog = await screen.findByRole('dialog', { name: 'Delete the thing?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('The thing could not be deleted');
    expect(alert).toHaveTextContent('Only an admin may delete it.');
    expect(onClose).not.toHaveBeenCalled();
  });
});
