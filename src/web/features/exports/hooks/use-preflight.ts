import { useMemo } from 'react';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import type { PreflightResponse } from '../../../../contract/exports.ts';
import { errorMessage } from '../../../lib/api-client.ts';
import { exportQueries } from '../api/export-queries.ts';
import type { PreflightSettings } from '../api/exports-api.ts';
import type { ExportSelection } from '../utils/export-selection.ts';
import { toPreflightQuery } from '../utils/export-selection.ts';

/** How long the form waits after the last change before asking for a new check value. */
export const preflightDebounceMs = 300;

/** The check value for the form's current settings, as the form and `PreflightValue` need it. */
export interface Preflight {
  /** The preflight query for the settings on screen; null while the source is incomplete. */
  query: PreflightSettings | null;
  /** The file count shown for exactly the settings on screen, else undefined (see below). */
  shownFileCount: number | undefined;
  /** True until the first count for these settings arrives (nothing to show yet). */
  pending: boolean;
  /** True while a newer count is on its way (the one on screen is dimmed). */
  updating: boolean;
  data: PreflightResponse | undefined;
  /** Why the count could not be computed. */
  error: string | undefined;
}

/**
 * What an export with `selection` would hold. Asks only once the settings have settled for
 * `preflightDebounceMs`, so clicking through options sends one request, not one per click.
 */
export function usePreflight(project: string, selection: ExportSelection): Preflight {
  const query = useMemo(() => toPreflightQuery(selection), [selection]);
  const [debouncedQuery] = useDebouncedValue(query, preflightDebounceMs);
  const preflight = useQuery(exportQueries.preflight(project, debouncedQuery));
  const settled = query === debouncedQuery;
  return {
    query,
    // Only a count for exactly these settings may go to the server as the expected count.
    shownFileCount:
      query !== null && settled && preflight.isSuccess && !preflight.isPlaceholderData
        ? preflight.data.file_count
        : undefined,
    pending: preflight.isPending || (!settled && preflight.data === undefined),
    updating: preflight.isFetching || !settled,
    data: preflight.data,
    error: preflight.isError ? errorMessage(preflight.error) : undefined,
  };
}
