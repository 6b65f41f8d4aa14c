import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { Export } from '../../../../../contract/exports.ts';
import {
  errorResponse,
  exportsPath,
  recordRequests,
  server,
} from '../../../../test-utils/api-server.ts';
import { buildExport } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ExportCancelRetryActions } from './ExportCancelRetryActions.tsx';
import { ExportRetryNotes } from './ExportRetryNotes.tsx';

function renderActions(item: Export, rights = { canCancel: true, canRetry: true }) {
  return renderWithProviders(<ExportCancelRetryActions item={item} {...rights} />);
}

describe('ExportCancelRetryActions', () => {
  it('asks before cancelling a running export, and sends nothing when the user keeps it', async () => {
    const log = recordRequests();
    const { user } = renderActions(buildExport({ id: 4, status: 'running', percent_complete: 40 }));
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel export 4?' });
    expect(dialog).toHaveTextContent('Export 4 stops at 40% and leaves no file.');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(log.to('POST', `${exportsPath()}/4/cancel`)).toHaveLength(0);
  });

  it('cancels on "Cancel export" and closes once the server did it', async () => {
    const cancelled = buildExport({
      id: 4,
      status: 'cancelled',
      status_text: 'Cancelled by ada@example.com.',
    });
    server.use(http.post(`${exportsPath()}/4/cancel`, () => HttpResponse.json(cancelled)));
    const log = recordRequests();
    const { user } = renderActions(buildExport({ id: 4, status: 'queued' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel export 4?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel export' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(log.to('POST', `${exportsPath()}/4/cancel`)).toHaveLength(1);
  });

  it('keeps the dialog open with the server’s reason when the export already finished', async () => {
    server.use(
      http.post(`${exportsPath()}/4/cancel`, () =>
        errorResponse(
          409,
          'conflict',
          'Export 4 already finished (complete): only a queued or running export can be cancelled.',
        ),
      ),
    );
    const { user } = renderActions(buildExport({ id: 4, status: 'running' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel export 4?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel export' }));
    expect(await within(dialog).findByText(/already finished \(complete\)/)).toBeInTheDocument();
  });

  it('retries a failed export, and says why when the server refuses', async () => {
    server.use(
      http.post(`${exportsPath()}/5/retry`, () =>
        HttpResponse.json(buildExport({ id: 6, status: 'queued', retry_of: 5 }), { status: 202 }),
      ),
      http.post(`${exportsPath()}/7/retry`, () =>
        errorResponse(
          409,
          'conflict',
          'Export 7 was already retried as export 8; retry that one if it failed too.',
        ),
      ),
    );
    const log = recordRequests();
    const first = renderActions(buildExport({ id: 5, status: 'failed' }));
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    await first.user.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(log.to('POST', `${exportsPath()}/5/retry`)).toHaveLength(1));
    first.unmount();

    const second = renderActions(buildExport({ id: 7, status: 'cancelled' }));
    await second.user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText(/already retried as export 8/)).toBeInTheDocument();
  });

  it('shows neither button without the right, on a complete export, or on one retried already', () => {
    renderActions(buildExport({ id: 1, status: 'running' }), { canCancel: false, canRetry: true });
    renderActions(buildExport({ id: 2, status: 'failed' }), { canCancel: true, canRetry: false });
    renderActions(buildExport({ id: 3, status: 'complete' }));
    renderActions(buildExport({ id: 4, status: 'cancelled', retried_by: 9 }));
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });
});

describe('ExportRetryNotes', () => {
  it('says who cancelled it and links a retry both ways', () => {
    renderWithProviders(
      <ExportRetryNotes
        item={{
          status: 'cancelled',
          status_text: 'Cancelled by ada@example.com.',
          retry_of: 3,
          retried_by: 9,
        }}
      />,
    );
    expect(screen.getByText('Cancelled by ada@example.com.')).toBeInTheDocument();
    expect(screen.getByText('retry of #3')).toBeInTheDocument();
    expect(screen.getByText('retried as #9')).toBeInTheDocument();
  });

  it('shows nothing for a plain complete export', () => {
    renderWithProviders(
      <ExportRetryNotes
        item={{ status: 'complete', status_text: null, retry_of: null, retried_by: null }}
      />,
    );
    expect(screen.queryByText(/retry of|retried as|Cancelled/)).toBeNull();
  });
});
