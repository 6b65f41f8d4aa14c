import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Export } from '../../../../contract/exports.ts';
import { projectQueries } from '../../../features/projects/api/project-queries.ts';
import { currentDirectoryStorageKey } from '../../../features/projects/hooks/use-current-directory.ts';
import { errorResponse, jsonResponse, stubApi } from '../../../test-utils/fake-api.ts';
import type { FakeHandler } from '../../../test-utils/fake-api.ts';
import {
  buildExport,
  buildExportPage,
  buildJobList,
  buildPreflight,
  buildProjectDetail,
  buildProjectList,
  demoProject,
} from '../../../test-utils/fixtures.ts';
import { renderApp } from '../../../test-utils/render.tsx';

const projectPath = `/api/v1/projects/${demoProject}`;

function demoApi(overrides: Record<string, FakeHandler> = {}) {
  return stubApi({
    'GET /api/v1/projects': () => jsonResponse(buildProjectList()),
    [`GET ${projectPath}`]: () => jsonResponse(buildProjectDetail()),
    [`GET ${projectPath}/jobs`]: () => jsonResponse(buildJobList()),
    [`GET ${projectPath}/exports/preflight`]: () => jsonResponse(buildPreflight()),
    [`GET ${projectPath}/exports`]: () => jsonResponse(buildExportPage([])),
    ...overrides,
  });
}

describe('the export page', () => {
  it('opens the first project’s export page from /', async () => {
    demoApi();
    const { router } = renderApp('/');
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/projects/${demoProject}/export`),
    );
    expect(
      await screen.findByRole('heading', { name: 'Demo project', level: 1 }),
    ).toBeInTheDocument();
  });

  it('shows the project and defaults the current directory to the project’s default', async () => {
    demoApi();
    renderApp(`/projects/${demoProject}/export`);
    const header = await screen.findByRole('banner');
    expect(within(header).getByRole('heading', { name: 'Demo project' })).toBeInTheDocument();
    expect(within(header).getByRole('combobox', { name: 'Current directory' })).toHaveValue(
      'Luckfrill',
    );
    expect(screen.getByRole('combobox', { name: 'Directory' })).toHaveValue('Luckfrill');
    expect(
      await screen.findByText(
        'No exports yet. Click Generate to build your first export, or call the SDK.',
      ),
    ).toBeInTheDocument();
  });

  it('remembers the current directory across reloads', async () => {
    demoApi();
    const first = renderApp(`/projects/${demoProject}/export`);
    const picker = await screen.findByRole('combobox', { name: 'Current directory' });
    await first.user.click(picker);
    await first.user.click(await screen.findByRole('option', { name: 'Quietbrook' }));
    expect(screen.getByRole('combobox', { name: 'Directory' })).toHaveValue('Quietbrook');
    expect(window.localStorage.getItem(currentDirectoryStorageKey(demoProject))).toBe('12');
    first.unmount();

    renderApp(`/projects/${demoProject}/export`);
    expect(await screen.findByRole('combobox', { name: 'Current directory' })).toHaveValue(
      'Quietbrook',
    );
    expect(screen.getByRole('combobox', { name: 'Directory' })).toHaveValue('Quietbrook');
  });

  it('falls back to the default directory when the remembered one is gone', async () => {
    window.localStorage.setItem(currentDirectoryStorageKey(demoProject), '999');
    demoApi();
    renderApp(`/projects/${demoProject}/export`);
    expect(await screen.findByRole('combobox', { name: 'Current directory' })).toHaveValue(
      'Luckfrill',
    );
  });

  it('preselects the job from ?job_id=', async () => {
    const api = demoApi();
    renderApp(`/projects/${demoProject}/export?job_id=22`);
    expect(await screen.findByRole('radio', { name: 'Job' })).toBeChecked();
    await waitFor(() =>
      expect(screen.getByRole('combobox', { name: 'Job' })).toHaveValue('Transcripts pass'),
    );
    await waitFor(() =>
      expect(
        api.requestsTo('GET', `${projectPath}/exports/preflight`).at(-1)?.query.get('job_id'),
      ).toBe('22'),
    );
  });

  it('puts a generated export at the top of the list at once', async () => {
    const older = buildExport({ id: 3 });
    const created: Export = buildExport({
      id: 9,
      status: 'queued',
      percent_complete: 0,
      file_list_length: null,
      instance_count: null,
      size_bytes: null,
      file_name: null,
      created_time: new Date().toISOString(),
    });
    let listed: Export[] = [older];
    demoApi({
      [`GET ${projectPath}/exports`]: () => jsonResponse(buildExportPage(listed)),
      [`POST ${projectPath}/exports`]: () => {
        listed = [created, older];
        return jsonResponse(created, 202);
      },
    });
    const { user } = renderApp(`/projects/${demoProject}/export`);
    await screen.findByText('47.1 KB');
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Check value' })).toHaveTextContent(
        'Will export 37 files · 412 instances',
      ),
    );

    await user.click(screen.getByRole('button', { name: 'Generate' }));
    const table = screen.getByRole('table', { name: 'Exports' });
    await waitFor(() => expect(within(table).getAllByRole('row')[1]).toHaveTextContent('queued'));
    expect(within(table).getAllByRole('row')[1]).toHaveTextContent('just now');
    expect(within(table).getAllByRole('row')[2]).toHaveTextContent('47.1 KB');
  });

  it('shows a 404 page with a way back for an unknown project', async () => {
    demoApi({
      'GET /api/v1/projects/nope': () =>
        errorResponse(404, 'not_found', 'Project "nope" does not exist.'),
      'GET /api/v1/projects/nope/jobs': () =>
        errorResponse(404, 'not_found', 'Project "nope" does not exist.'),
    });
    const { user, router } = renderApp('/projects/nope/export');
    expect(await screen.findByRole('heading', { name: 'Project not found' })).toBeInTheDocument();
    expect(screen.getByText('Project "nope" does not exist.')).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Go to the export panel' }));
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/projects/${demoProject}/export`),
    );
  });

  it('shows a 404 page for an address the panel does not have', async () => {
    demoApi();
    renderApp('/no/such/page');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the export panel' })).toHaveAttribute(
      'href',
      '/',
    );
  });

  it('shows a project that fails to load with the reason and a retry', async () => {
    const api = demoApi({
      [`GET ${projectPath}`]: () =>
        errorResponse(500, 'internal', 'The database is locked. Try again.'),
    });
    const { user } = renderApp(`/projects/${demoProject}/export`);
    expect(await screen.findByText('The database is locked. Try again.')).toBeInTheDocument();
    api.on(`GET ${projectPath}`, () => jsonResponse(buildProjectDetail()));
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('combobox', { name: 'Current directory' })).toHaveValue(
      'Luckfrill',
    );
  });

  it('keeps the panel on screen when a background re-read of the project fails', async () => {
    const api = demoApi();
    const { queryClient } = renderApp(`/projects/${demoProject}/export`);
    expect(await screen.findByRole('combobox', { name: 'Current directory' })).toHaveValue(
      'Luckfrill',
    );
    api.on(`GET ${projectPath}`, () =>
      errorResponse(500, 'internal', 'The database is locked. Try again.'),
    );
    await queryClient.refetchQueries({ queryKey: projectQueries.detail(demoProject).queryKey });
    await waitFor(() =>
      expect(queryClient.getQueryState(projectQueries.detail(demoProject).queryKey)?.status).toBe(
        'error',
      ),
    );
    expect(screen.getByRole('combobox', { name: 'Current directory' })).toHaveValue('Luckfrill');
    expect(screen.getByRole('button', { name: 'Generate' })).toBeInTheDocument();
    expect(screen.queryByText('The database is locked. Try again.')).not.toBeInTheDocument();
  });

  it('starts the form over when the page moves to another project', async () => {
    const otherPath = '/api/v1/projects/other';
    const detail = buildProjectDetail();
    demoApi({
      [`GET ${otherPath}`]: () =>
        jsonResponse({
          ...detail,
          project: { ...detail.project, project_string_id: 'other', name: 'Other project' },
        }),
      [`GET ${otherPath}/jobs`]: () => jsonResponse(buildJobList()),
      [`GET ${otherPath}/exports/preflight`]: () => jsonResponse(buildPreflight()),
      [`GET ${otherPath}/exports`]: () => jsonResponse(buildExportPage([])),
    });
    const { user, router, queryClient } = renderApp(`/projects/${demoProject}/export`);
    await user.click(await screen.findByRole('radio', { name: 'Job' }));
    expect(screen.getByRole('radio', { name: 'Job' })).toBeChecked();

    // Already read (a visit before): the page shows at once, without a skeleton in between.
    await queryClient.query(projectQueries.detail('other'));
    await router.navigate('/projects/other/export');
    expect(
      await screen.findByRole('heading', { name: 'Other project', level: 1 }),
    ).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Directory' })).toBeChecked();
  });

  it('shows why / could not open a project when the API is down', async () => {
    stubApi({ 'GET /api/v1/projects': () => Promise.reject(new TypeError('Failed to fetch')) });
    renderApp('/');
    expect(await screen.findByText(/Could not reach the annex server/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
