import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// A download link is `/files/exports/<id>?expires=<unix seconds>&signature=<hmac>`: the HMAC-SHA256
// of the export id and the expiry under a server secret. Whoever holds the link may fetch that one
// file until it expires; nothing else about the server is reachable through it.

/** A signed download path and when it stops working. */
export interface SignedLink {
  /** Path and query, relative to the server's origin. */
  path: string;
  /** When the link stops working. */
  expiresAt: Date;
}

/** What checking a link's signature found. */
export type LinkCheck =
  | { ok: true }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'expired'; expiredAt: Date };

/** The path prefix download links live under. */
export const downloadPathPrefix = '/files/exports';

/** Signs and checks download links with one secret and one lifetime. */
export class LinkSigner {
  constructor(
    private readonly secret: string,
    /** How long a link stays valid (LINK_TTL_MINUTES); a presigned object-store URL gets the same. */
    readonly ttlMinutes: number,
  ) {
    if (secret.length < 32) throw new Error('A link secret must be at least 32 characters.');
  }

  /** A link to one export's file, valid for the configured minutes from `now`. */
  sign(exportId: number, now: Date = new Date()): SignedLink {
    const expires = Math.floor(now.getTime() / 1000) + this.ttlMinutes * 60;
    return this.signUntil(exportId, expires);
  }

  /** A link valid until a given Unix time; `sign` is the usual door, this one lets tests make old links. */
  signUntil(exportId: number, expiresUnixSeconds: number): SignedLink {
    const expires = String(expiresUnixSeconds);
    const signature = this.signature(exportId, expires);
    return {
      path: `${downloadPathPrefix}/${exportId}?expires=${expires}&signature=${signature}`,
      expiresAt: new Date(expiresUnixSeconds * 1000),
    };
  }

  /** Checks a link's query against its export id: a bad signature first, then the expiry. */
  verify(exportId: number, expires: string, signature: string, now: Date = new Date()): LinkCheck {
    if (!/^\d{1,12}$/.test(expires)) return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.signature(exportId, expires), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    // timingSafeEqual needs equal lengths; a length mismatch tells an attacker nothing they lack.
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'invalid' };
    const expiredAt = new Date(Number(expires) * 1000);
    if (expiredAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', expiredAt };
    return { ok: true };
  }

  private signature(exportId: number, expires: string): string {
    return createHmac('sha256', this.secret)
      .update(`annex-export-download:${exportId}:${expires}`)
      .digest('base64url');
  }
}

/**
 * The secret links are signed with: LINK_SECRET when set, else the one kept in `<dataDir>/link-secret`
 * (mode 0600), generated on first use so links survive a restart.
 */
export function loadLinkSecret(configured: string | undefined, dataDir: string): string {
  if (configured !== undefined) return configured;
  const file = path.join(dataDir, 'link-secret');
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file)) {
    // Written whole under a private name, then hard-linked into place: link() fails when the file
    // exists, so two processes starting together both end up with the first one's complete secret.
    const draft = `${file}.${String(process.pid)}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(draft, `${randomBytes(32).toString('base64url')}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    try {
      fs.linkSync(draft, file);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    } finally {
      fs.rmSync(draft, { force: true });
    }
  }
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32) {
    throw new Error(
      `The link secret in ${file} is shorter than 32 characters; delete the file to generate a new one.`,
    );
  }
  return secret;
}
