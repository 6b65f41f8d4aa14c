import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  buildAuditEvent,
  buildAuditPage,
  signedInHandlers,
} from '../../../features/accounts/test-utils/account-builders.ts';
import {
  apiPath,
  errorResponse,
  jsonResponse,
  recordRequests,
  server,
} from '../../../test-utils/api-server.ts';
import { demoProject } from '../../../test-utils/builders.ts';
import { renderApp, renderRoute } from '../../../test-utils/render.tsx';
import { expectLoadingStatus } from '../../../test-utils/route-checks.ts';
import { formatAbsoluteTime } from '../../../lib/format.ts';

const auditPath = apiPath(`/projects/${demoProject}/audit`);
const page = `/projects/${demoProject}/audit`;

const newest = buildAuditEvent({
  id: 3,
  time: '2025-11-28T18:00:00.000Z',
  actor_email: 'admin@annex.local',
  via: 'api_key',
  action: 'member_role_changed',
  target: 'member bob@example.com',
  details: { role: 'editor' },
  ip: '10.0.0.7',
});
const older = buildAuditEvent({ id: 2, time: '2025-11-28T17:00:00.000Z' });
const oldest = buildAuditEvent({
  id: 1,
  time: '2025-11-27T09:00:00.000Z',
  actor_email: null,
  via: null,
  action: 'sign_in_failed',
  target: null,
  details: { email: 'mallory@example.com' },
  ip: null,
});

describe('the audit page', () => {
  it('shows events newest first in words, then the older ones on Load more', async () => {
    const { user } = renderRoute(
      page,
      ...signedInHandlers('admin'),
      http.get(auditPath, ({ request }) =>
        new URL(request.url).searchParams.get('cursor') === '2'
          ? jsonResponse(buildAuditPage([oldest]))
          : jsonResponse(buildAuditPage([newest, older], '2')),
      ),
    );
    const table = await screen.findByRole('table', { name: 'Audit events' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent(formatAbsoluteTime(newest.time));
    expect(rows[1]).toHaveTextContent('admin@annex.local');
    expect(rows[1]).toHaveTextContent('API key');
    expect(rows[1]).toHaveTextContent('Changed a member’s role');
    expect(rows[1]).toHaveTextContent('member bob@example.com');
    expect(rows[1]).toHaveTextContent('role: editor');
    expect(rows[1]).toHaveTextContent('10.0.0.7');
    expect(rows[2]).toHaveTextContent('Generated an export');

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));
    const last = within(table).getAllByRole('row')[3];
    expect(last).toHaveTextContent('Sign-in failed');
    expect(last).toHaveTextContent('nobody signed in');
    expect(last).toHaveTextContent('email: mallory@example.com');
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    expect(screen.getByText('That is every event.')).toBeInTheDocument();
  });

  it('filters by action', async () => {
    const log = recordRequests();
    const { user } = renderRoute(
      page,
      ...signedInHandlers('admin'),
      http.get(auditPath, ({ request }) =>
        new URL(request.url).searchParams.get('action') === 'member_role_changed'
          ? jsonResponse(buildAuditPage([newest]))
          : jsonResponse(buildAuditPage([newest, older])),
      ),
    );
    await screen.findByRole('table', { name: 'Audit events' });
    await user.click(screen.getByRole('combobox', { name: 'Action' }));
    await user.click(await screen.findByRole('option', { name: 'Changed a member’s role' }));
    await waitFor(() =>
      expect(
        within(screen.getByRole('table', { name: 'Audit events' })).getAllByRole('row'),
      ).toHaveLength(2),
    );
    expect(log.to('GET', auditPath).at(-1)?.query.get('action')).toBe('member_role_changed');
  });

  it('says so when nothing is recorded', async () => {
    renderRoute(
      page,
      ...signedInHandlers('admin'),
      http.get(auditPath, () => jsonResponse(buildAuditPage([]))),
    );
    expect(await screen.findByText('Nothing recorded in this project yet.')).toBeInTheDocument();
  });

  it('shows the loading state, then why the log failed to load, with a retry', async () => {
    await expectLoadingStatus(page, 'Loading the audit log', {
      unanswered: auditPath,
      handlers: signedInHandlers('admin'),
    });
    const { user } = renderRoute(
      page,
      http.get(auditPath, () => errorResponse(500, 'internal', 'The database is locked.')),
    );
    expect(await screen.findByText('The audit log could not be loaded')).toBeInTheDocument();
    expect(screen.getByText('The database is locked.')).toBeInTheDocument();
    server.use(http.get(auditPath, () => jsonResponse(buildAuditPage([older]))));
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Audit events' })).toBeInTheDocument();
  });

  it('tells a viewer the log is for project admins, without asking the server for it', async () => {
    const log = recordRequests();
    server.use(...signedInHandlers('viewer'));
    renderApp(page);
    expect(await screen.findByText('Only project admins see the audit log')).toBeInTheDocument();
    expect(log.to('GET', auditPath)).toHaveLength(0);
    expect(screen.getByRole('link', { name: /Back to Demo project exports/ })).toBeInTheDocument();
  });
});
