import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Export } from '../../../../contract/exports.ts';
import { projectQueries } from '../../../features/projects/api/project-queries.ts';
import { currentDirectoryStorageKey } from '../../../features/projects/hooks/use-current-directory.ts';
import { File as NodeFile } from 'node:buffer';
import { http, HttpResponse } from 'msw';
import {
  apiPath,
  errorResponse,
  exportsPath,
  importsPath,
  signedOutAnswer,
  jsonResponse,
  recordRequests,
  server,
} from '../../../test-utils/api-server.ts';
import {
  buildExport,
  buildExportPage,
  buildImport,
  buildImportPage,
  buildJobList,
  buildMe,
  buildPreflight,
  buildProjectDetail,
  buildProjectList,
  demoProject,
} from '../../../test-utils/builders.ts';
import { renderApp } from '../../../test-utils/render.tsx';

// The demo project's endpoints answer by default (see `demoProjectHandlers`); tests change only what they need.
const projectPath = apiPath(`/projects/${demoProject}`);

describe('the export page', () => {
  it('opens the first project’s export page from /', async () => {
    const { router } = renderApp('/');
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/projects/${demoProject}/export`),
    );
    expect(
      await screen.findByRole('heading', { name: 'Demo project', level: 1 }),
    ).toBeInTheDocument();
  });

  it('shows the project and defaults the current directory to the project’s default', async () => {
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
    renderApp(`/projects/${demoProject}/export`);
    expect(await screen.findByRole('combobox', { name: 'Current directory' })).toHaveValue(
      'Luckfrill',
    );
  });

  it('preselects the job from ?job_id=', async () => {
    const log = recordRequests();
    renderApp(`/projects/${demoProject}/export?job_id=22`);
    expect(await screen.findByRole('radio', { name: 'Job' })).toBeChecked();
    await waitFor(() =>
      expect(screen.getByRole('combobox', { name: 'Job' })).toHaveValue('Transcripts pass'),
    );
    await waitFor(() =>
      expect(log.to('GET', `${exportsPath()}/preflight`).at(-1)?.query.get('job_id')).toBe('22'),
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
    server.use(
      http.get(exportsPath(), () => jsonResponse(buildExportPage(listed))),
      http.post(exportsPath(), () => {
        listed = [created, older];
        return jsonResponse(created, 202);
      }),
    );
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
    server.use(
      http.get(apiPath('/projects/nope'), () =>
        errorResponse(404, 'not_found', 'Project "nope" does not exist.'),
      ),
      http.get(apiPath('/projects/nope/jobs'), () =>
        errorResponse(404, 'not_found', 'Project "nope" does not exist.'),
      ),
    );
    const { user, router } = renderApp('/projects/nope/export');
    expect(await screen.findByRole('heading', { name: 'Project not found' })).toBeInTheDocument();
    expect(screen.getByText('Project "nope" does not exist.')).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Go to the export panel' }));
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/projects/${demoProject}/export`),
    );
  });

  it('shows a 404 page for an address the panel does not have', async () => {
    renderApp('/no/such/page');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the export panel' })).toHaveAttribute(
      'href',
      '/',
    );
  });

  it('shows a project that fails to load with the reason and a retry', async () => {
    server.use(
      http.get(projectPath, () =>
        errorResponse(500, 'internal', 'The database is locked. Try again.'),
      ),
    );
    const { user } = renderApp(`/projects/${demoProject}/export`);
    expect(await screen.findByText('The database is locked. Try again.')).toBeInTheDocument();
    server.use(http.get(projectPath, () => jsonResponse(buildProjectDetail())));
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('combobox', { name: 'Current directory' })).toHaveValue(
      'Luckfrill',
    );
  });

  it('keeps the panel on screen when a background re-read of the project fails', async () => {
    const { queryClient } = renderApp(`/projects/${demoProject}/export`);
    expect(await screen.findByRole('combobox', { name: 'Current directory' })).toHaveValue(
      'Luckfrill',
    );
    server.use(
      http.get(projectPath, () =>
        errorResponse(500, 'internal', 'The database is locked. Try again.'),
      ),
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
    const otherPath = apiPath('/projects/other');
    server.use(
      http.get(otherPath, () => jsonResponse(buildProjectDetail('other', 'Other project'))),
      http.get(`${otherPath}/jobs`, () => jsonResponse(buildJobList())),
      http.get(`${exportsPath('other')}/preflight`, () => jsonResponse(buildPreflight())),
      http.get(exportsPath('other'), () => jsonResponse(buildExportPage([]))),
    );
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
    server.use(http.get(apiPath('/projects'), () => HttpResponse.error()));
    renderApp('/');
    expect(await screen.findByText(/Could not reach the annex server/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

describe('the export page by role', () => {
  const mine = buildExport({ id: 5, size_bytes: 1024, created_by: 'ed@example.com' });
  const theirs = buildExport({ id: 4, size_bytes: 2048, created_by: 'other@example.com' });

  /** Signed in as ed@example.com (no instance admin), holding `role` in the demo project. */
  function signedInAs(role: 'viewer' | 'editor') {
    server.use(
      http.get(apiPath('/auth/me'), () =>
        jsonResponse(buildMe({ user: { email: 'ed@example.com', is_instance_admin: false } })),
      ),
      http.get(apiPath('/projects'), () => jsonResponse(buildProjectList(role))),
      http.get(projectPath, () =>
        jsonResponse(buildProjectDetail(demoProject, 'Demo project', role)),
      ),
      http.get(exportsPath(), () => jsonResponse(buildExportPage([mine, theirs]))),
    );
  }

  function rowOf(text: string): HTMLElement {
    const row = within(screen.getByRole('table', { name: 'Exports' }))
      .getByText(text)
      .closest('tr');
    if (row === null) throw new Error(`no row holds ${text}`);
    return row;
  }

  it('shows a viewer no Generate and no Archive, but Download and Preview', async () => {
    signedInAs('viewer');
    renderApp(`/projects/${demoProject}/export`);
    await screen.findByText('1.0 KB');
    expect(screen.queryByRole('button', { name: 'Generate' })).toBeNull();
    expect(screen.getByText(/Generating one needs the editor role/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Archive' })).toBeNull();
    expect(within(rowOf('1.0 KB')).getByRole('button', { name: 'Download' })).toBeEnabled();
    expect(within(rowOf('2.0 KB')).getByRole('button', { name: 'Preview' })).toBeEnabled();
    expect(screen.queryByRole('button', { name: 'Import' })).toBeNull();
  });

  it('shows a viewer that an export is stale, but no Regenerate', async () => {
    signedInAs('viewer');
    server.use(
      http.get(exportsPath(), () =>
        jsonResponse(
          buildExportPage([
            buildExport({ changes_since: { files_changed: 5, files_added: 0, files_removed: 0 } }),
          ]),
        ),
      ),
    );
    renderApp(`/projects/${demoProject}/export`);
    expect(await screen.findByText('5 files changed since this export')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Regenerate' })).toBeNull();
  });

  it('lets an editor generate, and archive only the exports they created', async () => {
    signedInAs('editor');
    renderApp(`/projects/${demoProject}/export`);
    await screen.findByText('1.0 KB');
    expect(screen.getByRole('button', { name: 'Generate' })).toBeInTheDocument();
    expect(within(rowOf('1.0 KB')).getByRole('button', { name: 'Archive' })).toBeInTheDocument();
    expect(within(rowOf('2.0 KB')).queryByRole('button', { name: 'Archive' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Import' })).toBeInTheDocument();
  });

  it('lets an admin archive every export', async () => {
    server.use(http.get(exportsPath(), () => jsonResponse(buildExportPage([mine, theirs]))));
    renderApp(`/projects/${demoProject}/export`);
    await screen.findByText('1.0 KB');
    expect(within(rowOf('1.0 KB')).getByRole('button', { name: 'Archive' })).toBeInTheDocument();
    expect(within(rowOf('2.0 KB')).getByRole('button', { name: 'Archive' })).toBeInTheDocument();
  });

  it('shows the server’s 403 when it refuses Generate anyway', async () => {
    server.use(
      http.post(exportsPath(), () =>
        errorResponse(403, 'forbidden', 'Generating an export needs the editor role.'),
      ),
    );
    const { user } = renderApp(`/projects/${demoProject}/export`);
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Check value' })).toHaveTextContent(
        'Will export 37 files',
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(
      await screen.findByText('Generating an export needs the editor role.'),
    ).toBeInTheDocument();
  });

  it('tells a user in no project to ask a project admin', async () => {
    server.use(http.get(apiPath('/projects'), () => jsonResponse({ projects: [] })));
    renderApp('/');
    expect(
      await screen.findByText(
        'You are not a member of any project yet; ask a project admin to add you.',
      ),
    ).toBeInTheDocument();
  });
});

describe('importing from the export page', () => {
  /** A file as the picker hands it over (Node's File: msw reads its bytes, not a jsdom one's). */
  const file = new NodeFile(['{"readme":{}}'], 'night.json', {
    type: 'application/json',
  }) as unknown as File;

  it('imports into a new directory, which then shows in the source picker', async () => {
    const nightDrive = { id: 14, nickname: 'Night drive', file_count: 3, completed_file_count: 3 };
    let imported = false;
    const complete = buildImport({
      id: 8,
      original_filename: 'night.json',
      directory: { id: 14, name: 'Night drive' },
      directory_name: 'Night drive',
      files_created: 3,
    });
    server.use(
      http.get(projectPath, () => {
        const detail = buildProjectDetail();
        return jsonResponse(
          imported ? { ...detail, directories: [...detail.directories, nightDrive] } : detail,
        );
      }),
      http.get(importsPath(), () => jsonResponse(buildImportPage(imported ? [complete] : []))),
      http.post(importsPath(), () => {
        imported = true;
        return jsonResponse(
          { import: { ...complete, status: 'queued', percent_complete: 0 } },
          202,
        );
      }),
      http.get(`${importsPath()}/8`, () => jsonResponse({ import: complete })),
    );
    const { user } = renderApp(`/projects/${demoProject}/export`);
    await user.click(await screen.findByRole('button', { name: 'Import' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import annotations' });
    // The page's current directory is where the file goes unless the user names another.
    const directory = within(dialog).getByRole('textbox', { name: 'Directory' });
    expect(directory).toHaveValue('Luckfrill');
    await user.upload(within(dialog).getByLabelText('Diffgram JSON file to import'), file);
    await user.clear(directory);
    await user.type(directory, 'Night drive');
    await user.click(within(dialog).getByRole('button', { name: 'Import' }));
    expect(await within(dialog).findByText('Import complete')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));

    await user.click(screen.getByRole('combobox', { name: 'Directory' }));
    expect(await screen.findByRole('option', { name: /^Night drive/ })).toBeInTheDocument();
  });

  it('sends the user to sign in when the session ended before the upload', async () => {
    server.use(
      http.get(importsPath(), () => jsonResponse(buildImportPage([]))),
      http.post(importsPath(), signedOutAnswer),
    );
    const { user, router } = renderApp(`/projects/${demoProject}/export`);
    await user.click(await screen.findByRole('button', { name: 'Import' }));
    const dialog = await screen.findByRole('dialog', { name: 'Import annotations' });
    await user.upload(within(dialog).getByLabelText('Diffgram JSON file to import'), file);
    await user.click(within(dialog).getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
  });
});
