import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DescribedError } from '../http/error-handler.ts';
import { describeError } from '../http/error-handler.ts';
import type { ApiError } from '../http/api-error.ts';

// How the Diffgram API answers an error: in the statuses the Diffgram SDK turns into a message a
// person can read, with the message as a `text/plain` body. The SDK raises `Exception(<body>)` on a
// 400, `Exception("Invalid Permission", <body>)` on a 403 and "Rate Limited" on a 429, but only a
// bare `requests.HTTPError` (no body) on a 401, 409 or 422; so every refusal of a request is a 400
// saying why, and every "who are you / may you" a 403. Server-side failures keep their 5xx.

/** The status and text the Diffgram API answers an error with. */
export interface DiffgramErrorAnswer {
  statusCode: number;
  text: string;
}

// annex's own "nobody signed in" speaks of the panel; a script's author needs to hear about its key.
const noKeyMessage =
  'No API key was sent: give Project(...) the client_id and client_secret of an annex API key (panel → API keys).';

/** The Diffgram API's answer to an error annex's own API would answer as `described`. */
export function diffgramAnswerOf(described: DescribedError): DiffgramErrorAnswer {
  const { statusCode, code, message, details } = described;
  if (code === 'unauthenticated') {
    const reason = (details as { reason?: unknown } | undefined)?.reason;
    return { statusCode: 403, text: reason === 'no_credentials' ? noKeyMessage : message };
  }
  if (statusCode === 403) return { statusCode: 403, text: message };
  if (statusCode === 429 || statusCode >= 500) return { statusCode, text: message };
  return { statusCode: 400, text: message };
}

/** Sends `text` as the `text/plain` body the SDK shows. */
export function sendDiffgramText(
  reply: FastifyReply,
  statusCode: number,
  text: string,
): FastifyReply {
  return reply.status(statusCode).type('text/plain; charset=utf-8').send(text);
}

/**
 * Answers every error of the routes of `app` (a plugin's scope: the Diffgram routes) the Diffgram
 * way. Errors of authentication (its hook runs for these routes too) land here as well.
 */
export function installDiffgramErrorAnswers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request: FastifyRequest, reply) => {
    const answer = diffgramAnswerOf(describeError(error, request));
    return sendDiffgramText(reply, answer.statusCode, answer.text);
  });
}
