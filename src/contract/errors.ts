import { z } from 'zod';

/** Machine-readable error codes every API error carries. */
export const errorCodes = [
  'bad_request',
  'invalid_import_file',
  'payload_too_large',
  'validation_failed',
  'not_found',
  'conflict',
  'export_not_ready',
  'export_failed',
  'export_cancelled',
  'unauthenticated',
  'forbidden',
  'rate_limited',
  'link_expired',
  'range_not_satisfiable',
  'unavailable',
  'internal',
] as const;
/** A machine-readable error code. */
export type ErrorCode = (typeof errorCodes)[number];

/** One problem with one field of a request. */
export const fieldIssueSchema = z.object({
  /** Where in the request: `body.source`, `query.limit`, `params.id`. */
  field: z.string(),
  /** What is wrong with it, in words. */
  message: z.string(),
});
/** One problem with one field of a request. */
export type FieldIssue = z.infer<typeof fieldIssueSchema>;

/** The one error envelope every non-2xx API answer uses. */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    /** What kind of error, for code to branch on. */
    code: z.enum(errorCodes),
    /** What happened and what to do next, for a person. */
    message: z.string(),
    /** More about it: the bad fields of a request, or the resource it concerns. */
    details: z.unknown().optional(),
  }),
});
/** The one error envelope every non-2xx API answer uses. */
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/**
 * The error an API answer's body carries, or undefined when the body is not the envelope (a proxy's
 * error page, an empty body, a truncated answer): every client reads error bodies the same way.
 */
export function parseErrorEnvelope(text: string): ErrorEnvelope['error'] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const envelope = errorEnvelopeSchema.safeParse(body);
  return envelope.success ? envelope.data.error : undefined;
}
