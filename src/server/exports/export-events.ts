import { EventEmitter } from 'node:events';
import type { ExportStatus } from '../../contract/exports.ts';

// In-process signals between the API and the worker when they share a process (`npm start`): a new
// export wakes the worker at once instead of at its next poll, and a finished export wakes the
// requests waiting for it. On PostgreSQL the change feed (`postgres-change-feed.ts`) also emits here
// what other processes did (`created`, `settled`), so the same wake-ups work across processes; a
// change of this process may then be heard twice, which every listener here takes in its stride.
// Nothing is lost without them: the worker polls and the waiting requests re-read the row.

/** What the API and the worker tell each other in one process. */
interface ExportEventMap {
  /** An export was queued. */
  created: [exportId: number];
  /** A worker took a queued export (it is `running` now). */
  claimed: [exportId: number];
  /** An export's progress row was written. */
  progress: [exportId: number, percentComplete: number];
  /** An export reached a final status (or went back to the queue, for `queued`). */
  settled: [exportId: number, status: ExportStatus];
}

/** The in-process channel between export routes and the worker. */
export class ExportEvents extends EventEmitter<ExportEventMap> {
  constructor() {
    super();
    // Every request waiting for an export listens here; dozens at once are normal, not a leak.
    this.setMaxListeners(0);
  }

  /** Resolves when the export settles or after `timeoutMs`, whichever is first; never rejects. */
  async nextSettled(exportId: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.off('settled', onSettled);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const onSettled = (id: number) => {
        if (id === exportId) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.on('settled', onSettled);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }
}
