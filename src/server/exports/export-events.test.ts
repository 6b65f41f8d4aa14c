import { describe, expect, it } from 'vitest';
import { ExportEvents } from './export-events.ts';

describe('ExportEvents.nextSettled', () => {
  it('resolves when its export settles, not when another does, and leaves no listener behind', async () => {
    const events = new ExportEvents();
    let resolved = false;
    const waiting = events.nextSettled(7, 60_000).then(() => {
      resolved = true;
    });
    events.emit('settled', 8, 'complete');
    await Promise.resolve();
    expect(resolved).toBe(false);
    events.emit('settled', 7, 'failed');
    await waiting;
    expect(resolved).toBe(true);
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
    controller.abort();
    await waiting;
    await events.nextSettled(7, 60_000, controller.signal);
    expect(events.listenerCount('settled')).toBe(0);
  });
});
