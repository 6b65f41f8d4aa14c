import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loggerOptions, roundResponseTime } from './logger-options.ts';

describe('loggerOptions', () => {
  it('pretty-prints through pino-pretty when stdout is a terminal', () => {
    expect(loggerOptions('info', { isTTY: true })).toMatchObject({
      level: 'info',
      transport: { target: 'pino-pretty' },
    });
  });

  it('writes JSON lines (no transport, nothing reshaped) when stdout is a pipe or a file', () => {
    expect(loggerOptions('debug', { isTTY: false })).toEqual({ level: 'debug' });
    expect(loggerOptions('warn', {})).toEqual({ level: 'warn' });
  });

  it('turns logging off for silent, terminal or not', () => {
    expect(loggerOptions('silent', { isTTY: true })).toBe(false);
    expect(loggerOptions('silent', { isTTY: false })).toBe(false);
  });

  it('names a transport that is installed, so a start in a terminal does not fail', () => {
    const options = loggerOptions('info', { isTTY: true });
    const transport =
      typeof options === 'object' && 'transport' in options
        ? (options.transport as { target: string })
        : undefined;

    expect(transport?.target).toBe('pino-pretty');
    expect(() => createRequire(import.meta.url).resolve(transport?.target ?? '')).not.toThrow();
  });
});

describe('roundResponseTime', () => {
  it('rounds a response time to a tenth of a millisecond and leaves other lines alone', () => {
    expect(
      roundResponseTime({ responseTime: 10.334310000002006, res: { statusCode: 200 } }),
    ).toEqual({ responseTime: '10.3', res: { statusCode: 200 } });
    expect(roundResponseTime({ msg: 'hello' })).toEqual({ msg: 'hello' });
  });
});
