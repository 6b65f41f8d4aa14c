import { screen, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { exportsPath, jsonResponse, server } from '../../../../test-utils/api-server.ts';
import { buildExport, buildExportPage, demoProject } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { useCursorPages } from '../../hooks/use-cursor-pages.ts';
import { ExportList } from '../ExportList/ExportList.tsx';

// The badge where it lives: in the exports table, on the newer of two exports with equal content.

function ListUnderTest() {
  const pages = useCursorPages();
  return <ExportList project={demoProject} pages={pages} canArchive={() => false} canRegenerate />;
}

function rowOfId(id: number): HTMLElement {
  const table = screen.getByRole('table', { name: 'Exports' });
  const row = within(table).getByText(`#${id}`).closest('tr');
  if (row === null) throw new Error(`no row holds #${id}`);
  return row;
}

describe('the exports table’s same-content badge', () => {
  it('marks the newer export with equal content, and neither the older one nor one that differs', async () => {
    const same = 'c'.repeat(64);
    server.use(
      http.get(exportsPath(), () =>
        jsonResponse(
          buildExportPage([
            buildExport({ id: 8, content_sha256: 'd'.repeat(64) }),
            buildExport({ id: 7, content_sha256: same }),
            buildExport({ id: 5, content_sha256: same }),
          ]),
        ),
      ),
    );
    renderWithProviders(<ListUnderTest />);
    await screen.findByText('#7');
    expect(within(rowOfId(7)).getByText('same content as #5')).toBeInTheDocument();
    expect(within(rowOfId(5)).queryByText(/same content as/)).not.toBeInTheDocument();
    expect(within(rowOfId(8)).queryByText(/same content as/)).not.toBeInTheDocument();
  });
});
