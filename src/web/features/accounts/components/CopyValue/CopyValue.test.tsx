import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { CopyValue } from './CopyValue.tsx';

describe('CopyValue', () => {
  it('shows the value and copies it to the clipboard', async () => {
    const { user } = renderWithProviders(<CopyValue label="Client secret" value="s3cret-value" />);
    expect(screen.getByText('s3cret-value')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Copy Client secret' }));
    expect(await navigator.clipboard.readText()).toBe('s3cret-value');
  });

  it('copies a multi-line example as a whole', async () => {
    const example = 'export A=1\nexport B=2';
    const { user } = renderWithProviders(<CopyValue label="Example" value={example} block />);
    await user.click(screen.getByRole('button', { name: 'Copy Example' }));
    expect(await navigator.clipboard.readText()).toBe(example);
    expect(await screen.findByRole('button', { name: 'Copy Example' })).toHaveTextContent('Copied');
  });
});
