import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

// Passwords are hashed with scrypt (memory-hard, in node:crypto, no native add-on to build). The
// stored value carries its own parameters and salt, `scrypt$N$r$p$salt$hash` (base64url), so the
// cost can be raised later and old hashes still verify.

/** N = 2^15, r = 8, p = 1: about 32 MiB and tens of milliseconds per hash, OWASP's scrypt minimum. */
const defaultCost = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;
const saltLength = 16;

function derive(password: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem above 128·N·r, which Node's 32 MiB default does not leave room for at N = 2^15.
    scrypt(password, salt, keyLength, { ...cost, maxmem: 256 * 1024 * 1024 }, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

/** The stored form of `password`: `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltLength);
  const key = await derive(password, salt, defaultCost);
  const { N, r, p } = defaultCost;
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` matches `stored`; false (never a throw) for a stored value it cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// A hash of a password nobody has, checked when the email is unknown or has no password yet, so a
// wrong email takes as long as a wrong password and timing does not tell which accounts exist.
let decoy: Promise<string> | undefined;

function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(24).toString('base64url'));
  return decoy;
}

/**
 * Makes the decoy hash now, at start: made on the first unknown email instead, that one sign-in
 * would take twice as long as any other and tell that the email has no account.
 */
export async function prepareDecoy(): Promise<void> {
  await decoyHash();
}

/** Spends the same time as verifying a real password, and always fails. */
export async function verifyAgainstDecoy(password: string): Promise<false> {
  await verifyPassword(password, await decoyHash());
  return false;
}
