import { S3ServiceException } from '@aws-sdk/client-s3';

// How annex reads an object store's errors, the same for export files and import uploads: what
// counts as "not there", as "this store cannot do that", and the words an operator can act on.

/** The HTTP status of an object store's answer, when the error is one. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

/**
 * A key or upload that is not there: GetObject says NoSuchKey, HeadObject (no body) only 404,
 * AbortMultipartUpload NoSuchUpload.
 */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NotFound' ||
      error.name === 'NoSuchKey' ||
      error.name === 'NoSuchUpload' ||
      statusOf(error) === 404)
  );
}

/** A call the store does not implement (s3rver: ListMultipartUploads 501, AbortMultipartUpload 405). */
export function isNotImplemented(error: unknown): boolean {
  const status = statusOf(error);
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NotImplemented' || status === 501 || status === 405)
  );
}

/** `error` as an Error, for a stream's `destroy` or a rethrow. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** What went wrong talking to the store, in words an operator can act on. */
export function describeS3Error(error: unknown): string {
  const status = statusOf(error);
  if (status === 404) return 'the bucket does not exist (404)';
  if (status === 403) return 'access denied (403): check the credentials and the bucket policy';
  if (status === 301) return 'the bucket is in another region (301): set S3_REGION';
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? ` (${error.code})` : '';
    return `${error.name}: ${error.message}${code}`;
  }
  return String(error);
}
