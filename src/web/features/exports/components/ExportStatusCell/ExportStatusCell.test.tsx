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
});
