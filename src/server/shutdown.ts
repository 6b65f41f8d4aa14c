import closeWithGrace from 'close-with-grace';

/*
 * How an annex process stops when asked (SIGTERM from an orchestrator rolling a deployment, SIGINT
 * from a terminal): first it stops taking work and finishes or hands back what it has, all parts at
 * once (the API stops listening and answers its requests in flight, waiting export requests
 * included; the export worker stops claiming, aborts the exports it builds and puts them back in
 * the queue, where another worker takes them at once; the import worker does the same with its
 * import; a metrics server stops listening), then it closes the database, which those steps used
 * to the end, and exits 0. A process that cannot finish within SHUTDOWN_GRACE_MS, or gets a second
 * signal, exits 1 at once: whatever it did not hand back stays `running` until its heartbeat goes
 * stale (or, on PostgreSQL, its session is gone) and another worker recovers it.
 */

/** One part of the process that is stopped on shutdown. */
export interface StoppablePart {
  /** For messages: `API`, `export worker`, `database`. */
  name: string;
  /** Stops it; resolves once it has stopped. */
  stop: () => Promise<void>;
}

/** What a process stops, in two steps. */
export interface ShutdownPlan {
  /** Stopped together first: whatever takes work (the API, the workers, a metrics server). */
  stopWork: StoppablePart[];
  /** Closed once every part of `stopWork` has stopped (or failed to): the database. */
  closeLast: StoppablePart[];
}

/** An error of one part of a shutdown, kept so the others still stop. */
export class ShutdownError extends Error {
  override name = 'ShutdownError';
  constructor(
    /** Which parts failed to stop, each with its error. */
    readonly failures: { part: string; error: unknown }[],
  ) {
    super(
      `Could not stop ${failures.map(({ part, error }) => `${part} (${error instanceof Error ? error.message : String(error)})`).join(', ')}`,
    );
  }
}

async function stopAll(parts: StoppablePart[]): Promise<{ part: string; error: unknown }[]> {
  const outcomes = await Promise.allSettled(parts.map((part) => part.stop()));
  return outcomes.flatMap((outcome, index) =>
    outcome.status === 'rejected'
      ? [{ part: parts[index]?.name ?? '(unnamed)', error: outcome.reason as unknown }]
      : [],
  );
}

/**
 * Runs the shutdown sequence: every part of `stopWork` at once, then every part of `closeLast`.
 * A part that fails does not keep the rest from stopping; a `ShutdownError` naming every failed
 * part is thrown at the end.
 */
export async function shutDown(plan: ShutdownPlan): Promise<void> {
  const failures = [...(await stopAll(plan.stopWork)), ...(await stopAll(plan.closeLast))];
  if (failures.length > 0) throw new ShutdownError(failures);
}

/** How `installGracefulShutdown` behaves. */
export interface GracefulShutdownOptions {
  /** What to stop; built once the process has started. */
  plan: ShutdownPlan;
  /** SHUTDOWN_GRACE_MS: after this long the process exits 1 whatever is still stopping. */
  graceMs: number;
  /** Where the few lines of a shutdown go (stderr in main.ts, beside the startup lines). */
  log: (line: string) => void;
}

/**
 * Makes SIGTERM and SIGINT stop the process gracefully (`shutDown`, then exit 0), and an uncaught
 * error too (then exit 1, after logging it). A second signal, or `graceMs` passing, exits 1 at once
 * with a line saying so. Returns close-with-grace's handle (`uninstall` removes the listeners).
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): {
  close: () => void;
  uninstall: () => void;
} {
  const { plan, graceMs, log } = options;
  const leftBehind =
    'exports and imports it had not handed back are recovered by another worker once their heartbeat is stale';
  return closeWithGrace(
    {
      delay: graceMs,
      // Only the signals that mean "stop": the others close-with-grace knows (SIGSEGV, SIGUSR2, …)
      // keep Node's own behaviour.
      skip: [
        'SIGHUP',
        'SIGQUIT',
        'SIGILL',
        'SIGTRAP',
        'SIGABRT',
        'SIGBUS',
        'SIGFPE',
        'SIGSEGV',
        'SIGUSR2',
      ],
      logger: { error: (message: unknown) => log(String(message)) },
      onSecondSignal: (signal) =>
        log(`annex: second ${signal} while stopping; exiting now (1): ${leftBehind}.`),
      onTimeout: (delay) =>
        log(
          `annex: still stopping after ${delay} ms (SHUTDOWN_GRACE_MS); exiting now (1): ${leftBehind}.`,
        ),
      onSecondError: (error) =>
        log(
          `annex: another error while stopping; exiting now (1): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        ),
    },
    async ({ signal, err }) => {
      if (err !== undefined) {
        log(`annex: stopping after an unexpected error: ${err.stack ?? err.message}`);
      } else {
        log(
          `annex: ${signal ?? 'exit'}: stopping (no new work; running exports and imports go back to the queue)…`,
        );
      }
      await shutDown(plan);
      log('annex: stopped');
    },
  );
}
