import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AnnexDatabase } from '../db/database.ts';
import { hashPassword } from './password-hash.ts';

// The first start stays two commands: with no account in the database, annex makes the instance
// admin from ANNEX_ADMIN_EMAIL and ANNEX_ADMIN_PASSWORD, or, without a password, generates one,
// keeps it in DATA_DIR/initial-admin-password (mode 600) and lets the startup summary print it once.
// The file goes when the admin changes the password (account-service.ts).

/** Where a generated first password is kept until the admin changes it. */
export function initialAdminPasswordPath(dataDir: string): string {
  return path.join(dataDir, 'initial-admin-password');
}

// No 0/O, 1/l/I: the password is read off a terminal and typed.
const readableAlphabet = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A password a person can read and type: five groups of five (`k7mq2-…`), about 124 bits. */
export function generateReadablePassword(): string {
  const groups = Array.from({ length: 5 }, () =>
    Array.from({ length: 5 }, () => readableAlphabet[randomInt(readableAlphabet.length)]).join(''),
  );
  return groups.join('-');
}

/** What the first start is told. */
export interface FirstAdminSettings {
  /** ANNEX_ADMIN_EMAIL. */
  email: string;
  /** ANNEX_ADMIN_PASSWORD; generated when undefined. */
  password: string | undefined;
  /** DATA_DIR, where a generated password is written. */
  dataDir: string;
}

/** What `ensureFirstAdmin` did. */
export type FirstAdminOutcome =
  | {
      created: true;
      userId: number;
      email: string;
      /** The generated password, for the startup summary to print once; undefined when ANNEX_ADMIN_PASSWORD gave one. */
      generatedPassword: string | undefined;
      /** Where the generated password is kept; undefined when none was generated. */
      passwordFile: string | undefined;
    }
  | { created: false };

/**
 * Creates the instance admin when the database holds no account. Safe when several processes start
 * at once on one PostgreSQL database: the email is unique, one insert wins and the others find the
 * row taken and do nothing. A generated password is written to a private temporary file first and
 * moved into place only by the winner, so a loser never overwrites the winner's password.
 */
export async function ensureFirstAdmin(
  database: AnnexDatabase,
  settings: FirstAdminSettings,
): Promise<FirstAdminOutcome> {
  const { db } = database;
  const anyone = await db.selectFrom('app_user').select('id').limit(1).executeTakeFirst();
  if (anyone !== undefined) return { created: false };

  const email = settings.email.toLowerCase();
  const generatedPassword =
    settings.password === undefined ? generateReadablePassword() : undefined;
  const password = settings.password ?? generatedPassword ?? '';
  const passwordFile =
    generatedPassword === undefined ? undefined : initialAdminPasswordPath(settings.dataDir);
  const pendingFile =
    passwordFile === undefined ? undefined : `${passwordFile}.${process.pid}.${Date.now()}.tmp`;
  if (pendingFile !== undefined) {
    fs.mkdirSync(settings.dataDir, { recursive: true });
    fs.writeFileSync(pendingFile, `${generatedPassword}\n`, { mode: 0o600, flag: 'wx' });
  }
  try {
    const inserted = await db
      .insertInto('app_user')
      .values({
        email,
        password_hash: await hashPassword(password),
        is_instance_admin: 1,
        disabled: 0,
        must_change_password: generatedPassword === undefined ? 0 : 1,
        created_time: new Date().toISOString(),
      })
      .onConflict((conflict) => conflict.column('email').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted === undefined) return { created: false };
    if (pendingFile !== undefined && passwordFile !== undefined) {
      // The renamed file keeps the pending file's mode (0600), whatever a file it replaces had.
      fs.renameSync(pendingFile, passwordFile);
    }
    return { created: true, userId: inserted.id, email, generatedPassword, passwordFile };
  } finally {
    if (pendingFile !== undefined) fs.rmSync(pendingFile, { force: true });
  }
}

/**
 * Lists the first admin (the oldest instance admin) as an admin member of `projectStringId` (the demo
 * project), so its members page shows who runs it; an instance admin is admin everywhere anyway,
 * this is the row people see. Says whether it did: false when the project or the admin is missing.
 */
export async function listFirstAdminInProject(
  database: AnnexDatabase,
  projectStringId: string,
): Promise<boolean> {
  const { db } = database;
  const project = await db
    .selectFrom('project')
    .select('id')
    .where('project_string_id', '=', projectStringId)
    .executeTakeFirst();
  const admin = await db
    .selectFrom('app_user')
    .select('id')
    .where('is_instance_admin', '=', 1)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (project === undefined || admin === undefined) return false;
  await db
    .insertInto('project_member')
    .values({
      project_id: project.id,
      user_id: admin.id,
      role: 'admin',
      added_time: new Date().toISOString(),
    })
    .onConflict((conflict) => conflict.columns(['project_id', 'user_id']).doNothing())
    .execute();
  return true;
}
