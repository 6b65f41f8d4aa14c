import { screen, within } from '@testing-library/react';
import { Table } from '@mantine/core';
import { describe, expect, it, vi } from 'vitest';
import type { Export } from '../../../../../contract/exports.ts';
import { buildChecksWithFindings } from '../../../../../contract/test-utils/export-checks-builders.ts';
import { buildExport } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ExportRow } from './ExportRow.tsx';

function renderRow(item: Export, canArchive = true, canRegenerate = true) {
  const handlers = {
    onDownload: vi.fn<() => void>(),
    onPreview: vi.fn<() => void>(),
    onArchive: vi.fn<() => void>(),
    onRegenerate: vi.fn<() => void>(),
    onSpotCheck: vi.fn<() => void>(),
  };
  const view = renderWithProviders(
    <Table>
      <Table.Tbody>
        <ExportRow
          item={item}
          now={Date.parse(item.created_time) + 5 * 60_000}
          downloading={false}
          canArchive={canArchive}
          canRegenerate={canRegenerate}
          regenerating={false}
          {...handlers}
        />
      </Table.Tbody>
    </Table>,
  );
  return { ...view, ...handlers, row: screen.getByRole('row') };
}

describe('ExportRow', () => {
  it('offers Download, Preview and Archive on a complete export', async () => {
    const { user, row, onDownload, onPreview, onArchive } = renderRow(buildExport({ id: 3 }));
    expect(row).toHaveTextContent('#3');
    await user.click(within(row).getByRole('button', { name: 'Download' }));
    await user.click(within(row).getByRole('button', { name: 'Preview' }));
    await user.click(within(row).getByRole('button', { name: 'Archive' }));
    expect(onDownload).toHaveBeenCalledTimes(1);
    expect(onPreview).toHaveBeenCalledTimes(1);
    expect(onArchive).toHaveBeenCalledTimes(1);
  });

  it('offers Spot check on a complete export', async () => {
    const { user, row, onSpotCheck } = renderRow(buildExport({ id: 3 }));
    await user.click(within(row).getByRole('button', { name: 'Spot check' }));
    expect(onSpotCheck).toHaveBeenCalledTimes(1);
  });

  it('keeps Spot check for later while an export runs', () => {
    const { row } = renderRow(buildExport({ id: 4, status: 'running', percent_complete: 5 }));
    expect(within(row).getByRole('button', { name: 'Spot check' })).toBeDisabled();
  });

  it('says who asked for the export, the whole address on hover', () => {
    const { row } = renderRow(buildExport({ id: 3, created_by: 'ada@diffgram.example' }));
    const creator = within(row).getByText('by ada@diffgram.example');
    expect(creator).toHaveAttribute('title', 'ada@diffgram.example');
  });

  it('has no Archive for a user who may not archive this export', () => {
    const { row } = renderRow(buildExport({ id: 3 }), false);
    expect(within(row).getByRole('button', { name: 'Download' })).toBeInTheDocument();
    expect(within(row).queryByRole('button', { name: 'Archive' })).toBeNull();
  });

  it('keeps Download and Preview for later while an export runs, but lets it be archived', () => {
    const { row } = renderRow(
      buildExport({ status: 'running', percent_complete: 10, size_bytes: null, file_name: null }),
    );
    for (const name of ['Download', 'Preview']) {
      const button = within(row).getByRole('button', { name });
      expect(button).toBeDisabled();
      expect(button).toHaveAttribute('title', 'Available once the export is complete');
    }
    expect(within(row).getByRole('button', { name: 'Archive' })).toBeEnabled();
  });

  it('names a source that was deleted since', () => {
    const { row } = renderRow(buildExport({ source: 'job', directory: null, job: null }));
    expect(row).toHaveTextContent('Job · (deleted)');
  });

  it('flags a file count that differs from the check value shown before Generate', () => {
    const { row } = renderRow(buildExport({ file_list_length: 36, expected_file_count: 37 }));
    expect(within(row).getByText('expected 37')).toBeInTheDocument();
    expect(screen.queryByText(/expected 36/)).not.toBeInTheDocument();
  });

  it('offers Regenerate on a stale export to a user who may generate', async () => {
    const stale = buildExport({
      id: 3,
      changes_since: { files_changed: 1, files_added: 0, files_removed: 0 },
    });
    const { user, row, onRegenerate } = renderRow(stale);
    expect(within(row).getByText('1 file changed since this export')).toBeInTheDocument();
    await user.click(within(row).getByRole('button', { name: 'Regenerate' }));
    expect(onRegenerate).toHaveBeenCalledTimes(1);
  });

  it('has no Regenerate for a viewer, on a fresh export, or when the source is gone', () => {
    const changes = { files_changed: 1, files_added: 0, files_removed: 0 };
    const viewer = renderRow(buildExport({ changes_since: changes }), false, false);
    expect(within(viewer.row).getByText('Stale')).toBeInTheDocument();
    expect(within(viewer.row).queryByRole('button', { name: 'Regenerate' })).toBeNull();
    viewer.unmount();

    const fresh = renderRow(
      buildExport({ changes_since: { files_changed: 0, files_added: 0, files_removed: 0 } }),
    );
    expect(within(fresh.row).queryByRole('button', { name: 'Regenerate' })).toBeNull();
    fresh.unmount();

    const deleted = renderRow(buildExport({ directory: null, changes_since: changes }));
    expect(within(deleted.row).queryByRole('button', { name: 'Regenerate' })).toBeNull();
  });

  it('offers Checks, with its warning count, once the export has check values', () => {
    const withChecks = renderRow(buildExport({ checks: buildChecksWithFindings() }));
    expect(
      within(withChecks.row).getByRole('button', { name: 'Checks: 5 warnings' }),
    ).toBeInTheDocument();
    withChecks.unmount();

    const older = renderRow(buildExport({ checks: null }));
    expect(within(older.row).queryByRole('button', { name: /^Checks/ })).toBeNull();
  });
});
