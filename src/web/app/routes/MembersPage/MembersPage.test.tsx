import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { AddMemberRequest, Member } from '../../../../contract/auth.ts';
import type { ProjectRole } from '../../../../contract/roles.ts';
import {
  buildMember,
  signedInHandlers,
} from '../../../features/accounts/test-utils/account-builders.ts';
import { apiPath, errorResponse, jsonResponse, server } from '../../../test-utils/api-server.ts';
import { demoProject } from '../../../test-utils/builders.ts';
import { renderApp, renderRoute } from '../../../test-utils/render.tsx';
import { expectLoadingStatus } from '../../../test-utils/route-checks.ts';

const membersPath = apiPath(`/projects/${demoProject}/members`);
const page = `/projects/${demoProject}/members`;

const admin = buildMember({ user_id: 1, email: 'admin@annex.local', role: 'admin' });
const bob = buildMember({ user_id: 2, email: 'bob@example.com', role: 'viewer' });
const carol = buildMember({
  user_id: 3,
  email: 'carol@example.com',
  role: 'editor',
  status: 'invited',
});

/** The members endpoints over an in-memory list, as the server would keep it. */
function useMembers(initial: Member[], role: ProjectRole = 'admin') {
  let members = initial;
  const added: AddMemberRequest[] = [];
  server.use(
    ...signedInHandlers(role),
    http.get(membersPath, () => jsonResponse({ members })),
    http.post(membersPath, async ({ request }) => {
      const body = (await request.json()) as AddMemberRequest;
      added.push(body);
      const member = buildMember({
        user_id: 9,
        email: body.email,
        role: body.role,
        status: 'invited',
      });
      members = [...members, member];
      return jsonResponse(member, 201);
    }),
    http.patch(`${membersPath}/:id`, async ({ params, request }) => {
      const { role: newRole } = (await request.json()) as { role: ProjectRole };
      members = members.map((m) => (String(m.user_id) === params.id ? { ...m, role: newRole } : m));
      return jsonResponse(members.find((m) => String(m.user_id) === params.id) ?? null);
    }),
    http.delete(`${membersPath}/:id`, ({ params }) => {
      members = members.filter((m) => String(m.user_id) !== params.id);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { added };
}

describe('the members page', () => {
  it('lists members with their role and marks invited ones', async () => {
    useMembers([admin, bob, carol]);
    renderApp(page);
    const table = await screen.findByRole('table', { name: 'Members' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(4);
    expect(within(table).getByRole('combobox', { name: 'Role of bob@example.com' })).toHaveValue(
      'Viewer',
    );
    expect(rows[3]).toHaveTextContent('carol@example.com');
    expect(rows[3]).toHaveTextContent('Invited');
    expect(rows[2]).toHaveTextContent('Active');
    expect(screen.getByText(/Viewer: sees the panel/)).toBeInTheDocument();
    expect(screen.getByText(/Editor: also generates exports/)).toBeInTheDocument();
    expect(screen.getByText(/Admin: does everything/)).toBeInTheDocument();
  });

  it('links back to the project’s export page', async () => {
    useMembers([admin]);
    renderApp(page);
    const nav = await screen.findByRole('navigation', { name: 'Project pages' });
    expect(within(nav).getByRole('link', { name: /Back to Demo project exports/ })).toHaveAttribute(
      'href',
      `/projects/${demoProject}/export`,
    );
  });

  it('shows no controls to a member who is not admin', async () => {
    useMembers([admin], 'editor');
    renderApp(page);
    expect(await screen.findByText('Only project admins manage members')).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Email' })).not.toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Members' })).not.toBeInTheDocument();
  });

  it('shows the loading state, then why the members failed to load', async () => {
    await expectLoadingStatus(page, 'Loading the members', {
      unanswered: membersPath,
      handlers: signedInHandlers('admin'),
    });
    renderRoute(
      page,
      http.get(membersPath, () => errorResponse(500, 'internal', 'The database is locked.')),
    );
    expect(await screen.findByText('The members could not be loaded')).toBeInTheDocument();
    expect(screen.getByText('The database is locked.')).toBeInTheDocument();
  });

  it('shows a 404 for a project you are not in', async () => {
    server.use(
      http.get(apiPath('/projects/secret'), () =>
        errorResponse(404, 'not_found', 'Project "secret" does not exist.'),
      ),
    );
    renderApp('/projects/secret/members');
    expect(await screen.findByRole('heading', { name: 'Project not found' })).toBeInTheDocument();
  });

  it('adds a member by email with a role and says so', async () => {
    const { added } = useMembers([admin]);
    const { user } = renderApp(page);
    await user.type(await screen.findByRole('textbox', { name: 'Email' }), 'dan@example.com');
    await user.click(screen.getByRole('combobox', { name: 'Role' }));
    await user.click(await screen.findByRole('option', { name: 'Editor' }));
    await user.click(screen.getByRole('button', { name: 'Add member' }));
    expect(await screen.findByText(/dan@example.com added as editor/)).toBeInTheDocument();
    expect(added).toEqual([{ email: 'dan@example.com', role: 'editor' }]);
    await waitFor(() =>
      expect(screen.getByRole('table', { name: 'Members' })).toHaveTextContent('dan@example.com'),
    );
    expect(screen.getByRole('textbox', { name: 'Email' })).toHaveValue('');
  });

  it('says an instance admin adds the account first when there is none (404)', async () => {
    useMembers([admin]);
    const { user } = renderRoute(
      page,
      http.post(membersPath, () =>
        errorResponse(
          404,
          'not_found',
          'No account has the email nobody@example.com. An instance admin adds users first (Users page), then you can add them here.',
        ),
      ),
    );
    await user.type(await screen.findByRole('textbox', { name: 'Email' }), 'nobody@example.com');
    await user.click(screen.getByRole('button', { name: 'Add member' }));
    expect(await screen.findByText('The member could not be added')).toBeInTheDocument();
    expect(
      screen.getByText(
        'No account has the email nobody@example.com. An instance admin adds users first (Users page), then you can add them here.',
      ),
    ).toBeInTheDocument();
  });

  it('changes a role from the row’s picker', async () => {
    useMembers([admin, bob]);
    const { user } = renderApp(page);
    await user.click(await screen.findByRole('combobox', { name: 'Role of bob@example.com' }));
    await user.click(await screen.findByRole('option', { name: 'Editor' }));
    expect(await screen.findByText('bob@example.com is now editor.')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('combobox', { name: 'Role of bob@example.com' })).toHaveValue(
        'Editor',
      ),
    );
  });

  it('shows the server’s message when the last admin would lose the role (409)', async () => {
    useMembers([admin, bob]);
    const { user } = renderRoute(
      page,
      http.patch(`${membersPath}/1`, () =>
        errorResponse(
          409,
          'conflict',
          'A project keeps at least one admin: make another member admin first.',
        ),
      ),
    );
    await user.click(await screen.findByRole('combobox', { name: 'Role of admin@annex.local' }));
    await user.click(await screen.findByRole('option', { name: 'Viewer' }));
    expect(
      await screen.findByText('The role of admin@annex.local could not be changed'),
    ).toBeInTheDocument();
    expect(screen.getByText(/keeps at least one admin/)).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Role of admin@annex.local' })).toHaveValue(
      'Admin',
    );
  });

  it('removes a member after asking', async () => {
    useMembers([admin, bob]);
    const { user } = renderApp(page);
    await user.click(await screen.findByRole('button', { name: 'Remove bob@example.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove bob@example.com?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    expect(
      await screen.findByText('bob@example.com removed from the project.'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('table', { name: 'Members' })).not.toHaveTextContent(
        'bob@example.com',
      ),
    );
  });

  it('keeps the remove dialog open with the server’s reason (409)', async () => {
    useMembers([admin]);
    const { user } = renderRoute(
      page,
      http.delete(`${membersPath}/1`, () =>
        errorResponse(409, 'conflict', 'admin@annex.local is the project’s last admin.'),
      ),
    );
    await user.click(await screen.findByRole('button', { name: 'Remove admin@annex.local' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove admin@annex.local?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    expect(
      await within(dialog).findByText('admin@annex.local is the project’s last admin.'),
    ).toBeInTheDocument();
    expect(dialog).toHaveTextContent('The member could not be removed');
  });
});
