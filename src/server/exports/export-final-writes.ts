import { setTimeout as sleep } from 'node:timers/promises';
import { reasonOf } from './export-failure.ts';
import type { ExportState } from './export-state.ts';

/*
 * The moves that end a worker's claim (complete, fail, requeue), recorded with retries. A final
 * write the database refuses (a full disk, a lost connection) is retried with backoff until it gets
 * through or the worker stops; meanwhile the export is no longer vouched for by the heartbeat, so if
 * the write never gets through the export goes stale and is recovered. Used by the build of one
 * export (`export-build.ts`) and by the worker's scheduling (a claim that lands while stopping).
 */

/** Where the worker writes what it does; `console` by default. */
export interface WorkerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** A move that ends a claim; recorded with retries. */
export type FinalMove = 'complete' | 'fail' | 'requeue';

/** What the final writes need of the worker that owns them. */
export interface FinalWritesOptions {
  /** The state module the moves run in. */
  exports: ExportState;
  /** The worker's name in `claimed_by`. */
  workerId: string;
  /** Where retries and give-ups are logged. */
  logger: WorkerLogger;
  /** First wait before a retry; doubles up to 32×. */
  retryMs: number;
  /** False once the worker began to stop: a failed write is then left for recovery. */
  isStarted: () => boolean;
  /** Aborted when the worker stops, to cut short the wait before the next retry. */
  stopSignal: AbortSignal;
  /** Called on each refused write: the export must leave the set the heartbeat vouches for. */
  onRefused: (id: number) => void;
}

/** Records the final moves of the exports one worker holds, retrying while the database refuses. */
export class FinalWrites {
  constructor(private readonly options: FinalWritesOptions) {}

  /**
   * Runs a final move of an export this worker holds, retrying with backoff while the database
   * refuses the write (a full disk, a lost connection). Returns whether the move happened, or
   * undefined when the worker stopped before it could be recorded. From the first failure the export
   * leaves `building`: no heartbeat vouches for it, so if the write never gets through it goes stale
   * and whoever can write recovers it (this worker included); a retry after that finds it no longer
   * held and returns false.
   */
  async record(
    id: number,
    move: FinalMove,
    write: () => Promise<boolean>,
  ): Promise<boolean | undefined> {
    const { workerId, logger } = this.options;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await write();
      } catch (error) {
        this.options.onRefused(id);
        if (!this.options.isStarted()) {
          logger.error(
            `annex worker ${workerId}: could not record export ${id} as ${move} before stopping; it will be recovered`,
            error,
          );
          return undefined;
        }
        const delayMs = this.options.retryMs * 2 ** Math.min(attempt, 5);
        logger.warn(
          `annex worker ${workerId}: could not record export ${id} as ${move} (${reasonOf(error)}); trying again in ${delayMs} ms`,
        );
        await sleep(delayMs, undefined, { signal: this.options.stopSignal }).catch(() => undefined);
      }
    }
  }

  /** Gives an export this worker holds back to the queue and says so. */
  async requeue(id: number, why: 'stopping' | 'database connection lost'): Promise<void> {
    const { exports, workerId, logger } = this.options;
    if ((await this.record(id, 'requeue', () => exports.requeue(id, workerId))) === true) {
      logger.info(`annex worker ${workerId}: export ${id} put back in the queue (${why})`);
    }
  }
}
