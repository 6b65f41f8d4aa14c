import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { authQueries } from '../../../features/auth/api/auth-queries.ts';
import { exportQueries } from '../../../features/exports/api/export-queries.ts';
import {
  apiPath,
  errorResponse,
  exportsPath,
  jsonResponse,
  recordRequests,
  server,
  signedOutAnswer,
} from '../../../test-utils/api-server.ts';
import {
  buildMe,
  buildProjectDetail,
  buildProjectList,
  demoProject,
} from '../../../test-utils/builders.ts';
import { renderApp, renderRoute } from '../../../test-utils/render.tsx';

const exportPage = `/projects/${demoProject}/export`;

function accountNav(): HTMLElement {
  return screen.getByRole('navigation', { name: 'Account' });
}

/** The demo project where the signed-in user holds `role`. */
function demoRole(role: 'viewer' | 'editor' | 'admin') {
  server.use(
    http.get(apiPath('/projects'), () => jsonResponse(buildProjectList(role))),
    http.get(apiPath(`/projects/${demoProject}`), () =>
      jsonResponse(buildProjectDetail(demoProject, 'Demo project', role)),
    ),
  );
}

describe('the signed-in layout', () => {
  it('shows who is signed in, and every link an instance admin and project admin has', async () => {
    renderApp(exportPage);
    expect(await screen.findByText('admin@annex.local')).toBeInTheDocument();
    await waitFor(() =>
      expect(within(accountNav()).getByRole('link', { name: 'Members' })).toHaveAttribute(
        'href',
        `/projects/${demoProject}/members`,
      ),
    );
    expect(within(accountNav()).getByRole('link', { name: 'Audit' })).toHaveAttribute(
      'href',
      `/projects/${demoProject}/audit`,
    );
    expect(within(accountNav()).getByRole('link', { name: 'API keys' })).toHaveAttribute(
      'href',
      '/account/api-keys',
    );
    expect(within(accountNav()).getByRole('link', { name: 'Users' })).toHaveAttribute(
      'href',
      '/admin/users',
    );
  });

  it('shows Users only to instance admins and Members and Audit only to project admins', async () => {
    server.use(
      http.get(apiPath('/auth/me'), () =>
        jsonResponse(buildMe({ user: { email: 'ed@example.com', is_instance_admin: false } })),
      ),
    );
    demoRole('editor');
    renderApp(exportPage);
    expect(await screen.findByText('ed@example.com')).toBeInTheDocument();
    expect(
      await screen.findByRole('heading', { name: 'Demo project', level: 1 }),
    ).toBeInTheDocument();
    expect(within(accountNav()).getByRole('link', { name: 'API keys' })).toBeInTheDocument();
    expect(within(accountNav()).queryByRole('link', { name: 'Users' })).toBeNull();
    expect(within(accountNav()).queryByRole('link', { name: 'Members' })).toBeNull();
    expect(within(accountNav()).queryByRole('link', { name: 'Audit' })).toBeNull();
  });

  it('has no Members or Audit off a project page', async () => {
    renderRoute(
      '/',
      http.get(apiPath('/projects'), () => jsonResponse({ projects: [] })),
    );
    expect(await screen.findByRole('heading', { name: 'No projects yet' })).toBeInTheDocument();
    expect(within(accountNav()).getByRole('link', { name: 'Users' })).toBeInTheDocument();
    expect(within(accountNav()).queryByRole('link', { name: 'Members' })).toBeNull();
  });

  it('signs out: the session ends server-side, the cache is emptied, the sign-in page opens', async () => {
    server.use(http.post(apiPath('/auth/sign-out'), () => new HttpResponse(null, { status: 204 })));
    const log = recordRequests();
    const { user, router, queryClient } = renderApp(exportPage);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(router.state.location.search).toBe('');
    expect(log.to('POST', apiPath('/auth/sign-out'))).toHaveLength(1);
    expect(await screen.findByLabelText('Email')).toBeInTheDocument();
    expect(queryClient.getQueryData(authQueries.me().queryKey)).toBeUndefined();
    expect(queryClient.getQueryCache().getAll()).toHaveLength(0);
  });

  it('says so when signing out fails, and stays', async () => {
    const { user, router } = renderRoute(
      exportPage,
      http.post(apiPath('/auth/sign-out'), () =>
        errorResponse(500, 'internal', 'The database is locked. Try again.'),
      ),
    );
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByText('The database is locked. Try again.')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(exportPage);
  });

  it('sends the user to sign-in, and back here after, when the session ends mid-way', async () => {
    const { router, queryClient } = renderApp(`${exportPage}?job_id=22`);
    expect(
      await screen.findByRole('heading', { name: 'Demo project', level: 1 }),
    ).toBeInTheDocument();
    server.use(
      http.get(apiPath('/auth/me'), signedOutAnswer),
      http.get(exportsPath(), signedOutAnswer),
    );
    await queryClient.refetchQueries({ queryKey: exportQueries.lists(demoProject) });
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(new URLSearchParams(router.state.location.search).get('next')).toBe(
      `${exportPage}?job_id=22`,
    );
  });

  it('sends a refused change (401) to sign-in too', async () => {
    const { user, router } = renderRoute(exportPage, http.post(exportsPath(), signedOutAnswer));
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Check value' })).toHaveTextContent(
        'Will export 37 files',
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(new URLSearchParams(router.state.location.search).get('next')).toBe(exportPage);
  });

  it('asks a user on a generated password to change it, until they do', async () => {
    let mustChange = true;
    let body: unknown;
    const { user } = renderRoute(
      exportPage,
      http.get(apiPath('/auth/me'), () =>
        jsonResponse(buildMe({ must_change_password: mustChange })),
      ),
      http.post(apiPath('/auth/password'), async ({ request }) => {
        body = await request.json();
        mustChange = false;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const banner = await screen.findByRole('alert', { name: 'Change your password' });
    await user.click(within(banner).getByRole('button', { name: 'Choose a new password' }));

    const dialog = await screen.findByRole('dialog', { name: 'Change password' });
    expect(within(dialog).getByText(/At least 10 characters/)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Current password'), 'generated-1234');
    await user.type(within(dialog).getByLabelText('New password'), 'short');
    await user.click(within(dialog).getByRole('button', { name: 'Save password' }));
    expect(within(dialog).getByText('Use at least 10 characters.')).toBeInTheDocument();
    expect(body).toBeUndefined();

    await user.type(within(dialog).getByLabelText('New password'), ' enough now');
    await user.click(within(dialog).getByRole('button', { name: 'Save password' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(body).toEqual({ current_password: 'generated-1234', new_password: 'short enough now' });
    expect(screen.queryByRole('alert', { name: 'Change your password' })).toBeNull();
  });

  it('changes the password from the account bar, showing a refusal without signing out', async () => {
    const { user, router } = renderRoute(
      exportPage,
      // What the server answers a wrong current password: a 400 naming the field.
      http.post(apiPath('/auth/password'), () =>
        errorResponse(
          400,
          'validation_failed',
          'The current password is not right. Type the password you signed in with.',
        ),
      ),
    );
    expect(screen.queryByRole('alert', { name: 'Change your password' })).toBeNull();
    await user.click(await screen.findByRole('button', { name: 'Change password' }));
    const dialog = await screen.findByRole('dialog', { name: 'Change password' });
    await user.type(within(dialog).getByLabelText('Current password'), 'not-my-password');
    await user.type(within(dialog).getByLabelText('New password'), 'a brand new password');
    await user.click(within(dialog).getByRole('button', { name: 'Save password' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The current password is not right.',
    );
    expect(router.state.location.pathname).toBe(exportPage);
  });
});
