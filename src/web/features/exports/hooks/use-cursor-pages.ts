import { useCallback, useMemo, useState } from 'react';

/** Where the list is in its cursor pages, and how to move. */
export interface CursorPages {
  /** The cursor of the page on screen; undefined for the first (newest) page. */
  cursor: string | undefined;
  /** 0 for the first page. */
  pageIndex: number;
  /** Moves to the page after this one, given this page's `next_cursor`. */
  next: (nextCursor: string) => void;
  /** Moves back one page. */
  previous: () => void;
  /** Back to the newest exports. */
  reset: () => void;
}

/**
 * Cursor paging: the API hands out only "next" cursors, so the cursors seen so far are kept as a
 * stack to walk back. Only one page of rows is ever on screen, however many exports there are.
 */
export function useCursorPages(): CursorPages {
  const [cursors, setCursors] = useState<string[]>([]);
  const next = useCallback(
    (nextCursor: string) => setCursors((stack) => [...stack, nextCursor]),
    [],
  );
  const previous = useCallback(() => setCursors((stack) => stack.slice(0, -1)), []);
  const reset = useCallback(() => setCursors([]), []);
  return useMemo(
    () => ({ cursor: cursors.at(-1), pageIndex: cursors.length, next, previous, reset }),
    [cursors, next, previous, reset],
  );
}
