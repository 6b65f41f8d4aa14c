import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidInputError } from './annex-errors.ts';

// Exports and imports are both rows that a worker moves to a final status while the client reads
// them: one polling loop serves both, so a wait's options and its timeout behave the same for each.

/** How long a wait lasts by default before giving up: long enough for a 100,000-file export or import. */
export const defaultWaitTimeoutMs = 30 * 60 * 1000;
/** How often a wait asks for the status by default. */
export const defaultPollMs = 1000;

/** Options of a wait for an export or an import (`waitUntilDone`). */
export interface PollOptions<H> {
  /** Give up (a timeout error) after this long; default 30 minutes. */
  timeoutMs?: number;
  /** Ask for the status this often; default 1 second. */
  pollMs?: number;
  /** Called with the handle after every status read, first with the handle as it stands. */
  onProgress?: (current: H) => void;
  /** Stops the wait early: the promise rejects with an `AbortError` whose `cause` is the signal's reason. */
  signal?: AbortSignal;
}

/** What the loop reads and refreshes: an `Export` or an `Import`. */
export interface PolledHandle {
  /** True once the status will not change any more. */
  readonly isFinal: boolean;
  /** Reads the current status from the server into the handle. */
  refresh(): Promise<unknown>;
}

/** Checks a wait's timing options, naming each bad one, and fills in the defaults. */
export function checkPollOptions(options: Pick<PollOptions<never>, 'timeoutMs' | 'pollMs'>): {
  timeoutMs: number;
  pollMs: number;
} {
  const timeoutMs = options.timeoutMs ?? defaultWaitTimeoutMs;
  const pollMs = options.pollMs ?? defaultPollMs;
  const issues = [];
  if (!(timeoutMs >= 0))
    issues.push({ field: 'timeoutMs', message: 'must be a number of milliseconds, 0 or more' });
  if (!(pollMs > 0) || !Number.isFinite(pollMs))
    issues.push({ field: 'pollMs', message: 'must be a positive number of milliseconds' });
  if (issues.length > 0) {
    throw new InvalidInputError(
      `Invalid wait options: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}.`,
      { code: 'bad_request', issues },
    );
  }
  return { timeoutMs, pollMs };
}

/**
 * Refreshes `handle` every `pollMs` until its status is final, calling `onProgress` after each read.
 * Throws what `timedOut` builds when `timeoutMs` passes first; what a final status means (complete or
 * failed) is the caller's to judge.
 */
export async function pollUntilFinal<H extends PolledHandle>(
  handle: H,
  options: PollOptions<H>,
  timedOut: (timeoutMs: number) => Error,
): Promise<void> {
  const { timeoutMs, pollMs } = checkPollOptions(options);
  const deadline = Date.now() + timeoutMs;
  options.onProgress?.(handle);
  while (!handle.isFinal) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw timedOut(timeoutMs);
    await sleep(
      Math.min(pollMs, remaining),
      undefined,
      options.signal === undefined ? undefined : { signal: options.signal },
    );
    await handle.refresh();
    options.onProgress?.(handle);
  }
}
