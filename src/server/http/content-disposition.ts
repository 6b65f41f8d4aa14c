// The Content-Disposition header of a downloaded export, the same whether annex sends the file or
// an object store does (a presigned URL carries it as `response-content-disposition`).

/** How the browser should treat the file. */
export type DispositionType = 'inline' | 'attachment';

/**
 * A Content-Disposition value carrying a file name any browser reads: an ASCII `filename` fallback
 * and the exact name in RFC 5987 `filename*` (UTF-8, percent-encoded).
 */
export function contentDisposition(type: DispositionType, fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
