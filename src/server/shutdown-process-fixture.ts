import { installGracefulShutdown } from './shutdown.ts';
import type { StoppablePart } from './shutdown.ts';

// A process with the real graceful shutdown and parts whose stop the test chooses, for the cases
// a real server cannot be made to show on demand: a part that never stops (the grace delay, a
// second signal) or one that fails. Usage: shutdown-process-fixture.ts <ok|hang|fail> <graceMs>.
// It prints `ready` once the shutdown is installed and `<part> stopped` as each part stops.

const [mode = 'ok', graceMs = '5000'] = process.argv.slice(2);
const keepAlive = setInterval(() => undefined, 60_000);

const worker: StoppablePart = {
  name: 'export worker',
  stop: () => {
    if (mode === 'hang') return new Promise<void>(() => undefined);
    if (mode === 'fail') return Promise.reject(new Error('the queue refused the hand-back'));
    console.log('export worker stopped');
    return Promise.resolve();
  },
};
const database: StoppablePart = {
  name: 'database',
  stop: () => {
    clearInterval(keepAlive);
    console.log('database stopped');
    return Promise.resolve();
  },
};

installGracefulShutdown({
  graceMs: Number(graceMs),
  log: (line) => console.error(line),
  plan: { stopWork: [worker], closeLast: [database] },
});
console.log('ready');
