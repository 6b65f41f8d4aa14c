import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { buildExport } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ExportStatusCell } from './ExportStatusCell.tsx';

describe('ExportStatusCell', () => {
  it('shows a running export’s progress bar and percent', () => {
    renderWithProviders(
      <ExportStatusCell item={buildExport({ id: 4, status: 'running', percent_complete: 42.4 })} />,
    );
    expect(screen.getByText('running')).toBeInTheDocument();
    const bar = screen.getByRole('progressbar', { name: 'Export 4 progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '42');
    expect(screen.getByText('42%')).toBeInTheDocument();
  });

  it('shows a queued export at 0%', () => {
    renderWithProviders(
      <ExportStatusCell item={buildExport({ id: 5, status: 'queued', percent_complete: 0 })} />,
    );
    expect(screen.getByText('queued')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Export 5 progress' })).toHaveAttribute(
      'aria-valuenow',
      '0',
    );
    expect(screen.getByText('0%')).toBeInTheDocument();
  });

  it('shows a complete export as a badge alone', () => {
    renderWithProviders(<ExportStatusCell item={buildExport({ status: 'complete' })} />);
    expect(screen.getByText('complete')).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('shows why an export failed, in full and not only on hover', () => {
    const reason =
      'No file matches: 12 files in Marshwood, none marked complete. Choose All to export them, or mark files complete first.';
    renderWithProviders(
      <ExportStatusCell
        item={buildExport({ status: 'failed', status_text: reason, percent_complete: 0 })}
      />,
    );
    expect(screen.getByText('failed')).toBeInTheDocument();
    expect(screen.getByText(reason)).toBeVisible();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('still says something when a failed export has no reason', () => {
    renderWithProviders(
      <ExportStatusCell item={buildExport({ status: 'failed', status_text: null })} />,
    );
    expect(screen.getByText(/failed without saying why/)).toBeInTheDocument();
  });

  it('marks a complete export whose source changed as Stale, saying how many files and how', () => {
    renderWithProviders(
      <ExportStatusCell
        item={buildExport({
          changes_since: { files_changed: 2, files_added: 1, files_removed: 1 },
        })}
      />,
    );
    expect(screen.getByText('complete')).toBeInTheDocument();
    expect(screen.getByText('Stale')).toBeInTheDocument();
    expect(screen.getByText('4 files changed since this export')).toBeInTheDocument();
    expect(screen.getByText('2 changed · 1 added · 1 removed')).toBeInTheDocument();
  });

  it('has no Stale badge when nothing changed, or before the counts are known', () => {
    const { unmount } = renderWithProviders(
      <ExportStatusCell
        item={buildExport({
          changes_since: { files_changed: 0, files_added: 0, files_removed: 0 },
        })}
      />,
    );
    expect(screen.queryByText('Stale')).toBeNull();
    unmount();
    renderWithProviders(<ExportStatusCell item={buildExport({ changes_since: null })} />);
    expect(screen.queryByText('Stale')).toBeNull();
  });
});
