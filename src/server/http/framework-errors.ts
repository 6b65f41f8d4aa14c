import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../../contract/errors.ts';
import { errorEnvelope } from './api-error.ts';

// Two layers answer before any route or error handler runs, each in its own shape unless told
// otherwise: Fastify's router (a path that is not valid percent-encoded UTF-8, a path parameter over
// `maxParamLength`) and Node's HTTP parser (headers too large, an unknown method, a raw non-ASCII byte
// in the URL). Both are pointed here so that every answer annex gives is the one envelope.

/** What a framework error is answered with. */
interface FrameworkAnswer {
  status: number;
  code: ErrorCode;
  message: string;
}

function routerAnswer(error: FastifyError): FrameworkAnswer {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return {
        status: 400,
        code: 'bad_request',
        message:
          'The URL path is not valid: a percent-escape is malformed or does not spell UTF-8 text. Encode each path segment with encodeURIComponent.',
      };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        status: 414,
        code: 'bad_request',
        message:
          'A path segment of the URL is far longer than any name or id annex knows. Check the URL.',
      };
    default:
      // FST_ERR_ASYNC_CONSTRAINT, the only other one, needs a constraint annex does not use.
      return {
        status: 500,
        code: 'internal',
        message: 'The server could not route the request. Check the server log.',
      };
  }
}

/** Fastify's `frameworkErrors`: the router's refusals, answered in the envelope. */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const answer = routerAnswer(error);
  if (answer.status >= 500) request.log.error({ err: error }, 'router error');
  // Sent as text: the request has no route, so no serializer is compiled for it.
  void reply
    .status(answer.status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(errorEnvelope(answer.code, answer.message)));
}

/** The error Node's HTTP server hands to `clientError` (a parser error carries an `HPE_` code). */
export interface ClientConnectionError extends Error {
  /** `HPE_HEADER_OVERFLOW`, `HPE_INVALID_METHOD`, `ERR_HTTP_REQUEST_TIMEOUT`, `ECONNRESET`… */
  code?: string | undefined;
}

function clientAnswer(error: ClientConnectionError): FrameworkAnswer {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'bad_request',
        message:
          "The request's headers are larger than the server accepts. Send fewer or shorter headers.",
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'bad_request',
        message: 'The request took too long to arrive. Send it again.',
      };
    case 'HPE_INVALID_METHOD':
      return {
        status: 400,
        code: 'bad_request',
        message:
          'The HTTP method is not one the server knows. The API speaks GET, POST and DELETE.',
      };
    default:
      return {
        status: 400,
        code: 'bad_request',
        message:
          'The request is not valid HTTP (a URL must be ASCII, with other characters percent-encoded).',
      };
  }
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request before Fastify saw it, so
 * the answer is written on the socket by hand, in the envelope, and the connection closed (what
 * follows on it cannot be trusted to start a request).
 */
export function answerClientError(error: ClientConnectionError, socket: Socket): void {
  // A connection the client dropped has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const answer = clientAnswer(error);
    const body = JSON.stringify(errorEnvelope(answer.code, answer.message));
    socket.write(
      `HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status] ?? 'Error'}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
