import type { LightMyRequestResponse } from 'fastify';
import type { ErrorEnvelope } from '../../contract/errors.ts';

// Reading the API's answers in tests: the error envelope, the fields a 400 names, a link's path.

/** The `error` of an error envelope. */
export function errorOf(response: LightMyRequestResponse): ErrorEnvelope['error'] {
  return response.json<ErrorEnvelope>().error;
}

/** The field names an error's details name (a 400 `validation_failed` lists them in `issues`). */
export function fieldsOf(response: LightMyRequestResponse): string[] {
  const details = errorOf(response).details as { issues?: { field: string }[] } | undefined;
  return (details?.issues ?? []).map((issue) => issue.field);
}

/** The path and query of an absolute URL, to `inject` a link the API gave. */
export function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
