import { screen, waitFor } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { ExportStorageResponse } from '../../../../../contract/export-storage.ts';
import {
  errorResponse,
  exportsPath,
  jsonResponse,
  neverAnswer,
  recordRequests,
  server,
} from '../../../../test-utils/api-server.ts';
import {
  buildExport,
  buildExportPage,
  buildExportStorage,
  demoProject,
} from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { useCursorPages } from '../../hooks/use-cursor-pages.ts';
import { ExportList } from '../ExportList/ExportList.tsx';

const storagePath = `${exportsPath()}/storage`;

/** The export list as the page shows it, with the storage line under its heading. */
function ListUnderTest() {
  const pages = useCursorPages();
  return <ExportList project={demoProject} pages={pages} canArchive={() => true} canRegenerate />;
}

function storageAnswers(storage: () => ExportStorageResponse) {
  return http.get(storagePath, () => jsonResponse(storage()));
}

describe('ExportStorageUsage', () => {
  it('says how much storage the project’s exports take, and the retention policy in words', async () => {
    server.use(
      storageAnswers(() =>
        buildExportStorage({
          bytes: 1_288_490_189,
          export_count: 14,
          retention: { retention_days: 30, keep_per_source: 5 },
        }),
      ),
    );
    renderWithProviders(<ListUnderTest />);
    expect(await screen.findByText('Storage used: 1.2 GB in 14 exports')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Retention: exports older than 30 days and all but the newest 5 exports of each source are archived automatically and their files deleted; the newest complete export of each source always stays.',
      ),
    ).toBeInTheDocument();
  });

  it('says nothing of retention when the server has none', async () => {
    server.use(storageAnswers(() => buildExportStorage({ bytes: 2048, export_count: 1 })));
    renderWithProviders(<ListUnderTest />);
    expect(await screen.findByText('Storage used: 2.0 KB in 1 export')).toBeInTheDocument();
    expect(screen.queryByText(/^Retention:/)).not.toBeInTheDocument();
  });

  it('is read again with the list: Refresh shows the storage as it is now', async () => {
    let storage = buildExportStorage({ bytes: 1024, export_count: 1 });
    server.use(
      http.get(exportsPath(), () => jsonResponse(buildExportPage([buildExport({ id: 3 })]))),
      storageAnswers(() => storage),
    );
    const log = recordRequests();
    const { user } = renderWithProviders(<ListUnderTest />);
    expect(await screen.findByText('Storage used: 1.0 KB in 1 export')).toBeInTheDocument();

    storage = buildExportStorage({ bytes: 3 * 1024 ** 2, export_count: 2 });
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByText('Storage used: 3.0 MB in 2 exports')).toBeInTheDocument();
    expect(log.to('GET', storagePath)).toHaveLength(2);
    expect(log.to('GET', exportsPath())).toHaveLength(2);
  });

  it('waits for the list before asking, and says so when the storage cannot be read', async () => {
    server.use(http.get(exportsPath(), neverAnswer));
    const log = recordRequests();
    const { unmount } = renderWithProviders(<ListUnderTest />);
    await screen.findByRole('table', { name: 'Exports' });
    expect(log.to('GET', storagePath)).toHaveLength(0);
    unmount();

    server.use(
      http.get(exportsPath(), () => jsonResponse(buildExportPage([]))),
      http.get(storagePath, () =>
        errorResponse(503, 'internal', 'The database is not answering. Try again in a moment.'),
      ),
    );
    renderWithProviders(<ListUnderTest />);
    await waitFor(() =>
      expect(
        screen.getByText(
          'Storage used could not be read: The database is not answering. Try again in a moment.',
        ),
      ).toBeInTheDocument(),
    );
  });
});
