import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ExportRow } from '../db/schema.ts';
import { ApiError } from '../http/api-error.ts';
import { contentDisposition } from '../http/content-disposition.ts';
import type { DispositionType } from '../http/content-disposition.ts';
import type { ByteRange, ExportFileStore } from '../storage/export-file-store.ts';
import { requireStoredFile } from './export-stored-file.ts';

// Sending a stored export file over HTTP: the headers a browser and a download tool need, and one
// byte range when asked. Used by the signed download route and by `wait_for_export_generation`.

/** What a Range header asks of a file of a given size. */
export type RangeRequest =
  { kind: 'full' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * Reads a `Range` header against a file size. Only a single `bytes=` range is served; anything
 * else (no header, another unit, several ranges, bad syntax) gets the whole file, which RFC 9110
 * allows. A syntactically good range that starts past the end is unsatisfiable (416).
 */
export function parseRangeHeader(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'full' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return { kind: 'full' };
  const [, startText = '', endText = ''] = match;
  if (startText === '' && endText === '') return { kind: 'full' };
  if (startText === '') {
    // `bytes=-N`: the last N bytes.
    const suffix = Number(endText);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(startText);
  const end = endText === '' ? size - 1 : Math.min(Number(endText), size - 1);
  if (endText !== '' && Number(endText) < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end } };
}

/** Options for sending one export's file. */
export interface SendExportFileOptions {
  /** Inline (shown in a tab) or attachment (saved); omitted: no Content-Disposition. */
  disposition?: DispositionType;
  /** Honour the request's Range / If-Range headers. */
  ranges: boolean;
}

/**
 * Sends a complete export's file with Content-Type, Content-Length, ETag (its sha256), Accept-Ranges,
 * nosniff and a `sandbox` CSP and, when asked and allowed, one byte range (206) or a 416. Throws an ApiError when the file is
 * gone from storage.
 */
export async function sendExportFile(
  request: FastifyRequest,
  reply: FastifyReply,
  storage: ExportFileStore,
  row: ExportRow,
  options: SendExportFileOptions,
): Promise<FastifyReply> {
  const { key, stat } = await requireStoredFile(storage, row);
  const size = stat.sizeBytes;
  const etag = row.sha256 === null ? undefined : `"${row.sha256}"`;
  reply.header('x-annex-export-id', String(row.id));
  // A file shown in a tab is data, never a page: no sniffing it into HTML, and should a browser
  // render it anyway, a sandbox with no scripts, no same-origin access to annex and no forms.
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', 'sandbox');
  if (options.ranges) reply.header('accept-ranges', 'bytes');

  if (etag !== undefined && ifNoneMatches(request.headers['if-none-match'], etag)) {
    reply.header('etag', etag);
    return reply.status(304).send();
  }

  let wanted: RangeRequest = { kind: 'full' };
  // If-Range with another validator means the client's copy is stale: it gets the whole file.
  if (
    options.ranges &&
    (request.headers['if-range'] === undefined || request.headers['if-range'] === etag)
  ) {
    wanted = parseRangeHeader(request.headers.range, size);
  }
  if (wanted.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${size}`);
    throw new ApiError(
      'range_not_satisfiable',
      `The requested range is outside the file, which is ${size} bytes long. Ask for a range within 0–${Math.max(0, size - 1)}.`,
      { size_bytes: size },
    );
  }

  // Only a response that carries (part of) the file gets its name, type and validator.
  reply.header('content-type', 'application/json; charset=utf-8');
  reply.header('cache-control', 'private, no-cache');
  if (etag !== undefined) reply.header('etag', etag);
  if (options.disposition !== undefined && row.file_name !== null) {
    reply.header('content-disposition', contentDisposition(options.disposition, row.file_name));
  }
  if (wanted.kind === 'partial') {
    const { start, end } = wanted.range;
    reply.status(206);
    reply.header('content-range', `bytes ${start}-${end}/${size}`);
    reply.header('content-length', String(end - start + 1));
    return reply.send(storage.openRead(key, wanted.range));
  }
  reply.status(200);
  reply.header('content-length', String(size));
  return reply.send(storage.openRead(key));
}

function ifNoneMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
