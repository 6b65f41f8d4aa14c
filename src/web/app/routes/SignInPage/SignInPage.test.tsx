import { screen, waitFor } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { authQueries } from '../../../features/auth/api/auth-queries.ts';
import {
  apiPath,
  errorResponse,
  jsonResponse,
  neverAnswer,
  recordRequests,
  server,
  signedOutAnswer,
} from '../../../test-utils/api-server.ts';
import { buildMe, demoProject } from '../../../test-utils/builders.ts';
import { renderApp, renderRoute } from '../../../test-utils/render.tsx';

const wrongPassword = 'The email or the password is wrong. Check both and try again.';

/** Nobody is signed in until a sign-in with `password` succeeds; the request bodies are kept. */
function signInServer(password = 'correct horse battery') {
  let signedIn = false;
  const bodies: unknown[] = [];
  server.use(
    http.get(apiPath('/auth/me'), () => (signedIn ? jsonResponse(buildMe()) : signedOutAnswer())),
    http.post(apiPath('/auth/sign-in'), async ({ request }) => {
      const body = (await request.json()) as { password?: string };
      bodies.push(body);
      if (body.password !== password) return errorResponse(401, 'unauthenticated', wrongPassword);
      signedIn = true;
      return jsonResponse(buildMe());
    }),
  );
  return { bodies };
}

describe('the sign-in page', () => {
  it('sends a signed-out visit to sign-in, then back to where it was going', async () => {
    const { bodies } = signInServer();
    const { user, router } = renderApp(`/projects/${demoProject}/export?job_id=22`);
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(router.state.location.search).toBe(
      `?next=${encodeURIComponent(`/projects/${demoProject}/export?job_id=22`)}`,
    );

    await user.type(await screen.findByLabelText('Email'), 'Admin@annex.local');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/projects/${demoProject}/export`),
    );
    expect(router.state.location.search).toBe('?job_id=22');
    expect(bodies).toEqual([{ email: 'Admin@annex.local', password: 'correct horse battery' }]);
    expect(
      await screen.findByRole('heading', { name: 'Demo project', level: 1 }),
    ).toBeInTheDocument();
    expect(screen.getByText('admin@annex.local')).toBeInTheDocument();
  });

  it('says a wrong password is wrong without leaving the page or the email', async () => {
    signInServer();
    const { user, router } = renderApp('/sign-in');
    await user.type(await screen.findByLabelText('Email'), 'admin@annex.local');
    await user.type(screen.getByLabelText('Password'), 'not the password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(wrongPassword);
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(screen.getByLabelText('Email')).toHaveValue('admin@annex.local');
  });

  it('shows progress while signing in', async () => {
    const { user } = renderRoute('/sign-in', http.post(apiPath('/auth/sign-in'), neverAnswer));
    await user.type(await screen.findByLabelText('Email'), 'admin@annex.local');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Sign in' })).toHaveAttribute('data-loading'),
    );
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeDisabled();
  });

  it.each(['https://evil.example/projects', '//evil.example/projects', '/\\evil.example'])(
    'refuses next=%s and goes home instead',
    async (next) => {
      signInServer();
      const log = recordRequests();
      const { user, router } = renderApp(`/sign-in?next=${encodeURIComponent(next)}`);
      await user.type(await screen.findByLabelText('Email'), 'admin@annex.local');
      await user.type(screen.getByLabelText('Password'), 'correct horse battery');
      await user.click(screen.getByRole('button', { name: 'Sign in' }));
      // Home sends a user on to their first project.
      await waitFor(() =>
        expect(router.state.location.pathname).toBe(`/projects/${demoProject}/export`),
      );
      expect(log.requests.every((request) => !request.path.includes('evil'))).toBe(true);
    },
  );

  it('starts the cache over for the user who signed in', async () => {
    signInServer();
    const { user, queryClient } = renderApp('/sign-in');
    queryClient.setQueryData(['projects', 'list'], { projects: [] });
    await user.type(await screen.findByLabelText('Email'), 'admin@annex.local');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() =>
      expect(queryClient.getQueryData(authQueries.me().queryKey)).toEqual(buildMe()),
    );
    expect(queryClient.getQueryData(['projects', 'list'])).not.toEqual({ projects: [] });
  });
});
