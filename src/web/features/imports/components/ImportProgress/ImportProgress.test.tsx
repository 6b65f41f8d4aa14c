import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { buildImport } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ImportProgress } from './ImportProgress.tsx';

describe('ImportProgress', () => {
  it('says a queued import waits for a worker', () => {
    renderWithProviders(
      <ImportProgress item={buildImport({ status: 'queued', percent_complete: 0 })} />,
    );
    expect(screen.getByText('Queued')).toBeInTheDocument();
    expect(screen.getByText('Waiting for a worker to pick the import up.')).toBeInTheDocument();
  });

  it('shows the writing stage with the directory, the percent and the packets found', () => {
    renderWithProviders(
      <ImportProgress
        item={buildImport({
          id: 8,
          status: 'running',
          stage: 'writing',
          percent_complete: 72.9,
          directory_name: 'Night drive',
          packet_count: 1200,
        })}
      />,
    );
    expect(screen.getByText('Writing')).toBeInTheDocument();
    expect(screen.getByText('Writing files and instances into “Night drive”.')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Import 8 progress' })).toHaveAttribute(
      'aria-valuenow',
      '72',
    );
    expect(screen.getByText('72% · 1,200 file packets')).toBeInTheDocument();
  });
});
