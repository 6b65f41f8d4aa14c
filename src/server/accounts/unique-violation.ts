// Two admins adding the same email (or the same member, or the same project) at once: both pass the
// "is it taken?" check, and the database's unique constraint refuses the second insert. That second
// request is a 409 like any other taken name, not a 500.

/** Whether `error` is a unique or primary-key violation on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const { code } = error;
  // PostgreSQL's SQLSTATE unique_violation; better-sqlite3's extended result codes.
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
