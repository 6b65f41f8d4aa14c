import type { Kysely } from 'kysely';
import { newSecret, secretHash } from '../auth/secret-tokens.ts';
import type { Database } from '../db/schema.ts';

// Making one-time sign-up links. The token is 256 random bits that leave the server once, inside
// the link's URL; the table keeps only its SHA-256, so a copy of the database signs nobody up. The
// routes that use a link (GET/POST /api/v1/auth/sign-up) live with the other auth routes.

/** A link just made: the token (only ever shown in the URL) and when it stops working. */
export interface IssuedSignUpLink {
  token: string;
  expiresAt: Date;
}

/**
 * Makes a fresh link for `userId` valid for `hours`, and deletes the user's earlier unused links so
 * only the newest one works: handing out a new link is how an admin takes back one sent to the wrong
 * place. Used links stay as a record of when the user signed up.
 */
export async function issueSignUpLink(
  db: Kysely<Database>,
  link: { userId: number; createdByUserId: number | null; hours: number },
  now: Date,
): Promise<IssuedSignUpLink> {
  await db
    .deleteFrom('sign_up_link')
    .where('user_id', '=', link.userId)
    .where('used_time', 'is', null)
    .execute();
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + link.hours * 3_600_000);
  await db
    .insertInto('sign_up_link')
    .values({
      token_hash: secretHash(token),
      user_id: link.userId,
      created_by_user_id: link.createdByUserId,
      created_time: now.toISOString(),
      expires_time: expiresAt.toISOString(),
      used_time: null,
    })
    .execute();
  return { token, expiresAt };
}

/** The panel's page a link opens: `origin` is where the requester reached annex (PUBLIC_URL when set). */
export function signUpUrl(origin: string, token: string): string {
  return `${origin}/sign-up/${token}`;
}
