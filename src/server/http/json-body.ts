import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.ts';

// The API reads one kind of body: JSON in UTF-8. Fastify's own JSON parser reads any charset label
// as UTF-8, turns invalid UTF-8 into U+FFFD without a word, and answers a valid body holding a
// `__proto__` key with "not valid JSON"; this one refuses each of those with its own message.

const utf8Labels = new Set(['utf-8', 'utf8']);

/** The `charset` parameter of a content type, lower case and unquoted, or undefined when there is none. */
export function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType);
  return match?.[2]?.toLowerCase();
}

// A key that would reach an object's prototype once the body is merged into another object.
class PoisonedKeyError extends Error {}

function parseJsonBody(request: FastifyRequest, body: Buffer): unknown {
  const charset = charsetOf(request.headers['content-type'] ?? '');
  if (charset !== undefined && !utf8Labels.has(charset)) {
    throw new ApiError(
      'bad_request',
      `The body is labelled charset=${charset}; annex reads JSON in UTF-8 only. Send it as UTF-8 (charset=utf-8, or no charset).`,
      { field: 'headers.content-type' },
      415,
    );
  }
  if (body.length === 0) {
    throw new ApiError(
      'bad_request',
      'The body is empty but labelled application/json. Send a JSON object, or no content-type.',
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new ApiError('bad_request', 'The body is not valid UTF-8 text. Send JSON in UTF-8.');
  }
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (
        key === '__proto__' ||
        (key === 'constructor' &&
          typeof value === 'object' &&
          value !== null &&
          Object.hasOwn(value, 'prototype'))
      )
        throw new PoisonedKeyError(key);
      return value;
    });
  } catch (error) {
    if (error instanceof PoisonedKeyError) {
      throw new ApiError(
        'bad_request',
        `The body is valid JSON, but a "${error.message}" key is not allowed in it (it could reach an object's prototype). Leave it out.`,
      );
    }
    throw new ApiError(
      'bad_request',
      `The body is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
}

/**
 * Makes `app` read `application/json` bodies (and only those: any other content type is a 415) as
 * strict UTF-8 JSON: another charset is a 415, invalid UTF-8, invalid JSON and `__proto__` keys are
 * each a 400 saying which. The body limit stays Fastify's (a 413 beyond it).
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, parseJsonBody(request, body as Buffer));
    } catch (error) {
      done(error as ApiError, undefined);
    }
  });
}
