import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { buildJobList } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { JobPicker } from './JobPicker.tsx';

describe('JobPicker', () => {
  it('waits, disabled, while the jobs load', () => {
    renderWithProviders(
      <JobPicker jobs={undefined} jobsError={undefined} value={null} onChange={vi.fn()} />,
    );
    const picker = screen.getByRole('combobox', { name: 'Job' });
    expect(picker).toBeDisabled();
    expect(picker).toHaveAttribute('placeholder', 'Loading jobs…');
  });

  it('says why the jobs could not be loaded', () => {
    renderWithProviders(
      <JobPicker
        jobs={undefined}
        jobsError="The database is locked."
        value={null}
        onChange={vi.fn()}
      />,
    );
    expect(screen.getByText('The database is locked.')).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Job' })).toHaveAttribute(
      'placeholder',
      'Search jobs',
    );
  });

  it('shows each job’s task counts and reports the job picked', async () => {
    const onChange = vi.fn<(jobId: number | null) => void>();
    const { user } = renderWithProviders(
      <JobPicker
        jobs={buildJobList().jobs}
        jobsError={undefined}
        value={null}
        onChange={onChange}
      />,
    );
    await user.click(screen.getByRole('combobox', { name: 'Job' }));
    const option = await screen.findByRole('option', { name: /Street scenes review/ });
    expect(option).toHaveTextContent('13 tasks · 7 complete · 2 in progress · 3 available');
    await user.click(option);
    expect(onChange).toHaveBeenCalledWith(21, expect.anything());
  });

  it('flags a job id that is not one of the project’s jobs', () => {
    renderWithProviders(
      <JobPicker jobs={buildJobList().jobs} jobsError={undefined} value={999} onChange={vi.fn()} />,
    );
    expect(screen.getByText('Job 999 is not in this project: pick another.')).toBeInTheDocument();
  });
});
