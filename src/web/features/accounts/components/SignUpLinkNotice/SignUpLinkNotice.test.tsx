import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { formatAbsoluteTime } from '../../../../lib/format.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { buildSignUpLink, buildUser } from '../../test-utils/account-builders.ts';
import { SignUpLinkNotice } from './SignUpLinkNotice.tsx';

describe('SignUpLinkNotice', () => {
  it('says annex sends no mail, until when the link works, and copies it', async () => {
    const link = buildSignUpLink(buildUser({ id: 4, email: 'eve@example.com', status: 'invited' }));
    const onDone = vi.fn<() => void>();
    const { user } = renderWithProviders(<SignUpLinkNotice link={link} onDone={onDone} />);
    const notice = screen.getByRole('region', { name: 'Sign-up link' });
    expect(notice).toHaveTextContent('Sign-up link for eve@example.com');
    expect(notice).toHaveTextContent(
      `annex sends no mail: hand this link to them; it works once, until ${formatAbsoluteTime(link.expires_at)}.`,
    );
    await user.click(screen.getByRole('button', { name: 'Copy Sign-up link' }));
    expect(await navigator.clipboard.readText()).toBe(link.url);
    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(onDone).toHaveBeenCalledTimes(1);
  });
});
