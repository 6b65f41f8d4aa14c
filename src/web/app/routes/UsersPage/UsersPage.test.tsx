import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { CreateUserRequest, UpdateUserRequest, User } from '../../../../contract/auth.ts';
import {
  buildSignUpLink,
  buildUser,
  signedInHandlers,
} from '../../../features/accounts/test-utils/account-builders.ts';
import { apiPath, errorResponse, jsonResponse, server } from '../../../test-utils/api-server.ts';
import { renderApp, renderRoute } from '../../../test-utils/render.tsx';
import { expectLoadingStatus } from '../../../test-utils/route-checks.ts';
import { formatAbsoluteTime } from '../../../lib/format.ts';

const usersPath = apiPath('/users');
const page = '/admin/users';

const me = buildUser({ id: 1, email: 'admin@annex.local', is_instance_admin: true });
const bob = buildUser({ id: 2, email: 'bob@example.com', is_instance_admin: false });
const carol = buildUser({
  id: 3,
  email: 'carol@example.com',
  is_instance_admin: false,
  status: 'invited',
});

/** The users endpoints over an in-memory list. */
function useUsers(initial: User[]) {
  let users = initial;
  const created: CreateUserRequest[] = [];
  const patched: UpdateUserRequest[] = [];
  server.use(
    ...signedInHandlers('admin', me),
    http.get(usersPath, () => jsonResponse({ users })),
    http.post(usersPath, async ({ request }) => {
      const body = (await request.json()) as CreateUserRequest;
      created.push(body);
      const user = buildUser({
        id: 9,
        email: body.email,
        is_instance_admin: body.is_instance_admin ?? false,
        status: 'invited',
      });
      users = [...users, user];
      return jsonResponse(buildSignUpLink(user), 201);
    }),
    http.patch(`${usersPath}/:id`, async ({ params, request }) => {
      const change = (await request.json()) as UpdateUserRequest;
      patched.push(change);
      users = users.map((u) =>
        String(u.id) !== params.id
          ? u
          : {
              ...u,
              ...(change.disabled === undefined
                ? {}
                : { status: change.disabled ? ('disabled' as const) : ('active' as const) }),
              ...(change.is_instance_admin === undefined
                ? {}
                : { is_instance_admin: change.is_instance_admin }),
            },
      );
      return jsonResponse(users.find((u) => String(u.id) === params.id) ?? null);
    }),
    http.post(`${usersPath}/:id/sign-up-link`, ({ params }) =>
      jsonResponse(buildSignUpLink(users.find((u) => String(u.id) === params.id) ?? bob), 201),
    ),
  );
  return { created, patched };
}

function rowOf(email: string): HTMLElement {
  const row = within(screen.getByRole('table', { name: 'Users' }))
    .getAllByRole('row')
    .find((r) => r.textContent.includes(email));
  if (row === undefined) throw new Error(`No row for ${email}`);
  return row;
}

describe('the users page', () => {
  it('lists every user with instance admin, status and creation time', async () => {
    useUsers([me, bob, carol]);
    renderApp(page);
    await screen.findByRole('table', { name: 'Users' });
    expect(rowOf('admin@annex.local')).toHaveTextContent('(you)');
    expect(rowOf('admin@annex.local')).toHaveTextContent('Yes');
    expect(rowOf('bob@example.com')).toHaveTextContent('No');
    expect(rowOf('bob@example.com')).toHaveTextContent('active');
    expect(rowOf('bob@example.com')).toHaveTextContent(formatAbsoluteTime(bob.created_time));
    expect(rowOf('carol@example.com')).toHaveTextContent('invited');
    // Your own row offers no way to lock yourself out.
    expect(within(rowOf('admin@annex.local')).queryByRole('button')).not.toBeInTheDocument();
  });

  it('tells someone who is not an instance admin that this page is not for them', async () => {
    server.use(...signedInHandlers('editor', bob));
    renderApp(page);
    expect(await screen.findByText('Only instance admins manage users')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add user' })).not.toBeInTheDocument();
  });

  it('shows the loading state, then why the users failed to load', async () => {
    await expectLoadingStatus(page, 'Loading the user list', {
      unanswered: usersPath,
      handlers: signedInHandlers('admin', me),
    });
    renderRoute(
      page,
      http.get(usersPath, () =>
        errorResponse(403, 'forbidden', 'Only instance admins may list users.'),
      ),
    );
    expect(await screen.findByText('Only instance admins may list users.')).toBeInTheDocument();
  });

  it('adds a user and shows their one-time sign-up link with a copy button', async () => {
    const { created } = useUsers([me]);
    const { user } = renderApp(page);
    await user.type(await screen.findByRole('textbox', { name: 'Email' }), 'dan@example.com');
    await user.click(screen.getByRole('checkbox', { name: /Instance admin/ }));
    await user.click(screen.getByRole('button', { name: 'Add user' }));

    const notice = await screen.findByRole('region', { name: 'Sign-up link' });
    expect(created).toEqual([{ email: 'dan@example.com', is_instance_admin: true }]);
    expect(notice).toHaveTextContent('Sign-up link for dan@example.com');
    expect(notice).toHaveTextContent(
      `annex sends no mail: hand this link to them; it works once, until ${formatAbsoluteTime('2025-12-05T09:00:00.000Z')}.`,
    );
    expect(within(notice).getByText(/\/sign-up\/token-for-9-/)).toBeInTheDocument();
    await user.click(within(notice).getByRole('button', { name: 'Copy Sign-up link' }));
    expect(await navigator.clipboard.readText()).toMatch(/\/sign-up\/token-for-9-/);
    await waitFor(() => expect(rowOf('dan@example.com')).toHaveTextContent('invited'));

    await user.click(within(notice).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('region', { name: 'Sign-up link' })).not.toBeInTheDocument();
  });

  it('shows the server’s reason when a user cannot be added', async () => {
    useUsers([me]);
    const { user } = renderRoute(
      page,
      http.post(usersPath, () =>
        errorResponse(409, 'conflict', 'An account with email bob@example.com exists.'),
      ),
    );
    await user.type(await screen.findByRole('textbox', { name: 'Email' }), 'bob@example.com');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    expect(await screen.findByText('The user could not be added')).toBeInTheDocument();
    expect(screen.getByText('An account with email bob@example.com exists.')).toBeInTheDocument();
  });

  it('issues a new sign-up link for a user', async () => {
    useUsers([me, carol]);
    const { user } = renderApp(page);
    await user.click(
      await screen.findByRole('button', { name: 'New sign-up link for carol@example.com' }),
    );
    const notice = await screen.findByRole('region', { name: 'Sign-up link' });
    expect(notice).toHaveTextContent('Sign-up link for carol@example.com');
    expect(within(notice).getByText(/\/sign-up\/token-for-3-/)).toBeInTheDocument();
  });

  it('disables and enables a user', async () => {
    const { patched } = useUsers([me, bob]);
    const { user } = renderApp(page);
    await user.click(await screen.findByRole('button', { name: 'Disable bob@example.com' }));
    expect(
      await screen.findByText('bob@example.com is disabled: they can no longer sign in.'),
    ).toBeInTheDocument();
    await waitFor(() => expect(rowOf('bob@example.com')).toHaveTextContent('disabled'));
    await user.click(screen.getByRole('button', { name: 'Enable bob@example.com' }));
    expect(await screen.findByText('bob@example.com is enabled again.')).toBeInTheDocument();
    expect(patched).toEqual([{ disabled: true }, { disabled: false }]);
  });

  it('makes a user instance admin, and shows the server’s reason when it refuses', async () => {
    const { patched } = useUsers([me, bob]);
    const { user } = renderApp(page);
    await user.click(
      await screen.findByRole('button', { name: 'Make instance admin: bob@example.com' }),
    );
    expect(
      await screen.findByText('bob@example.com is now an instance admin.'),
    ).toBeInTheDocument();
    expect(patched).toEqual([{ is_instance_admin: true }]);

    server.use(
      http.patch(`${usersPath}/2`, () =>
        errorResponse(409, 'conflict', 'annex keeps at least one instance admin.'),
      ),
    );
    await user.click(
      await screen.findByRole('button', { name: 'Remove instance admin: bob@example.com' }),
    );
    expect(await screen.findByText('bob@example.com could not be changed')).toBeInTheDocument();
    expect(screen.getByText('annex keeps at least one instance admin.')).toBeInTheDocument();
  });
});
