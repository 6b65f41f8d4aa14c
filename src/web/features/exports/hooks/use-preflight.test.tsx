import type { ReactNode } from 'react';
import { renderHook, waitFor } from '@testing-library/react';
import { QueryClientProvider } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { demoProject } from '../../../test-utils/builders.ts';
import { createTestQueryClient } from '../../../test-utils/render.tsx';
import { initialSelection } from '../utils/export-selection.ts';
import type { ExportSelection } from '../utils/export-selection.ts';
import { preflightDebounceMs, usePreflight } from './use-preflight.ts';

function renderPreflight(selection: ExportSelection) {
  const queryClient = createTestQueryClient();
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
  );
  return renderHook(
    (props: { selection: ExportSelection }) => usePreflight(demoProject, props.selection),
    {
      wrapper,
      initialProps: { selection },
    },
  );
}

describe('usePreflight', () => {
  it('offers a file count as the expected count only for exactly the settings on screen', async () => {
    const first = initialSelection(null, 10);
    const { result, rerender } = renderPreflight(first);
    // The demo handlers answer 37 files for any settings.
    await waitFor(() => expect(result.current.shownFileCount).toBe(37));

    rerender({ selection: { ...first, annIsComplete: false } });
    // The count on screen is for the old settings until the new ones settle and their count arrives.
    expect(result.current.shownFileCount).toBeUndefined();
    expect(result.current.updating).toBe(true);
    expect(result.current.data?.file_count).toBe(37);
    await waitFor(() => expect(result.current.shownFileCount).toBe(37), {
      timeout: preflightDebounceMs * 5,
    });
    expect(result.current.updating).toBe(false);
  });

  it('stays idle while the source is incomplete', () => {
    const { result } = renderPreflight(initialSelection({ source: 'job', id: 21 }, 10));
    expect(result.current.query).not.toBeNull();
    const incomplete = renderPreflight({ ...initialSelection(null, null) });
    expect(incomplete.result.current.query).toBeNull();
    expect(incomplete.result.current.shownFileCount).toBeUndefined();
  });
});
