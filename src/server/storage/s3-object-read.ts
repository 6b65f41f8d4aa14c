import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { GetObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { asError, isNotFound } from './s3-errors.ts';

/**
 * A stream of one object (or one range of it), returned at once like a file stream and fed as the
 * object store answers, for export files and import uploads alike. When the reader goes away (a
 * client hanging up) the request is aborted, so no socket stays open for nobody; a key that is not
 * there errors the stream with `missing(cause)`.
 */
export function readObject(
  client: S3Client,
  input: Pick<GetObjectCommandInput, 'Bucket' | 'Key' | 'Range'>,
  missing: (cause: unknown) => Error,
): Readable {
  const out = new PassThrough();
  const request = new AbortController();
  out.once('close', () => request.abort());
  client
    .send(new GetObjectCommand(input), { abortSignal: request.signal })
    .then(async (answer) => {
      if (!(answer.Body instanceof Readable))
        throw new Error('The object store answered without a body stream');
      await pipeline(answer.Body, out);
    })
    .catch((error: unknown) => {
      if (out.destroyed) return;
      out.destroy(isNotFound(error) ? missing(error) : asError(error));
    });
  return out;
}
