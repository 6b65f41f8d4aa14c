import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isConnectionError, withRetry } from './connection-errors.ts';
import { TEST_POSTGRES_URL } from './test-database.ts';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isConnectionError', () => {
  it.each([
    [
      '57P01 admin_shutdown',
      withCode('terminating connection due to administrator command', '57P01'),
    ],
    ['57P02 crash_shutdown', withCode('terminating connection due to crash', '57P02')],
    ['57P03 cannot_connect_now', withCode('the database system is starting up', '57P03')],
    ['08006 connection_failure', withCode('connection failure', '08006')],
    ['08P01 protocol_violation', withCode('protocol violation', '08P01')],
    ['ECONNRESET', withCode('read ECONNRESET', 'ECONNRESET')],
    ['ECONNREFUSED', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a lost socket, in words', new Error('Connection terminated unexpectedly')],
    ['a connect timeout, in words', new Error('timeout exceeded when trying to connect')],
    [
      'a broken client reused',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    [
      'a cause two deep',
      new Error('outer', { cause: new Error('mid', { cause: withCode('x', '57P01') }) }),
    ],
    [
      'one of several addresses refused',
      new AggregateError([withCode('x', 'ECONNREFUSED')], 'connect'),
    ],
  ])('says yes to %s', (_name, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    [
      'an integer out of range',
      withCode('value "2147483648" is out of range for type integer', '22003'),
    ],
    ['a query cancelled (57014, not a lost connection)', withCode('canceling statement', '57014')],
    ['a full disk', withCode('ENOSPC: no space left on device', 'ENOSPC')],
    ['SQLite busy', withCode('database is locked', 'SQLITE_BUSY')],
    ['a plain error', new Error('something else')],
    ['a string', 'Connection terminated'],
    ['null', null],
    ['undefined', undefined],
  ])('says no to %s', (_name, error) => {
    expect(isConnectionError(error)).toBe(false);
  });

  it('does not loop on a cycle of causes', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(isConnectionError(a)).toBe(false);
  });

  it('recognises what node-postgres really throws when a server refuses the connection', async () => {
    // Port 1: nothing listens there, so the connect is refused at once.
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL.replace(':5432', ':1') });
    const error: unknown = await client.connect().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect(isConnectionError(error)).toBe(true);
  });
});

describe('withRetry', () => {
  const lost = () => withCode('terminating connection due to administrator command', '57P01');

  it('runs again after a connection error and returns the answer', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetry(
      () => {
        calls += 1;
        return calls < 3 ? Promise.reject(lost()) : Promise.resolve('done');
      },
      { delaysMs: [1, 1, 1], onRetry: (_error, retry) => retries.push(retry) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const wrong = withCode('duplicate key', '23505');
    await expect(
      withRetry(
        () => {
          calls += 1;
          return Promise.reject(wrong);
        },
        { delaysMs: [1, 1] },
      ),
    ).rejects.toBe(wrong);
    expect(calls).toBe(1);
  });

  it('throws the last connection error when the waits run out', async () => {
    let calls = 0;
    await expect(
      withRetry(
        () => {
          calls += 1;
          return Promise.reject(lost());
        },
        { delaysMs: [1, 1] },
      ),
    ).rejects.toMatchObject({ code: '57P01' });
    expect(calls).toBe(3);
  });

  it('stops waiting when its signal is aborted, with the connection error', async () => {
    const controller = new AbortController();
    let calls = 0;
    const running = withRetry(
      () => {
        calls += 1;
        return Promise.reject(lost());
      },
      { delaysMs: [60_000, 60_000], signal: controller.signal },
    );
    setTimeout(() => controller.abort('stopping'), 10);
    await expect(running).rejects.toMatchObject({ code: '57P01' });
    expect(calls).toBe(1);
  });
});
