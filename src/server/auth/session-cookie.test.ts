import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { sessionCookieName } from './authenticate.ts';
import { clearSessionCookie, sessionCookieOptions, setSessionCookie } from './session-cookie.ts';

// The Secure flag follows request.protocol, which Fastify reads from X-Forwarded-Proto only when it
// trusts the proxy (TRUST_PROXY). A bare app with trustProxy shows both sides without the rest of annex.
async function appBehindProxy() {
  const app = Fastify({ trustProxy: true });
  await app.register(fastifyCookie);
  app.post('/in', (request, reply) => {
    setSessionCookie(request, reply, 'the-token', 2);
    return reply.status(204).send();
  });
  app.post('/out', (request, reply) => {
    clearSessionCookie(request, reply);
    return reply.status(204).send();
  });
  return app;
}

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Lax, on every path, and Secure only over HTTPS', () => {
    expect(sessionCookieOptions('http', 3600)).toEqual({
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: false,
      maxAge: 3600,
    });
    expect(sessionCookieOptions('https', 3600).secure).toBe(true);
  });

  it('is Secure when a trusted proxy says the request came over HTTPS, and lasts the absolute lifetime', async () => {
    const app = await appBehindProxy();
    const overHttps = await app.inject({
      method: 'POST',
      url: '/in',
      headers: { 'x-forwarded-proto': 'https' },
    });
    const overHttp = await app.inject({ method: 'POST', url: '/in' });

    const secure = overHttps.cookies.find((cookie) => cookie.name === sessionCookieName);
    expect(secure).toMatchObject({
      value: 'the-token',
      secure: true,
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      maxAge: 7200,
    });
    const plain = overHttp.cookies.find((cookie) => cookie.name === sessionCookieName);
    expect(plain?.secure).toBeUndefined();
    await app.close();
  });

  it('is cleared with the attributes it was set with', async () => {
    const app = await appBehindProxy();
    const response = await app.inject({
      method: 'POST',
      url: '/out',
      headers: { 'x-forwarded-proto': 'https' },
    });
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(new RegExp(`^${sessionCookieName}=;`));
    expect(header).toContain('Path=/');
    expect(header).toContain('HttpOnly');
    expect(header).toContain('Secure');
    expect(header).toContain('SameSite=Lax');
    await app.close();
  });
});
