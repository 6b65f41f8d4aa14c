import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Session tokens, API key secrets and sign-up tokens are 256 random bits shown once and stored only
// as their SHA-256: with that much entropy a fast hash is as safe as a slow one, and a lookup by
// hash costs one indexed read per request.

/** A new random secret: 32 bytes, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The SHA-256 of a secret, hex: what the database keeps. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** True when `secret` hashes to `storedHash`, compared in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(secretHash(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** A new API key's public half: `annex_` and 16 random bytes in hex. */
export function newClientId(): string {
  return `annex_${randomBytes(16).toString('hex')}`;
}
