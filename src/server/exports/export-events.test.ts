import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ExportEvents } from './export-events.ts';

/**
 * Whether `promise` settles within a few turns of the event loop (microtasks, timers due now, I/O).
 * A single `await Promise.resolve()` is not enough: a wait that resolves on the wrong event may take
 * more than one microtask to get there, and a test that looks too early passes either way.
 */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  // An object, not a `let`: the flag changes inside a callback, which narrowing cannot see.
  const seen = { settled: false };
  void promise.then(() => {
    seen.settled = true;
  });
  for (let turn = 0; turn < 20 && !seen.settled; turn += 1) await nextTurn();
  return seen.settled;
}

describe('ExportEvents.nextSettled', () => {
  it('stays waiting when another export settles', async () => {
    const events = new ExportEvents();
    const waiting = events.nextSettled(7, 60_000);
    events.emit('settled', 8, 'complete');
    events.emit('settled', 70, 'failed');
    expect(await settlesSoon(waiting)).toBe(false);
    // The wait still listens, so it can still hear its own export.
    expect(events.listenerCount('settled')).toBe(1);
    events.emit('settled', 7, 'complete');
    expect(await settlesSoon(waiting)).toBe(true);
  });

  it('resolves when its export settles and leaves no listener behind', async () => {
    const events = new ExportEvents();
    const waiting = events.nextSettled(7, 60_000);
    events.emit('settled', 7, 'failed');
    expect(await settlesSoon(waiting)).toBe(true);
    expect(events.listenerCount('settled')).toBe(0);
  });

  it('resolves after its timeout when nothing settles', async () => {
    const events = new ExportEvents();
    await events.nextSettled(7, 1);
    expect(events.listenerCount('settled')).toBe(0);
  });

  it('resolves when its signal aborts, or at once when it already has', async () => {
    const events = new ExportEvents();
    const controller = new AbortController();
    const waiting = events.nextSettled(7, 60_000, controller.signal);
    expect(await settlesSoon(waiting)).toBe(false);
    controller.abort();
    expect(await settlesSoon(waiting)).toBe(true);
    await events.nextSettled(7, 60_000, controller.signal);
    expect(events.listenerCount('settled')).toBe(0);
  });
});
