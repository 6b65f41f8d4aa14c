import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { ApiKey, CreateApiKeyRequest } from '../../../../contract/auth.ts';
import {
  buildApiKey,
  buildCreatedApiKey,
  signedInHandlers,
} from '../../../features/accounts/test-utils/account-builders.ts';
import { apiPath, errorResponse, jsonResponse, server } from '../../../test-utils/api-server.ts';
import { renderApp, renderRoute } from '../../../test-utils/render.tsx';
import { expectLoadingStatus } from '../../../test-utils/route-checks.ts';

const keysPath = apiPath('/auth/api-keys');
const page = '/account/api-keys';

function useKeys(initial: ApiKey[]) {
  let keys = initial;
  const posted: CreateApiKeyRequest[] = [];
  server.use(
    ...signedInHandlers('editor'),
    http.get(keysPath, () => jsonResponse({ keys })),
    http.post(keysPath, async ({ request }) => {
      const body = (await request.json()) as CreateApiKeyRequest;
      posted.push(body);
      const key = buildApiKey({
        id: 7,
        name: body.name,
        client_id: 'annex_ci_new7',
        project_string_id: body.project_string_id ?? null,
        role: body.role ?? null,
      });
      keys = [key, ...keys];
      return jsonResponse(buildCreatedApiKey(key, 'annex_cs_shown_once_7'), 201);
    }),
  );
  return {
    posted,
    revoke: (id: number) =>
      (keys = keys.map((k) =>
        k.id === id ? { ...k, revoked_time: '2025-11-28T12:00:00.000Z' } : k,
      )),
  };
}

describe('the API keys page', () => {
  it('lists your keys with what each reaches, its last use and whether it is revoked', async () => {
    useKeys([
      buildApiKey({ id: 1, name: 'ci', client_id: 'annex_ci_a' }),
      buildApiKey({
        id: 2,
        name: 'labelling bot',
        client_id: 'annex_ci_b',
        project_string_id: 'demo',
        role: 'viewer',
        last_used_time: '2025-11-28T08:00:00.000Z',
        revoked_time: '2025-11-28T09:00:00.000Z',
      }),
    ]);
    renderApp(page);
    const table = await screen.findByRole('table', { name: 'API keys' });
    const first = within(table).getByRole('row', { name: /annex_ci_a/ });
    const second = within(table).getByRole('row', { name: /annex_ci_b/ });
    expect(first).toHaveTextContent('ci');
    expect(first).toHaveTextContent('annex_ci_a');
    expect(first).toHaveTextContent('All your projects');
    expect(first).toHaveTextContent('never');
    expect(first).toHaveTextContent('Active');
    expect(within(first).getByRole('button', { name: 'Revoke ci' })).toBeInTheDocument();
    expect(second).toHaveTextContent('demo as viewer');
    expect(second).toHaveTextContent('Revoked');
    expect(within(second).queryByRole('button', { name: /Revoke/ })).not.toBeInTheDocument();
  });

  it('says so when you have no key', async () => {
    useKeys([]);
    renderApp(page);
    expect(await screen.findByText(/You have no API keys yet/)).toBeInTheDocument();
  });

  it('shows a loading state, then why the list failed, with a retry', async () => {
    await expectLoadingStatus(page, 'Loading your API keys', {
      unanswered: keysPath,
      handlers: signedInHandlers('editor'),
    });

    server.use(http.get(keysPath, () => errorResponse(500, 'internal', 'The database is locked.')));
    const { user } = renderApp(page);
    expect(await screen.findByText('The database is locked.')).toBeInTheDocument();
    server.use(http.get(keysPath, () => jsonResponse({ keys: [] })));
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText(/You have no API keys yet/)).toBeInTheDocument();
  });

  it('shows the secret once, with the client ID, copy buttons and examples, until dismissed', async () => {
    const { posted } = useKeys([]);
    const { user } = renderApp(page);
    await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'nightly export');
    await user.click(screen.getByRole('button', { name: 'Create key' }));

    const notice = await screen.findByRole('region', { name: 'Your new API key' });
    expect(posted).toEqual([{ name: 'nightly export' }]);
    expect(notice).toHaveTextContent('it will not be shown again');
    expect(within(notice).getByText('annex_ci_new7')).toBeInTheDocument();
    expect(within(notice).getByText('annex_cs_shown_once_7')).toBeInTheDocument();
    expect(within(notice).getByRole('button', { name: 'Copy Client ID' })).toBeInTheDocument();
    expect(within(notice).getByRole('button', { name: 'Copy Client secret' })).toBeInTheDocument();
    expect(notice).toHaveTextContent(
      `curl -u annex_ci_new7:annex_cs_shown_once_7 ${window.location.origin}/api/v1/projects`,
    );
    expect(notice).toHaveTextContent('export ANNEX_CLIENT_ID=annex_ci_new7');
    expect(notice).toHaveTextContent('export ANNEX_CLIENT_SECRET=annex_cs_shown_once_7');
    await user.click(within(notice).getByRole('button', { name: 'Copy Client secret' }));
    expect(await navigator.clipboard.readText()).toBe('annex_cs_shown_once_7');

    // The list shows the new key, never its secret.
    const table = await screen.findByRole('table', { name: 'API keys' });
    expect(table).toHaveTextContent('nightly export');
    expect(table).not.toHaveTextContent('annex_cs_shown_once_7');

    await user.click(within(notice).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByText('annex_cs_shown_once_7')).not.toBeInTheDocument();
  });

  it('forgets the secret once you leave the page', async () => {
    useKeys([]);
    const { user, router } = renderApp(page);
    await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'ci');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByText('annex_cs_shown_once_7')).toBeInTheDocument();

    await router.navigate('/no/such/page');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    await router.navigate(page);
    expect(await screen.findByRole('table', { name: 'API keys' })).toHaveTextContent(
      'annex_ci_new7',
    );
    expect(screen.queryByText('annex_cs_shown_once_7')).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Your new API key' })).not.toBeInTheDocument();
  });

  it('binds a key to a project with a role no higher than yours there', async () => {
    const { posted } = useKeys([]);
    const { user } = renderApp(page);
    await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'demo reader');
    await user.click(screen.getByRole('combobox', { name: 'Project' }));
    await user.click(await screen.findByRole('option', { name: 'Demo project' }));
    const role = screen.getByRole('combobox', { name: 'Role' });
    expect(role).toHaveValue('Editor');
    await user.click(role);
    expect(await screen.findByRole('option', { name: 'Viewer' })).toBeInTheDocument();
    expect(screen.queryByRole('option', { name: 'Admin' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('option', { name: 'Viewer' }));
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByRole('region', { name: 'Your new API key' });
    expect(posted).toEqual([{ name: 'demo reader', project_string_id: 'demo', role: 'viewer' }]);
    expect(await screen.findByRole('table', { name: 'API keys' })).toHaveTextContent(
      'demo as viewer',
    );
  });

  it('shows the server’s reason when a key cannot be created', async () => {
    useKeys([]);
    const { user } = renderRoute(
      page,
      http.post(keysPath, () =>
        errorResponse(403, 'forbidden', 'A key bound to a project cannot create keys.'),
      ),
    );
    await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'ci');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByText('The key could not be created')).toBeInTheDocument();
    expect(screen.getByText('A key bound to a project cannot create keys.')).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Your new API key' })).not.toBeInTheDocument();
  });

  it('revokes a key after asking, and says so', async () => {
    const keys = useKeys([buildApiKey({ id: 3, name: 'old script' })]);
    let deleted = 0;
    const { user } = renderRoute(
      page,
      http.delete(`${keysPath}/3`, () => {
        deleted += 1;
        keys.revoke(3);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await user.click(await screen.findByRole('button', { name: 'Revoke old script' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke “old script”?' });
    expect(deleted).toBe(0);
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    expect(
      await screen.findByText('Key “old script” revoked: it no longer works.'),
    ).toBeInTheDocument();
    expect(deleted).toBe(1);
    await waitFor(() =>
      expect(screen.getByRole('table', { name: 'API keys' })).toHaveTextContent('Revoked'),
    );
  });

  it('keeps the dialog open with the server’s reason when revoking fails', async () => {
    useKeys([buildApiKey({ id: 3, name: 'old script' })]);
    const { user } = renderRoute(
      page,
      http.delete(`${keysPath}/3`, () =>
        errorResponse(404, 'not_found', 'API key 3 does not exist.'),
      ),
    );
    await user.click(await screen.findByRole('button', { name: 'Revoke old script' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke “old script”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    expect(await within(dialog).findByText('API key 3 does not exist.')).toBeInTheDocument();
    expect(dialog).toHaveTextContent('The key could not be revoked');
  });
});
