import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import {
  errorResponse,
  exportsPath,
  recordRequests,
  server,
} from '../../../../test-utils/api-server.ts';
import { buildExport, demoProject } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ArchiveExportDialog } from './ArchiveExportDialog.tsx';

const item = buildExport({ id: 3 });
const archivePath = `${exportsPath()}/3`;

function renderDialog() {
  const onClose = vi.fn<() => void>();
  const view = renderWithProviders(
    <ArchiveExportDialog project={demoProject} item={item} onClose={onClose} />,
  );
  return { ...view, onClose };
}

describe('ArchiveExportDialog', () => {
  it('names the file and sends nothing on Cancel', async () => {
    const log = recordRequests();
    const { user, onClose } = renderDialog();
    const dialog = await screen.findByRole('dialog', { name: 'Archive export 3?' });
    expect(dialog).toHaveTextContent(`${item.file_name ?? ''} leaves the list`);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(log.to('DELETE', archivePath)).toHaveLength(0);
  });

  it('archives on Archive and closes once the server has done it', async () => {
    server.use(http.delete(archivePath, () => new HttpResponse(null, { status: 204 })));
    const log = recordRequests();
    const { user, onClose } = renderDialog();
    const dialog = await screen.findByRole('dialog', { name: 'Archive export 3?' });
    await user.click(within(dialog).getByRole('button', { name: 'Archive' }));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(log.to('DELETE', archivePath)).toHaveLength(1);
  });

  it('stays open with the server’s reason when it refuses', async () => {
    server.use(
      http.delete(archivePath, () =>
        errorResponse(403, 'forbidden', 'Only the export’s creator or an admin may archive it.'),
      ),
    );
    const { user, onClose } = renderDialog();
    const dialog = await screen.findByRole('dialog', { name: 'Archive export 3?' });
    await user.click(within(dialog).getByRole('button', { name: 'Archive' }));
    expect(await within(dialog).findByText('The export could not be archived')).toBeInTheDocument();
    expect(dialog).toHaveTextContent('Only the export’s creator or an admin may archive it.');
    expect(onClose).not.toHaveBeenCalled();
  });
});
