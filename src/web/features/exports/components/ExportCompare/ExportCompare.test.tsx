import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { ExportDiff } from '../../../../../contract/export-diff.ts';
import {
  errorResponse,
  exportsPath,
  jsonResponse,
  server,
} from '../../../../test-utils/api-server.ts';
import { buildExport } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ExportCompare } from './ExportCompare.tsx';

const list = (count: number, ids: number[]) => ({ count, file_ids: ids });

function diffOf(from: number, to: number): ExportDiff {
  return {
    from: {
      id: from,
      file_list_length: 1200,
      instance_count: 40,
      created_time: '2024-03-01T00:00:00.000Z',
    },
    to: {
      id: to,
      file_list_length: 2300,
      instance_count: 44,
      created_time: '2024-03-08T00:00:00.000Z',
    },
    identical: false,
    files: {
      added: list(
        1100,
        Array.from({ length: 1000 }, (_, index) => index + 5000),
      ),
      removed: list(1, [17]),
      changed: list(2, [21, 22]),
      completion_changed: list(1, [22]),
      unchanged_count: 1197,
    },
    instances: {
      added: 4,
      removed: 1,
      changed: 1,
      per_label: [{ label: 'pedestrian', added: 4, removed: 1, changed: 1 }],
    },
  };
}

const exports = [
  buildExport({ id: 15, status: 'complete' }),
  buildExport({ id: 14, status: 'running' }),
  buildExport({ id: 13, status: 'complete' }),
  buildExport({ id: 12, status: 'complete' }),
];

describe('ExportCompare', () => {
  it('compares the two exports chosen, older as from, and shows the lists and the per-label table', async () => {
    const asked: string[] = [];
    server.use(
      http.get(`${exportsPath()}/:from/diff/:to`, ({ params }) => {
        asked.push(`${String(params.from)}→${String(params.to)}`);
        return jsonResponse(diffOf(Number(params.from), Number(params.to)));
      }),
    );
    const user = userEvent.setup();
    renderWithProviders(<ExportCompare project="demo" exports={exports} />);
    await user.click(screen.getByRole('button', { name: 'Compare' }));
    const dialog = await screen.findByRole('dialog', { name: 'Compare two exports' });
    // Only complete exports can be chosen.
    expect(within(dialog).queryByRole('checkbox', { name: /Export 14/ })).toBeNull();
    await user.click(within(dialog).getByRole('checkbox', { name: /Export 15/ }));
    await user.click(within(dialog).getByRole('checkbox', { name: /Export 12/ }));
    // A third choice drops the first: at most two.
    await user.click(within(dialog).getByRole('checkbox', { name: /Export 13/ }));
    expect(within(dialog).getByRole('checkbox', { name: /Export 15/ })).not.toBeChecked();
    await user.click(
      within(dialog).getByRole('button', { name: 'Compare export 12 with export 13' }),
    );

    expect(await within(dialog).findByText(/Export 12 → export 13: changed/)).toBeInTheDocument();
    expect(asked).toEqual(['12→13']);
    expect(within(dialog).getByText(/the first 1000 of 1100 listed/)).toBeInTheDocument();
    expect(dialog).toHaveTextContent('Files removed: 1 — 17');
    expect(dialog).toHaveTextContent('Completion changed: 1 — 22');
    const table = within(dialog).getByRole('table', { name: 'Instance changes per label' });
    expect(within(table).getByRole('row', { name: 'pedestrian 4 1 1' })).toBeInTheDocument();
  });

  it('says why when the server refuses', async () => {
    server.use(
      http.get(`${exportsPath()}/:from/diff/:to`, () =>
        errorResponse(
          404,
          'not_found',
          "The file of export 12 is missing from the server's storage. Generate the export again.",
        ),
      ),
    );
    const user = userEvent.setup();
    renderWithProviders(<ExportCompare project="demo" exports={exports} />);
    await user.click(screen.getByRole('button', { name: 'Compare' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('checkbox', { name: /Export 15/ }));
    await user.click(within(dialog).getByRole('checkbox', { name: /Export 12/ }));
    await user.click(
      within(dialog).getByRole('button', { name: /Compare export 12 with export 15/ }),
    );
    expect(
      await within(dialog).findByText(/missing from the server's storage/),
    ).toBeInTheDocument();
  });

  it('is disabled while fewer than two exports are complete', () => {
    renderWithProviders(<ExportCompare project="demo" exports={exports.slice(0, 2)} />);
    expect(screen.getByRole('button', { name: 'Compare' })).toBeDisabled();
  });
});
