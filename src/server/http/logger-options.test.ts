import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { loggerOptions, redactUrl, roundResponseTime } from './logger-options.ts';

describe('loggerOptions', () => {
  it('pretty-prints through pino-pretty when stdout is a terminal', () => {
    expect(loggerOptions('info', { isTTY: true })).toMatchObject({
      level: 'info',
      transport: { target: 'pino-pretty' },
    });
  });

  it('writes JSON lines (no transport, nothing reshaped) when stdout is a pipe or a file', () => {
    const json = loggerOptions('debug', { isTTY: false });
    expect(json).toMatchObject({ level: 'debug' });
    expect(json).not.toHaveProperty('transport');
    expect(loggerOptions('warn', {})).toMatchObject({ level: 'warn' });
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

describe('what the request log shows of a URL', () => {
  it('replaces a sign-up token and a download signature, and leaves the rest', () => {
    expect(redactUrl('/api/v1/auth/sign-up/In3cwRnVrcTokenTokenToken')).toBe(
      '/api/v1/auth/sign-up/[token]',
    );
    expect(redactUrl('/sign-up/abc_DEF-123?x=1')).toBe('/sign-up/[token]?x=1');
    expect(redactUrl('/files/exports/3?expires=99&signature=Udi-bE5S&download=1')).toBe(
      '/files/exports/3?expires=99&signature=[signature]&download=1',
    );
    expect(redactUrl('/api/v1/projects/demo/exports?limit=5')).toBe(
      '/api/v1/projects/demo/exports?limit=5',
    );
  });

  it('never writes a sign-up token into a real request log line', async () => {
    let written = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString('utf8');
        done();
      },
    });
    const options = loggerOptions('info', { isTTY: false });
    const app = Fastify({ logger: { ...(typeof options === 'object' ? options : {}), stream } });
    app.get('/api/v1/auth/sign-up/:token', () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/api/v1/auth/sign-up/SecretTokenValue1234567890' });
    await app.close();
    expect(written).toContain('/api/v1/auth/sign-up/[token]');
    expect(written).not.toContain('SecretTokenValue1234567890');
  });
});
