import { z } from 'zod';

// The rules every request field that reaches the database follows, written once: a number sent as
// text is digits and nothing else, within the column's range; text holds no NUL, control character
// or lone surrogate, which PostgreSQL refuses (a 500) and SQLite stores as is.

/** The largest id annex stores: ids are 32-bit integers on PostgreSQL, so a larger one names nothing there. */
export const maxId = 2_147_483_647;

const digitsOnly = /^\d+$/;

/**
 * A whole number from `min` to `max` as a path or query string carries it: digits only, so `0x1`,
 * `1e0`, `+1`, `1.0` and ` 1` are refused rather than read as 1. A number (a typed client checking
 * its own options before sending) passes through the same range check.
 */
export function textIntegerSchema(min: number, max: number) {
  return z
    .unknown()
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && digitsOnly.test(value)) return Number(value);
      ctx.addIssue({
        code: 'custom',
        message: `must be a whole number written in digits only (no sign, spaces, decimal point, exponent or hex), from ${min} to ${max}`,
      });
      return z.NEVER;
    })
    .pipe(z.number().int().min(min).max(max));
}

/** A database id sent as text (a path or query string): digits only, 1 to `maxId`. */
export const textIdSchema = textIntegerSchema(1, maxId);

/** A database id sent in a JSON body: an integer from 1 to `maxId`. */
export const bodyIdSchema = z.number().int().positive().max(maxId);

// C0 controls (NUL among them) and DEL, and a UTF-16 surrogate that is not half of a pair: text
// that cannot be stored as UTF-8 or that no name is meant to hold.
// eslint-disable-next-line no-control-regex
const unstorableText = /[\u0000-\u001f\u007f]|\p{Cs}/u;

/** True when `value` is text every database stores as sent: no control character, no lone surrogate. */
export function isStorableText(value: string): boolean {
  return !unstorableText.test(value);
}

/** Text a request names something by, from 1 to `maxLength` characters, refused when it is not storable. */
export function nameTextSchema(maxLength: number) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .refine(isStorableText, 'must not contain control characters (such as NUL) or invalid text');
}

/** A boolean in a query string: only the words `true` and `false`, so `file_complete=1` is a 400. */
export const queryBooleanSchema = z.enum(['true', 'false']).transform((value) => value === 'true');

/** The paging fields of every list query: the previous page's `next_cursor` and a page size. */
export const pageQueryFields = {
  /** The `next_cursor` of the previous page. */
  cursor: z
    .string()
    .refine(
      (value) => digitsOnly.test(value) && Number(value) <= maxId,
      'must be the next_cursor of a previous page',
    )
    .optional(),
  /** Page size, 1–100 (default 25). */
  limit: textIntegerSchema(1, 100).default(25),
};
