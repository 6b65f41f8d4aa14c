import type { ReactNode } from 'react';
import { QueryClientProvider, useQuery } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExportChangeEvent } from '../../../../contract/export-events.ts';
import type { ExportListResponse } from '../../../../contract/exports.ts';
import {
  exportsPath,
  jsonResponse,
  recordRequests,
  server,
} from '../../../test-utils/api-server.ts';
import { buildExport, buildExportPage, demoProject } from '../../../test-utils/builders.ts';
import { FakeEventSource, installFakeEventSource } from '../../../test-utils/fake-event-source.ts';
import { createTestQueryClient } from '../../../test-utils/render.tsx';
import { exportQueries } from '../api/export-queries.ts';
import {
  liveReconnectDelaysMs,
  liveRefreshCoalesceMs,
  useExportLiveUpdates,
} from './use-export-live-updates.ts';

const listPath = exportsPath();
const running = buildExport({ id: 4, status: 'running', percent_complete: 10 });
const filters = { cursor: undefined, limit: 25 };

/** The hook beside the list it keeps up to date, as the export list uses them. */
function useLiveList(project: string) {
  const state = useExportLiveUpdates(project);
  const list = useQuery({
    ...exportQueries.list(project, filters),
    ...(state === 'live' ? { refetchInterval: false as const } : {}),
  });
  // Read while rendering, as the list does: TanStack re-renders only for what was read.
  return {
    state,
    list: { data: list.data, isFetching: list.isFetching, isSuccess: list.isSuccess },
  };
}

function renderLiveList(queryClient: QueryClient = createTestQueryClient()) {
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
  );
  const rendered = renderHook(({ project }) => useLiveList(project), {
    wrapper,
    initialProps: { project: demoProject },
  });
  return { ...rendered, queryClient };
}

function change(overrides: Partial<ExportChangeEvent> = {}): ExportChangeEvent {
  return {
    id: running.id,
    project_string_id: demoProject,
    status: 'running',
    percent_complete: 55,
    archived: false,
    ...overrides,
  };
}

beforeEach(() => {
  installFakeEventSource();
  server.use(http.get(listPath, () => jsonResponse(buildExportPage([running]))));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('useExportLiveUpdates', () => {
  it("opens the project's stream, is live once it opens, and reads the list again then", async () => {
    const log = recordRequests();
    const { result } = renderLiveList();
    await waitFor(() => expect(result.current.list.isSuccess).toBe(true));
    const source = FakeEventSource.latest();
    expect(source.url).toBe(`/api/v1/projects/${demoProject}/exports/events`);
    expect(result.current.state).toBe('connecting');
    const before = log.to('GET', listPath).length;

    act(() => source.open());
    expect(result.current.state).toBe('live');
    // What changed before the stream was open was not heard: the list is read again.
    await waitFor(() => expect(log.to('GET', listPath).length).toBe(before + 1));
  });

  it('writes a running export’s progress into the list, without a request', async () => {
    const opening = recordRequests();
    const { result } = renderLiveList();
    await waitFor(() => expect(result.current.list.isSuccess).toBe(true));
    act(() => FakeEventSource.latest().open());
    // The read that follows the open has come back (it would overwrite what the event wrote).
    await waitFor(() => expect(opening.to('GET', listPath)).toHaveLength(2));
    await waitFor(() => expect(result.current.list.isFetching).toBe(false));
    const log = recordRequests();

    act(() => FakeEventSource.latest().send('export_changed', change({ percent_complete: 55 })));
    await waitFor(() => expect(result.current.list.data?.exports[0]?.percent_complete).toBe(55));
    await new Promise((resolve) => setTimeout(resolve, liveRefreshCoalesceMs * 2));
    expect(log.to('GET', listPath)).toHaveLength(0);
  });

  it('reads the list again once for a burst of other changes', async () => {
    const { result } = renderLiveList();
    await waitFor(() => expect(result.current.list.isSuccess).toBe(true));
    act(() => FakeEventSource.latest().open());
    await waitFor(() => expect(result.current.list.isFetching).toBe(false));
    const log = recordRequests();
    const finished = buildExport({ id: running.id, status: 'complete', percent_complete: 100 });
    const created = buildExport({ id: 9, status: 'queued', percent_complete: 0 });
    server.use(http.get(listPath, () => jsonResponse(buildExportPage([created, finished]))));

    act(() => {
      const source = FakeEventSource.latest();
      source.send('export_changed', change({ status: 'complete', percent_complete: 100 }));
      source.send('export_changed', change({ id: 9, status: 'queued', percent_complete: 0 }));
      source.send('export_changed', change({ id: 9, status: 'running', percent_complete: 0 }));
    });
    await waitFor(() => expect(result.current.list.data?.exports).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, liveRefreshCoalesceMs * 2));
    expect(log.to('GET', listPath)).toHaveLength(1);
  });

  it('reads the list again for a change the event does not describe (the file count at start)', async () => {
    const { result } = renderLiveList();
    await waitFor(() => expect(result.current.list.isSuccess).toBe(true));
    act(() => FakeEventSource.latest().open());
    await waitFor(() => expect(result.current.list.isFetching).toBe(false));
    const log = recordRequests();
    // The same status and percent as listed: something else about it changed.
    act(() => FakeEventSource.latest().send('export_changed', change({ percent_complete: 10 })));
    await waitFor(() => expect(log.to('GET', listPath)).toHaveLength(1));
  });

  it('ignores an event it cannot read, and one for an archived export reads the list again', async () => {
    const { result, queryClient } = renderLiveList();
    await waitFor(() => expect(result.current.list.isSuccess).toBe(true));
    act(() => FakeEventSource.latest().open());
    await waitFor(() => expect(result.current.list.isFetching).toBe(false));
    const log = recordRequests();
    act(() => {
      FakeEventSource.latest().send('export_changed', '{"id": "four"}');
      FakeEventSource.latest().send('export_changed', 'not json');
    });
    await new Promise((resolve) => setTimeout(resolve, liveRefreshCoalesceMs * 2));
    expect(log.to('GET', listPath)).toHaveLength(0);
    expect(
      queryClient.getQueryData<ExportListResponse>(
        exportQueries.list(demoProject, filters).queryKey,
      )?.exports[0]?.percent_complete,
    ).toBe(10);

    act(() => FakeEventSource.latest().send('export_changed', change({ archived: true })));
    await waitFor(() => expect(log.to('GET', listPath)).toHaveLength(1));
  });

  it('is not live while the browser reconnects a dropped stream, and live again after', async () => {
    const log = recordRequests();
    const { result } = renderLiveList();
    await waitFor(() => expect(result.current.list.isSuccess).toBe(true));
    const source = FakeEventSource.latest();
    act(() => source.open());
    act(() => source.drop());
    expect(result.current.state).toBe('reconnecting');
    // The browser reopens this very source; the panel opens no other.
    expect(FakeEventSource.instances).toHaveLength(1);
    const before = log.to('GET', listPath).length;
    act(() => source.open());
    expect(result.current.state).toBe('live');
    await waitFor(() => expect(log.to('GET', listPath).length).toBe(before + 1));
  });

  it('opens a new stream after a refusal, waiting longer each time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { result } = renderLiveList();
    act(() => FakeEventSource.latest().refuse());
    expect(result.current.state).toBe('reconnecting');
    expect(FakeEventSource.instances).toHaveLength(1);

    await act(() => vi.advanceTimersByTimeAsync(liveReconnectDelaysMs[0] - 1));
    expect(FakeEventSource.instances).toHaveLength(1);
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.instances[0]?.readyState).toBe(FakeEventSource.CLOSED);

    act(() => FakeEventSource.latest().refuse());
    await act(() => vi.advanceTimersByTimeAsync(liveReconnectDelaysMs[0]));
    expect(FakeEventSource.instances).toHaveLength(2);
    await act(() =>
      vi.advanceTimersByTimeAsync(liveReconnectDelaysMs[1] - liveReconnectDelaysMs[0]),
    );
    expect(FakeEventSource.instances).toHaveLength(3);
    act(() => FakeEventSource.latest().open());
    expect(result.current.state).toBe('live');
  });

  it('closes its stream when the list goes away, and opens another for another project', () => {
    server.use(http.get(exportsPath('other'), () => jsonResponse(buildExportPage([]))));
    const { rerender, unmount, result } = renderLiveList();
    const first = FakeEventSource.latest();
    act(() => first.open());
    rerender({ project: 'other' });
    expect(first.readyState).toBe(FakeEventSource.CLOSED);
    expect(FakeEventSource.latest().url).toBe('/api/v1/projects/other/exports/events');
    expect(result.current.state).toBe('connecting');
    unmount();
    expect(FakeEventSource.latest().readyState).toBe(FakeEventSource.CLOSED);
  });

  it('says it is unavailable in a browser without EventSource', () => {
    vi.stubGlobal('EventSource', undefined);
    const { result } = renderLiveList();
    expect(result.current.state).toBe('unavailable');
  });
});
