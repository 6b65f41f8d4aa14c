import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinkSigner, loadLinkSecret } from './download-links.ts';

const secret = 'a-test-secret-that-is-long-enough-0123456789';

function queryOf(linkPath: string): { expires: string; signature: string } {
  const url = new URL(linkPath, 'http://annex.test');
  return {
    expires: url.searchParams.get('expires') ?? '',
    signature: url.searchParams.get('signature') ?? '',
  };
}

describe('LinkSigner', () => {
  const signer = new LinkSigner(secret, 15);
  const now = new Date('2024-05-01T10:00:00Z');

  it('signs a link to one export that expires after the configured minutes', () => {
    const link = signer.sign(42, now);
    expect(link.path).toMatch(/^\/files\/exports\/42\?expires=\d+&signature=[\w-]+$/);
    expect(link.expiresAt.toISOString()).toBe('2024-05-01T10:15:00.000Z');
    const { expires, signature } = queryOf(link.path);
    expect(signer.verify(42, expires, signature, now)).toEqual({ ok: true });
  });

  it('rejects a changed signature, export id or expiry, and another secret', () => {
    const { expires, signature } = queryOf(signer.sign(42, now).path);
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    expect(signer.verify(42, expires, flipped, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(signer.verify(43, expires, signature, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(signer.verify(42, String(Number(expires) + 3600), signature, now)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(signer.verify(42, expires, signature.slice(1), now)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(signer.verify(42, 'soon', signature, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(new LinkSigner(`${secret}-other`, 15).verify(42, expires, signature, now)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('says when a genuine link expired', () => {
    const link = signer.sign(42, now);
    const { expires, signature } = queryOf(link.path);
    const later = new Date(link.expiresAt.getTime() + 1000);
    expect(signer.verify(42, expires, signature, later)).toEqual({
      ok: false,
      reason: 'expired',
      expiredAt: link.expiresAt,
    });
  });

  it('refuses a short secret', () => {
    expect(() => new LinkSigner('short', 15)).toThrow(/32 characters/);
  });
});

describe('loadLinkSecret', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-secret-'));
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses LINK_SECRET when set and writes nothing', () => {
    expect(loadLinkSecret(secret, dataDir)).toBe(secret);
    expect(fs.existsSync(path.join(dataDir, 'link-secret'))).toBe(false);
  });

  it('generates a secret once, keeps it private in the data folder and reuses it', () => {
    const first = loadLinkSecret(undefined, dataDir);
    const file = path.join(dataDir, 'link-secret');
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadLinkSecret(undefined, dataDir)).toBe(first);
    expect(fs.readdirSync(dataDir)).toEqual(['link-secret']);
  });

  it('says what to do with a secret file that is too short', () => {
    fs.writeFileSync(path.join(dataDir, 'link-secret'), 'abc\n');
    expect(() => loadLinkSecret(undefined, dataDir)).toThrow(/delete the file/);
  });
});
