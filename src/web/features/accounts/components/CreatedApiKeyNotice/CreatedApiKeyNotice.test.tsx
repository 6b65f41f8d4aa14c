import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { buildApiKey, buildCreatedApiKey } from '../../test-utils/account-builders.ts';
import { CreatedApiKeyNotice } from './CreatedApiKeyNotice.tsx';

describe('CreatedApiKeyNotice', () => {
  it('shows both halves with copy buttons, says the secret is shown once, and gives examples', async () => {
    const onDone = vi.fn<() => void>();
    const created = buildCreatedApiKey(
      buildApiKey({ name: 'ci', client_id: 'annex_ci_x' }),
      'annex_cs_y',
    );
    const { user } = renderWithProviders(
      <CreatedApiKeyNotice created={created} origin="https://annex.example" onDone={onDone} />,
    );
    const notice = screen.getByRole('region', { name: 'Your new API key' });
    expect(notice).toHaveTextContent('Key “ci” created');
    expect(notice).toHaveTextContent('it will not be shown again');
    expect(screen.getByRole('button', { name: 'Copy Client ID' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy Client secret' })).toBeInTheDocument();
    expect(notice).toHaveTextContent(
      'curl -u annex_ci_x:annex_cs_y https://annex.example/api/v1/projects',
    );
    await user.click(
      screen.getByRole('button', { name: 'Copy Example: environment for the annex CLI and SDK' }),
    );
    expect(await navigator.clipboard.readText()).toBe(
      'export ANNEX_CLIENT_ID=annex_ci_x\nexport ANNEX_CLIENT_SECRET=annex_cs_y',
    );
    await user.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(onDone).toHaveBeenCalledTimes(1);
  });
});
