import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { exportChangeEventName } from '../../../../contract/export-events.ts';
import {
  applyExportChange,
  exportEventsUrl,
  parseExportChange,
} from '../api/export-live-updates.ts';
import { exportQueries } from '../api/export-queries.ts';

/**
 * Where the live connection stands: `connecting` (first try), `live` (changes arrive as they
 * happen), `reconnecting` (it dropped or was refused; trying again), `unavailable` (this browser has
 * no EventSource). Anything but `live` means the list must poll.
 */
export type ExportLiveState = 'connecting' | 'live' | 'reconnecting' | 'unavailable';

/**
 * Waits before opening the stream again after the server refused it (a 503 while it cannot hear
 * changes, a 401 after the session ended); the last one repeats. A stream that merely dropped is
 * reopened by the browser itself, after the server's `retry:` hint.
 */
export const liveReconnectDelaysMs = [3_000, 10_000, 30_000, 60_000] as const;

/** How long changes are gathered before the list is read again: a burst costs one request. */
export const liveRefreshCoalesceMs = 250;

/**
 * Keeps the project's export list up to date over the live stream (`GET …/exports/events`): a
 * running export's progress is written into the cached pages, any other change has them read again
 * (gathered over `liveRefreshCoalesceMs`), and each (re)connect reads them again too, since changes
 * made while no stream was open were not heard. Returns where the connection stands, so the list
 * polls whenever it is not live.
 */
export function useExportLiveUpdates(project: string): ExportLiveState {
  const queryClient = useQueryClient();
  // Kept with the project it is about: a new project starts `connecting`, without a state update
  // in the effect.
  const [state, setState] = useState<{ project: string; value: ExportLiveState }>({
    project,
    value: 'connecting',
  });

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    let source: EventSource | undefined;
    let refusals = 0;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    const report = (value: ExportLiveState) => setState({ project, value });

    const refreshLists = () => {
      clearTimeout(refreshTimer);
      refreshTimer = undefined;
      void queryClient.invalidateQueries({ queryKey: exportQueries.lists(project) });
    };
    const onChange = (event: MessageEvent) => {
      const change = parseExportChange(event.data);
      // Not a change this panel understands (a newer server): the next poll or Refresh shows it.
      if (change === undefined) return;
      if (applyExportChange(queryClient, project, change) === 'patched') return;
      void queryClient.invalidateQueries({
        queryKey: exportQueries.detail(project, change.id).queryKey,
      });
      refreshTimer ??= setTimeout(refreshLists, liveRefreshCoalesceMs);
    };
    const open = () => {
      const opened = new EventSource(exportEventsUrl(project));
      source = opened;
      opened.addEventListener('open', () => {
        refusals = 0;
        report('live');
        refreshLists();
      });
      opened.addEventListener(exportChangeEventName, onChange);
      opened.addEventListener('error', () => {
        report('reconnecting');
        // CONNECTING: the browser reopens it by itself. CLOSED: refused for good, so it is ours to retry.
        if (opened.readyState !== EventSource.CLOSED) return;
        opened.close();
        const delay =
          liveReconnectDelaysMs[Math.min(refusals, liveReconnectDelaysMs.length - 1)] ?? 60_000;
        refusals += 1;
        reconnectTimer = setTimeout(open, delay);
      });
    };
    open();
    return () => {
      source?.close();
      clearTimeout(reconnectTimer);
      clearTimeout(refreshTimer);
    };
  }, [project, queryClient]);

  if (typeof EventSource === 'undefined') return 'unavailable';
  return state.project === project ? state.value : 'connecting';
}
