import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/env.ts';
import { installPublicUrl, originOf } from './request-context.ts';
import { trustProxyOption, trustProxySetting } from './trust-proxy.ts';

describe('trustProxySetting', () => {
  it('reads false, true, a hop count and a list of addresses, CIDRs and range names', () => {
    expect(trustProxySetting(undefined)).toBe(false);
    expect(trustProxySetting('false')).toBe(false);
    expect(trustProxySetting('true')).toBe(true);
    expect(trustProxySetting('2')).toBe(2);
    expect(trustProxySetting('10.0.0.1, 10.0.0.0/8,fd00::/8, loopback,10.0.0.0/255.0.0.0')).toEqual(
      ['10.0.0.1', '10.0.0.0/8', 'fd00::/8', 'loopback', '10.0.0.0/255.0.0.0'],
    );
  });

  it('names what it cannot read', () => {
    expect(() => trustProxySetting('yes')).toThrow(/"yes" is not true, false, a hop count/);
    expect(() => trustProxySetting('10.0.0.1,proxy.example')).toThrow(/"proxy.example"/);
    expect(() => trustProxySetting('10.0.0.0/33')).toThrow(/"10.0.0.0\/33"/);
  });

  it('is refused at start with the other bad variables', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'yes', CORS_ORIGINS: 'a.example' })).toThrow(
      /TRUST_PROXY: "yes"[\s\S]*CORS_ORIGINS: "a.example" is not an origin/,
    );
  });
});

/** What the probe route answers. */
interface Seen {
  protocol: string;
  ip: string;
  origin: string;
}

describe('behind a proxy', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  /** A bare app with the trustProxy option and PUBLIC_URL, answering what a route sees. */
  async function appWith(trustProxy: string | undefined, publicUrl?: string) {
    app = Fastify({ trustProxy: trustProxyOption(trustProxy) });
    installPublicUrl(app, publicUrl);
    app.get('/seen', (request) => ({
      protocol: request.protocol,
      ip: request.ip,
      origin: originOf(request),
    }));
    return app.inject({
      url: '/seen',
      headers: {
        host: 'annex.example.com',
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '203.0.113.9',
      },
    });
  }

  it('x-forwarded-proto counts only with TRUST_PROXY', async () => {
    expect((await appWith(undefined)).json()).toEqual({
      protocol: 'http',
      ip: '127.0.0.1',
      origin: 'http://annex.example.com',
    });
    await app?.close();
    for (const trust of ['true', '1', '127.0.0.1', 'loopback']) {
      expect((await appWith(trust)).json(), trust).toEqual({
        protocol: 'https',
        ip: '203.0.113.9',
        origin: 'https://annex.example.com',
      });
      await app?.close();
    }
    // A proxy list that does not hold the peer (the test's 127.0.0.1) is not trusted.
    expect((await appWith('10.0.0.0/8')).json<Seen>().protocol).toBe('http');
  });

  it('PUBLIC_URL wins over what the request says, keeping a base path', async () => {
    expect((await appWith(undefined, 'https://example.org/annex/')).json<Seen>().origin).toBe(
      'https://example.org/annex',
    );
  });
});
