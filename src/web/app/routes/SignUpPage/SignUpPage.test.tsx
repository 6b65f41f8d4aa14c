import { screen, waitFor } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { authQueries } from '../../../features/auth/api/auth-queries.ts';
import { apiPath, errorResponse, jsonResponse, server } from '../../../test-utils/api-server.ts';
import { buildMe, buildSignUpInfo, demoProject } from '../../../test-utils/builders.ts';
import { renderApp, renderRoute } from '../../../test-utils/render.tsx';

const token = 'tok_abcdefghijklmnopqrstuvwxyz';
const expiredMessage = 'This sign-up link has expired or was already used.';

/** The link answers with its email; a sign-up with the right token signs the new user in. */
function signUpServer() {
  const bodies: unknown[] = [];
  server.use(
    http.get(apiPath(`/auth/sign-up/${token}`), () => jsonResponse(buildSignUpInfo())),
    http.post(apiPath('/auth/sign-up'), async ({ request }) => {
      bodies.push(await request.json());
      return jsonResponse(
        buildMe({ user: { email: 'new.user@example.com', is_instance_admin: false } }),
      );
    }),
  );
  return { bodies };
}

describe('the sign-up page', () => {
  it('shows whose link it is, sets the password, signs in and opens the panel', async () => {
    const { bodies } = signUpServer();
    const { user, router, queryClient } = renderApp(`/sign-up/${token}`);
    expect(await screen.findByLabelText('Email')).toHaveValue('new.user@example.com');
    await user.type(screen.getByLabelText('Password'), 'a long enough password');
    await user.type(screen.getByLabelText('Repeat the password'), 'a long enough password');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/projects/${demoProject}/export`),
    );
    expect(bodies).toEqual([{ token, password: 'a long enough password' }]);
    expect(queryClient.getQueryData(authQueries.me().queryKey)?.user.email).toBe(
      'new.user@example.com',
    );
  });

  it('asks for the same password twice, of at least 10 characters, before sending', async () => {
    const { bodies } = signUpServer();
    const { user } = renderApp(`/sign-up/${token}`);
    await user.type(await screen.findByLabelText('Password'), 'short');
    await user.type(screen.getByLabelText('Repeat the password'), 'shorter');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByText('Use at least 10 characters.')).toBeInTheDocument();
    expect(
      screen.getByText('The two passwords differ: type the same one twice.'),
    ).toBeInTheDocument();

    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'long enough password');
    await user.clear(screen.getByLabelText('Repeat the password'));
    await user.type(screen.getByLabelText('Repeat the password'), 'long enough passwort');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.queryByText('Use at least 10 characters.')).toBeNull();
    expect(
      screen.getByText('The two passwords differ: type the same one twice.'),
    ).toBeInTheDocument();
    expect(bodies).toHaveLength(0);
  });

  it('says an expired or used link does not work and to ask an instance admin', async () => {
    renderRoute(
      `/sign-up/${token}`,
      http.get(apiPath(`/auth/sign-up/${token}`), () =>
        errorResponse(404, 'not_found', expiredMessage),
      ),
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This sign-up link does not work');
    expect(alert).toHaveTextContent(expiredMessage);
    expect(alert).toHaveTextContent('Ask an instance admin of annex for a new sign-up link.');
    expect(screen.queryByLabelText('Password')).toBeNull();
  });

  it('says so when the link expires before the password is sent', async () => {
    signUpServer();
    const { user, router } = renderRoute(
      `/sign-up/${token}`,
      http.post(apiPath('/auth/sign-up'), () => errorResponse(410, 'link_expired', expiredMessage)),
    );
    await user.type(await screen.findByLabelText('Password'), 'a long enough password');
    await user.type(screen.getByLabelText('Repeat the password'), 'a long enough password');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(expiredMessage);
    expect(alert).toHaveTextContent('Ask an instance admin');
    expect(router.state.location.pathname).toBe(`/sign-up/${token}`);
  });
});
