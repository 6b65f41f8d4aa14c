import { setTimeout as sleep } from 'node:timers/promises';

/*
 * Telling "the database went away" from "this statement is wrong", and retrying what may run twice.
 *
 * A PostgreSQL restart or failover ends every connection: queries in flight fail with SQLSTATE 57P01
 * (or a socket error), idle pooled connections are closed, and for a moment new ones are refused. None
 * of that says anything about the export or request at hand, so callers treat it apart from other
 * errors: the API answers 503 (try again), the worker hands its export back to the queue, and a
 * statement that is safe to run twice is simply run again a little later (`withRetry`).
 *
 * What is safe to run twice: reads, and the state module's guarded updates that set the same values
 * again (a progress or heartbeat write, a requeue: if the first one did commit before the connection
 * dropped, the second finds the row already moved and says so). Not an INSERT (a second export would
 * be queued) and not a claim (it would take a second export): those fail and their caller retries at
 * its own level (the client re-asks, the worker polls again).
 */

// SQLSTATE class 08 is "connection exception"; 57P01–57P03 are admin_shutdown (pg_terminate_backend, a
// restart), crash_shutdown and cannot_connect_now (the server is still starting).
const connectionSqlStates = /^(08[0-9A-Z]{3}|57P0[123])$/;

// Socket-level failures from Node on the way to or from the server (EAI_AGAIN and ENOTFOUND: DNS,
// which a failover may briefly break).
const socketErrorCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

// node-postgres and its pool say these in words only, without a code.
const connectionMessages =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect)/;

/**
 * Whether `error` means the connection to the database was lost or could not be made (a restart, a
 * failover, a killed backend, a refused or timed-out connect), as opposed to an error of the statement
 * itself. Looks through `cause` chains and AggregateErrors (Node's connect to several addresses).
 */
export function isConnectionError(error: unknown): boolean {
  return isConnectionErrorAt(error, 0);
}

function isConnectionErrorAt(error: unknown, depth: number): boolean {
  // Causes are rarely more than one or two deep; the bound only guards against a cycle.
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const code = 'code' in error ? error.code : undefined;
  if (typeof code === 'string' && (connectionSqlStates.test(code) || socketErrorCodes.has(code))) {
    return true;
  }
  if (error instanceof Error && connectionMessages.test(error.message)) return true;
  if (
    error instanceof AggregateError &&
    error.errors.some((e) => isConnectionErrorAt(e, depth + 1))
  )
    return true;
  return 'cause' in error && isConnectionErrorAt(error.cause, depth + 1);
}

/**
 * Waits between tries of `withRetry` by default: about 3.5 s in all, enough for the pool to replace
 * connections a server closed, short enough that a caller who is waiting is not left hanging.
 */
export const defaultRetryDelaysMs: readonly number[] = [100, 400, 1000, 2000];

/** How `withRetry` retries. */
export interface RetryOptions {
  /** The waits before each retry, in ms; one retry per entry (default `defaultRetryDelaysMs`). */
  delaysMs?: Iterable<number>;
  /** Stops retrying when aborted: the last error is thrown at once. */
  signal?: AbortSignal;
  /** Told of each connection error before the wait that follows it (for a log line). */
  onRetry?: (error: unknown, retry: number) => void;
}

/**
 * Runs `operation`, and again after a wait each time it fails with a connection error, until it
 * succeeds or the waits run out; any other error is thrown at once. Only for statements that are safe
 * to run twice (see the module comment): the first try may have committed before its answer was lost.
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const delays = (options.delaysMs ?? defaultRetryDelaysMs)[Symbol.iterator]();
  for (let retry = 1; ; retry += 1) {
    try {
      return await operation();
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      const next = delays.next();
      if (next.done === true || options.signal?.aborted === true) throw error;
      options.onRetry?.(error, retry);
      try {
        await sleep(next.value, undefined, options.signal ? { signal: options.signal } : {});
      } catch {
        // Aborted while waiting: the caller learns of the connection error, not of the abort.
        throw error;
      }
    }
  }
}
