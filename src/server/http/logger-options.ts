import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import type { AppConfig } from '../config/env.ts';

/** The stream the logs go to; only whether it is a terminal matters. */
export interface LogOutput {
  /** True when a person is watching (stdout is a terminal); undefined or false for a pipe or file. */
  isTTY?: boolean | undefined;
}

// Fastify logs two events per request, "incoming request" (with `req`) and "request completed" (with
// `res` and `responseTime`); in a terminal each becomes one short line, and anything else a line
// carries (an `err` and its stack) is still printed below it.
const requestLineFormat =
  '{if reqId}[{reqId}] {end}{msg}{if req} {req.method} {req.url}{end}' +
  '{if res} {res.statusCode}{end}{if responseTime} in {responseTime} ms{end}';

/** Fastify's response time is a float with 12 decimals; a person reads a tenth of a millisecond. */
export function roundResponseTime(object: Record<string, unknown>): Record<string, unknown> {
  const { responseTime } = object;
  return typeof responseTime === 'number'
    ? { ...object, responseTime: responseTime.toFixed(1) }
    : object;
}

/**
 * A URL as the log may show it: a sign-up link's token (which sets the account's password) and a
 * download link's signature (which opens the file) are replaced, so reading the logs grants nothing.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/(\/sign-up\/)[^/?#]+/, '$1[token]')
    .replace(/([?&]signature=)[^&#]*/, '$1[signature]');
}

/** What a request's log line carries: Fastify's default fields, with secrets in the URL replaced. */
function requestSerializer(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket.remotePort,
  };
}

/**
 * Fastify's logger for LOG_LEVEL: short, coloured lines when stdout is a terminal (pino-pretty, in
 * pino's worker thread so requests never wait on formatting), and pino's JSON lines otherwise, which
 * log collectors and CI read. `silent` turns logging off.
 */
export function loggerOptions(
  level: AppConfig['LOG_LEVEL'],
  output: LogOutput = process.stdout,
): FastifyServerOptions['logger'] {
  if (level === 'silent') return false;
  const serializers = { req: requestSerializer };
  if (output.isTTY !== true) return { level, serializers };
  return {
    level,
    serializers,
    formatters: { log: roundResponseTime },
    transport: {
      target: 'pino-pretty',
      options: {
        colorize: true,
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname,reqId,req,res,responseTime',
        messageFormat: requestLineFormat,
      },
    },
  };
}
