import { act, screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExportChangeEvent } from '../../../../../contract/export-events.ts';
import type { Export } from '../../../../../contract/exports.ts';
import {
  exportsPath,
  jsonResponse,
  recordRequests,
  server,
} from '../../../../test-utils/api-server.ts';
import { buildExport, buildExportPage, demoProject } from '../../../../test-utils/builders.ts';
import {
  FakeEventSource,
  installFakeEventSource,
} from '../../../../test-utils/fake-event-source.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { exportPollIntervalMs } from '../../api/export-queries.ts';
import { useCursorPages } from '../../hooks/use-cursor-pages.ts';
import { ExportList } from './ExportList.tsx';

// The list over the live stream: what a person watching the panel sees when exports change
// elsewhere (a script, another tab, another API process), and when the stream drops.

const listPath = exportsPath();

function ListUnderTest() {
  const pages = useCursorPages();
  return <ExportList project={demoProject} pages={pages} canArchive={() => true} canRegenerate />;
}

function liveBadge(): HTMLElement {
  return screen.getByRole('status', { name: 'Live updates' });
}

function exportsTable(): HTMLElement {
  return screen.getByRole('table', { name: 'Exports' });
}

function changeOf(item: Export): ExportChangeEvent {
  return {
    id: item.id,
    project_string_id: demoProject,
    status: item.status,
    percent_complete: item.percent_complete,
    archived: false,
  };
}

/** The list answers whatever `current` holds when asked. */
function listAnswersCurrent(current: { exports: Export[] }) {
  server.use(http.get(listPath, () => jsonResponse(buildExportPage(current.exports))));
}

beforeEach(() => {
  installFakeEventSource();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ExportList, live', () => {
  it('shows an export made elsewhere and its progress to complete, without Refresh', async () => {
    const current = { exports: [] as Export[] };
    listAnswersCurrent(current);
    renderWithProviders(<ListUnderTest />);
    expect(await screen.findByText(/No exports yet/)).toBeInTheDocument();
    act(() => FakeEventSource.latest().open());
    expect(liveBadge()).toHaveTextContent('Live');

    // A script asks for an export: the server says so on the stream.
    const queued = buildExport({ id: 31, status: 'queued', percent_complete: 0, size_bytes: null });
    current.exports = [queued];
    act(() => FakeEventSource.latest().send('export_changed', changeOf(queued)));
    expect(await within(exportsTable()).findByText('#31')).toBeInTheDocument();

    const running = { ...queued, status: 'running' as const, percent_complete: 0 };
    current.exports = [running];
    act(() => FakeEventSource.latest().send('export_changed', changeOf(running)));
    expect(await within(exportsTable()).findByText('running')).toBeInTheDocument();
    act(() =>
      FakeEventSource.latest().send('export_changed', {
        ...changeOf(running),
        percent_complete: 64,
      }),
    );
    expect(await within(exportsTable()).findByText('64%')).toBeInTheDocument();

    const complete = buildExport({ id: 31, size_bytes: 4096 });
    current.exports = [complete];
    act(() => FakeEventSource.latest().send('export_changed', changeOf(complete)));
    expect(await within(exportsTable()).findByText('4.0 KB')).toBeInTheDocument();
    expect(within(exportsTable()).getByText('complete')).toBeInTheDocument();
  });

  it('does not poll while live, even with an export running', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const running = buildExport({ id: 4, status: 'running', percent_complete: 40 });
    listAnswersCurrent({ exports: [running] });
    const log = recordRequests();
    renderWithProviders(<ListUnderTest />);
    await act(() => vi.advanceTimersByTimeAsync(10));
    act(() => FakeEventSource.latest().open());
    await act(() => vi.advanceTimersByTimeAsync(10));
    const afterOpen = log.to('GET', listPath).length;

    await act(() => vi.advanceTimersByTimeAsync(exportPollIntervalMs * 5));
    expect(log.to('GET', listPath)).toHaveLength(afterOpen);
    expect(screen.queryByText(/updating every/)).not.toBeInTheDocument();
  });

  it('writes progress in place: no read of the list, nor of the storage used, per percent', async () => {
    const running = buildExport({ id: 5, status: 'running', percent_complete: 10 });
    listAnswersCurrent({ exports: [running] });
    const log = recordRequests();
    renderWithProviders(<ListUnderTest />);
    expect(await within(exportsTable()).findByText('10%')).toBeInTheDocument();
    act(() => FakeEventSource.latest().open());
    await waitFor(() => expect(log.to('GET', `${listPath}/storage`).length).toBeGreaterThan(0));
    // Settled after the (re)connect's own read.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lists = log.to('GET', listPath).length;
    const storage = log.to('GET', `${listPath}/storage`).length;

    for (const percent of [20, 30, 40]) {
      act(() =>
        FakeEventSource.latest().send('export_changed', {
          ...changeOf(running),
          percent_complete: percent,
        }),
      );
      expect(await within(exportsTable()).findByText(`${percent}%`)).toBeInTheDocument();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log.to('GET', listPath)).toHaveLength(lists);
    expect(log.to('GET', `${listPath}/storage`)).toHaveLength(storage);
  });

  it('falls back to polling when the stream drops, says so, and is live again after', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const running = buildExport({ id: 4, status: 'running', percent_complete: 40 });
    listAnswersCurrent({ exports: [running] });
    const log = recordRequests();
    renderWithProviders(<ListUnderTest />);
    await act(() => vi.advanceTimersByTimeAsync(10));
    act(() => FakeEventSource.latest().open());
    await act(() => vi.advanceTimersByTimeAsync(10));

    act(() => FakeEventSource.latest().drop());
    expect(liveBadge()).toHaveTextContent('Not live');
    expect(screen.getByText(/updating every 2 s while exports run/)).toBeInTheDocument();
    const dropped = log.to('GET', listPath).length;
    await act(() => vi.advanceTimersByTimeAsync(exportPollIntervalMs * 2));
    expect(log.to('GET', listPath).length).toBeGreaterThanOrEqual(dropped + 2);

    act(() => FakeEventSource.latest().open());
    expect(liveBadge()).toHaveTextContent('Live');
    expect(screen.queryByText(/updating every/)).not.toBeInTheDocument();
  });

  it('Refresh still reads the list again at once while live', async () => {
    listAnswersCurrent({ exports: [buildExport({ id: 3 })] });
    const { user } = renderWithProviders(<ListUnderTest />);
    expect(await within(await screen.findByRole('table', { name: 'Exports' })).findByText('#3'));
    act(() => FakeEventSource.latest().open());
    await waitFor(() => expect(exportsTable()).toHaveAttribute('aria-busy', 'false'));
    const log = recordRequests();
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(log.to('GET', listPath)).toHaveLength(1));
  });
});
