import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ImportUploadProgress, uploadPercent } from './ImportUploadProgress.tsx';

describe('ImportUploadProgress', () => {
  it('shows the bytes sent of the file’s size, and its percent', async () => {
    const onCancel = vi.fn<() => void>();
    const { user } = renderWithProviders(
      <ImportUploadProgress
        fileName="street-scenes.json"
        progress={{ loaded: 3 * 1024 * 1024, total: 8 * 1024 * 1024 }}
        onCancel={onCancel}
      />,
    );
    expect(screen.getByText('3.0 MB of 8.0 MB · 37%')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute(
      'aria-valuenow',
      '37',
    );
    await user.click(screen.getByRole('button', { name: 'Cancel upload' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('says 100% only once every byte has gone', () => {
    expect(uploadPercent({ loaded: 999, total: 1000 })).toBe(99);
    expect(uploadPercent({ loaded: 1000, total: 1000 })).toBe(100);
    expect(uploadPercent({ loaded: 0, total: 0 })).toBe(100);
  });
});
