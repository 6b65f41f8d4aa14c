import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Export } from '../../../../../contract/exports.ts';
import { http, HttpResponse } from 'msw';
import {
  errorResponse,
  exportsPath,
  jsonResponse,
  neverAnswer,
  recordRequests,
  server,
} from '../../../../test-utils/api-server.ts';
import {
  buildExport,
  buildExportLink,
  buildExportPage,
  demoProject,
} from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { exportListRefetchInterval, exportPollIntervalMs } from '../../api/export-queries.ts';
import { emptyListText, ExportList } from './ExportList.tsx';
import { exportColumns } from '../ExportRow/export-columns.ts';
import { useCursorPages } from '../../hooks/use-cursor-pages.ts';

const listPath = exportsPath();

function ListUnderTest({
  canArchive = () => true,
  canRegenerate = true,
}: {
  canArchive?: (item: Export) => boolean;
  canRegenerate?: boolean;
}) {
  const pages = useCursorPages();
  return (
    <ExportList
      project={demoProject}
      pages={pages}
      canArchive={canArchive}
      canRegenerate={canRegenerate}
    />
  );
}

function exportsTable(): HTMLElement {
  return screen.getByRole('table', { name: 'Exports' });
}

function rowOf(text: string | RegExp): HTMLElement {
  const cell = within(exportsTable()).getByText(text);
  const row = cell.closest('tr');
  if (row === null) throw new Error(`no row holds ${String(text)}`);
  return row;
}

const complete = buildExport({ id: 3 });
const running = buildExport({
  id: 4,
  status: 'running',
  percent_complete: 40,
  file_list_length: 37,
  instance_count: null,
  size_bytes: null,
  file_name: null,
  created_time: '2025-11-28T17:45:00.000Z',
});
const failed = buildExport({
  id: 5,
  source: 'job',
  directory: null,
  job: { id: 21, name: 'Street scenes review' },
  status: 'failed',
  status_text:
    'No file matches: the job has 13 tasks, none complete. Choose All to export their files.',
  percent_complete: 0,
  file_list_length: 0,
  instance_count: 0,
  expected_file_count: 0,
  size_bytes: null,
  file_name: null,
});

function linkAnswer(item: Export) {
  return jsonResponse(buildExportLink(item));
}

/** Answers the list with `pages()` at each read, so a test can change what the server holds. */
function listAnswers(page: () => ReturnType<typeof buildExportPage>) {
  return http.get(listPath, () => jsonResponse(page()));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ExportList', () => {
  it('shows skeleton rows while the first page loads', () => {
    server.use(http.get(listPath, neverAnswer));
    renderWithProviders(<ListUnderTest />);
    const table = exportsTable();
    expect(table).toHaveAttribute('aria-busy', 'true');
    expect(table.querySelectorAll('tbody tr[aria-hidden="true"]')).toHaveLength(5);
  });

  it('tells a new user what to do when there is no export yet', async () => {
    renderWithProviders(<ListUnderTest />);
    expect(await screen.findByText(emptyListText)).toBeInTheDocument();
  });

  it('shows an API error with what happened and a retry', async () => {
    server.use(
      http.get(listPath, () =>
        errorResponse(503, 'internal', 'The database is not answering. Try again in a moment.'),
      ),
    );
    const { user } = renderWithProviders(<ListUnderTest />);
    expect(await screen.findByText('The exports could not be loaded')).toBeInTheDocument();
    expect(
      screen.getByText('The database is not answering. Try again in a moment.'),
    ).toBeInTheDocument();

    server.use(listAnswers(() => buildExportPage([complete])));
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Exports' })).toBeInTheDocument();
    expect(rowOf('Luckfrill')).toHaveTextContent('complete');
  });

  it('shows each export’s date, status, source, counts, size and filter', async () => {
    const differs = buildExport({
      id: 6,
      file_list_length: 36,
      expected_file_count: 37,
      ann_is_complete: false,
      include_removed: true,
      size_bytes: 1_000_000,
      directory: { id: 12, name: 'Quietbrook' },
    });
    server.use(listAnswers(() => buildExportPage([differs, running, failed, complete])));
    renderWithProviders(<ListUnderTest />);
    await screen.findByText('Quietbrook');

    const headers = within(exportsTable())
      .getAllByRole('columnheader')
      .map((header) => header.textContent);
    expect(headers).toEqual([...exportColumns]);

    const differsRow = rowOf('Quietbrook');
    expect(differsRow).toHaveTextContent('Directory · Quietbrook');
    expect(differsRow).toHaveTextContent('with removed instances');
    expect(within(differsRow).getByText('expected 37')).toBeInTheDocument();
    expect(differsRow).toHaveTextContent('No, all files');

    expect(differsRow).toHaveTextContent('977 KB');

    const completeRow = rowOf('47.1 KB');
    expect(completeRow).toHaveTextContent('412');
    expect(completeRow).toHaveTextContent('Yes');
    expect(within(completeRow).queryByText(/expected/)).not.toBeInTheDocument();
    const date = within(completeRow).getByText((_, element) => element?.tagName === 'TIME');
    expect(date).toHaveAttribute('datetime', complete.created_time);
    expect(date.getAttribute('title')).toMatch(/2025/);

    const runningRow = rowOf('40%');
    expect(
      within(runningRow).getByRole('progressbar', { name: 'Export 4 progress' }),
    ).toBeInTheDocument();
    expect(within(runningRow).getByRole('button', { name: 'Download' })).toBeDisabled();
    expect(within(runningRow).getByRole('button', { name: 'Preview' })).toBeDisabled();

    const failedRow = rowOf('Street scenes review');
    expect(failedRow).toHaveTextContent('Job · Street scenes review');
    expect(failedRow).toHaveTextContent(failed.status_text ?? '');
  });

  it('Download asks for a fresh link and opens it in a pop-up', async () => {
    server.use(
      listAnswers(() => buildExportPage([complete])),
      http.post(`${listPath}/3/link`, () => linkAnswer(complete)),
    );
    const log = recordRequests();
    const popup = { opener: window } as unknown as Window;
    const open = vi.spyOn(window, 'open').mockReturnValue(popup);
    const { user } = renderWithProviders(<ListUnderTest />);
    await user.click(await screen.findByRole('button', { name: 'Download' }));

    await waitFor(() =>
      expect(open).toHaveBeenCalledWith('/api/v1/files/3?signature=s1', '_blank'),
    );
    expect(popup.opener).toBeNull();
    expect(log.to('POST', `${listPath}/3/link`)).toHaveLength(1);
    expect(screen.queryByText('The browser blocked the download pop-up')).not.toBeInTheDocument();
  });

  it('opens every pop-up asked for, even when a second Download is clicked before the first link arrives', async () => {
    const other = buildExport({ id: 6 });
    let answerFirst: (response: Response) => void = () => undefined;
    server.use(
      listAnswers(() => buildExportPage([other, complete])),
      http.post(
        `${listPath}/3/link`,
        () =>
          new Promise<Response>((resolve) => {
            answerFirst = resolve;
          }),
      ),
      http.post(`${listPath}/6/link`, () => linkAnswer(other)),
    );
    const open = vi.spyOn(window, 'open').mockReturnValue({ opener: window } as unknown as Window);
    const { user } = renderWithProviders(<ListUnderTest />);
    await screen.findByText('#3');
    await user.click(within(rowOf('#3')).getByRole('button', { name: 'Download' }));
    await user.click(within(rowOf('#6')).getByRole('button', { name: 'Download' }));
    await waitFor(() =>
      expect(open).toHaveBeenCalledWith('/api/v1/files/6?signature=s1', '_blank'),
    );

    answerFirst(linkAnswer(complete));
    await waitFor(() =>
      expect(open).toHaveBeenCalledWith('/api/v1/files/3?signature=s1', '_blank'),
    );
  });

  it('when the pop-up is blocked, says so and offers the link to click', async () => {
    server.use(
      listAnswers(() => buildExportPage([complete])),
      http.post(`${listPath}/3/link`, () => linkAnswer(complete)),
    );
    vi.spyOn(window, 'open').mockReturnValue(null);
    const { user } = renderWithProviders(<ListUnderTest />);
    await user.click(await screen.findByRole('button', { name: 'Download' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The browser blocked the download pop-up');
    expect(alert).toHaveTextContent('Allow pop-ups for this site');
    const link = within(alert).getByRole('link', { name: complete.file_name ?? '' });
    expect(link).toHaveAttribute('href', '/api/v1/files/3?signature=s1');
    expect(link).toHaveAttribute('target', '_blank');

    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says why a download failed instead of failing silently', async () => {
    server.use(
      listAnswers(() => buildExportPage([complete])),
      http.post(`${listPath}/3/link`, () =>
        errorResponse(409, 'export_not_ready', 'Export not ready yet'),
      ),
    );
    const open = vi.spyOn(window, 'open');
    const { user } = renderWithProviders(<ListUnderTest />);
    await user.click(await screen.findByRole('button', { name: 'Download' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Export 3 could not be downloaded: Export not ready yet',
    );
    expect(open).not.toHaveBeenCalled();
  });

  it('archives only after confirmation', async () => {
    let archived = false;
    server.use(
      listAnswers(() => buildExportPage(archived ? [running] : [complete, running])),
      http.delete(`${listPath}/3`, () => {
        archived = true;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const log = recordRequests();
    const { user } = renderWithProviders(<ListUnderTest />);
    await screen.findByText('47.1 KB');
    const row = rowOf('47.1 KB');

    await user.click(within(row).getByRole('button', { name: 'Archive' }));
    let dialog = await screen.findByRole('dialog', { name: 'Archive export 3?' });
    expect(dialog).toHaveTextContent('its file is deleted');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(log.to('DELETE', `${listPath}/3`)).toHaveLength(0);

    await user.click(within(rowOf('47.1 KB')).getByRole('button', { name: 'Archive' }));
    dialog = await screen.findByRole('dialog', { name: 'Archive export 3?' });
    await user.click(within(dialog).getByRole('button', { name: 'Archive' }));
    await waitFor(() => expect(screen.queryByText('47.1 KB')).not.toBeInTheDocument());
    expect(log.to('DELETE', `${listPath}/3`)).toHaveLength(1);
    expect(rowOf('40%')).toBeInTheDocument();
  });

  it('offers Archive only on the exports the user may archive', async () => {
    server.use(
      listAnswers(() =>
        buildExportPage([
          buildExport({ id: 5, size_bytes: 1024, created_by: 'ed@example.com' }),
          buildExport({ id: 4, size_bytes: 2048, created_by: 'other@example.com' }),
        ]),
      ),
    );
    renderWithProviders(
      <ListUnderTest canArchive={(item) => item.created_by === 'ed@example.com'} />,
    );
    await screen.findByText('1.0 KB');
    expect(within(rowOf('1.0 KB')).getByRole('button', { name: 'Archive' })).toBeInTheDocument();
    expect(within(rowOf('2.0 KB')).queryByRole('button', { name: 'Archive' })).toBeNull();
    expect(within(rowOf('2.0 KB')).getByRole('button', { name: 'Download' })).toBeInTheDocument();
  });

  it('shows the server’s refusal when archiving is forbidden', async () => {
    server.use(
      listAnswers(() => buildExportPage([buildExport({ id: 3 })])),
      http.delete(`${listPath}/3`, () =>
        errorResponse(403, 'forbidden', 'Archiving another user’s export needs the admin role.'),
      ),
    );
    const { user } = renderWithProviders(<ListUnderTest />);
    await screen.findByText('47.1 KB');
    await user.click(within(rowOf('47.1 KB')).getByRole('button', { name: 'Archive' }));
    const dialog = await screen.findByRole('dialog', { name: 'Archive export 3?' });
    await user.click(within(dialog).getByRole('button', { name: 'Archive' }));
    expect(
      await within(dialog).findByText('Archiving another user’s export needs the admin role.'),
    ).toBeInTheDocument();
  });

  it('pages through exports with the cursor, newest first', async () => {
    const firstPage = Array.from({ length: 25 }, (_, index) => buildExport({ id: 200 - index }));
    const secondPage = [buildExport({ id: 175, directory: { id: 12, name: 'Quietbrook' } })];
    server.use(
      http.get(listPath, ({ request }) =>
        jsonResponse(
          new URL(request.url).searchParams.get('cursor') === '175'
            ? buildExportPage(secondPage, { total: 26 })
            : buildExportPage(firstPage, { next_cursor: '175', total: 26 }),
        ),
      ),
    );
    const log = recordRequests();
    const { user } = renderWithProviders(<ListUnderTest />);
    expect(await screen.findByText('1–25 of 26')).toBeInTheDocument();
    expect(within(exportsTable()).getAllByRole('row')).toHaveLength(26);
    expect(screen.getByRole('button', { name: 'Newer' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Older' }));
    expect(await screen.findByText('26–26 of 26')).toBeInTheDocument();
    expect(rowOf('Quietbrook')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Older' })).toBeDisabled();
    expect(log.to('GET', listPath).at(-1)?.query.get('limit')).toBe('25');

    await user.click(screen.getByRole('button', { name: 'Newer' }));
    expect(await screen.findByText('1–25 of 26')).toBeInTheDocument();
  });

  it('Refresh re-reads the list and says when it last did', async () => {
    let status: Export = running;
    server.use(listAnswers(() => buildExportPage([status])));
    const log = recordRequests();
    const { user } = renderWithProviders(<ListUnderTest />);
    expect(await screen.findByText(/Last updated/)).toBeInTheDocument();

    status = {
      ...running,
      status: 'complete',
      percent_complete: 100,
      size_bytes: 2048,
      file_name: 'x.json',
    };
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(rowOf('2.0 KB')).toHaveTextContent('complete'));
    expect(log.to('GET', listPath).length).toBeGreaterThanOrEqual(2);
  });

  it('updates by itself while an export runs, and stops when none does', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    let answers = [
      buildExportPage([running]),
      buildExportPage([{ ...running, percent_complete: 80 }]),
    ];
    const finished = buildExportPage([
      { ...running, status: 'complete', percent_complete: 100, size_bytes: 4096 },
    ]);
    server.use(
      listAnswers(() => {
        const [next, ...rest] = answers;
        answers = rest;
        return next ?? finished;
      }),
    );
    const log = recordRequests();
    renderWithProviders(<ListUnderTest />);
    await act(() => vi.advanceTimersByTimeAsync(10));
    expect(screen.getByText('40%')).toBeInTheDocument();
    expect(screen.getByText(/updating every 2 s while exports run/)).toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(exportPollIntervalMs));
    expect(screen.getByText('80%')).toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(exportPollIntervalMs));
    expect(screen.getByText('4.0 KB')).toBeInTheDocument();
    const requestsWhenDone = log.to('GET', listPath).length;
    expect(requestsWhenDone).toBe(3);

    await act(() => vi.advanceTimersByTimeAsync(exportPollIntervalMs * 5));
    expect(log.to('GET', listPath)).toHaveLength(requestsWhenDone);
    expect(screen.queryByText(/updating every/)).not.toBeInTheDocument();
  });

  it('Regenerate asks for a new export with the same settings and shows it at the top', async () => {
    const stale = buildExport({
      id: 3,
      source: 'job',
      directory: null,
      job: { id: 21, name: 'Street scenes review' },
      ann_is_complete: false,
      include_removed: true,
      changes_since: { files_changed: 2, files_added: 1, files_removed: 0 },
    });
    const created = buildExport({
      ...stale,
      id: 9,
      status: 'queued',
      percent_complete: 0,
      file_list_length: null,
      instance_count: null,
      size_bytes: null,
      file_name: null,
      changes_since: null,
      created_time: new Date().toISOString(),
    });
    let listed = [stale];
    let body: unknown;
    server.use(
      listAnswers(() => buildExportPage(listed)),
      http.post(listPath, async ({ request }) => {
        body = await request.json();
        listed = [created, stale];
        return jsonResponse(created, 202);
      }),
    );
    const { user } = renderWithProviders(<ListUnderTest />);
    const row = await screen.findByText('3 files changed since this export');
    await user.click(
      within(row.closest('tr') ?? exportsTable()).getByRole('button', { name: 'Regenerate' }),
    );
    await waitFor(() => expect(within(exportsTable()).getByText('#9')).toBeInTheDocument());
    expect(body).toEqual({
      source: 'job',
      job_id: 21,
      ann_is_complete: false,
      include_removed: true,
    });
    const rows = within(exportsTable()).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('#9');
  });

  it('says why a regeneration was refused', async () => {
    const stale = buildExport({
      id: 3,
      changes_since: { files_changed: 1, files_added: 0, files_removed: 0 },
    });
    server.use(
      listAnswers(() => buildExportPage([stale])),
      http.post(listPath, () =>
        errorResponse(403, 'forbidden', 'Generating exports needs the editor role.'),
      ),
    );
    const { user } = renderWithProviders(<ListUnderTest />);
    await user.click(await screen.findByRole('button', { name: 'Regenerate' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Export 3 could not be regenerated');
    expect(alert).toHaveTextContent('Generating exports needs the editor role.');
  });
});

describe('exportListRefetchInterval', () => {
  it('polls only while an export on the page is queued or running', () => {
    expect(exportListRefetchInterval(undefined)).toBe(false);
    expect(exportListRefetchInterval(buildExportPage([]))).toBe(false);
    expect(exportListRefetchInterval(buildExportPage([complete, failed]))).toBe(false);
    expect(exportListRefetchInterval(buildExportPage([complete, running]))).toBe(
      exportPollIntervalMs,
    );
    expect(exportListRefetchInterval(buildExportPage([{ ...running, status: 'queued' }]))).toBe(
      exportPollIntervalMs,
    );
  });
});
