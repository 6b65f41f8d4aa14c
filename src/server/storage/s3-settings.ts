import { S3Client } from '@aws-sdk/client-s3';

// The object store's settings, read once from the environment (EXPORT_STORAGE=s3://bucket/prefix,
// S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE), and the one S3 client built from them. Credentials
// are never annex settings: the AWS SDK's own chain finds them (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, a profile, an instance role), as every other AWS tool does.

/** A bucket and a key prefix inside it (`''`, or ending in `/`). */
export interface S3Location {
  /** The bucket's name. */
  bucket: string;
  /** Prepended to every key annex writes: `''` or a path ending in `/`. */
  prefix: string;
}

/** Everything an S3 client and store need besides credentials. */
export interface S3Settings extends S3Location {
  /** An S3-compatible server's URL (MinIO, R2, GCS); AWS's own endpoint when undefined. */
  endpoint: string | undefined;
  /** The region requests are signed for. */
  region: string;
  /** Address the bucket in the path (`host/bucket/key`) rather than the host name; most non-AWS stores need it. */
  forcePathStyle: boolean;
}

/** Bucket names as S3 accepts them: 3–63 lowercase letters, digits, dots and hyphens. */
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A prefix's path segments: no empty, `.` or `..` segment, printable characters only. */
const prefixSegmentPattern = /^(?!\.{1,2}$)[A-Za-z0-9._!*'()-]+$/;

/**
 * Parses `s3://bucket/prefix` (the prefix is optional); throws an Error saying what is wrong, which
 * the configuration reports beside the variable's name.
 */
export function parseS3StorageUrl(value: string): S3Location {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(value);
  if (match === null) throw new Error('must be "local" or s3://bucket/prefix');
  const [, bucket = '', rawPrefix = ''] = match;
  if (!bucketPattern.test(bucket))
    throw new Error(
      `"${bucket}" is not a valid bucket name (3–63 lowercase letters, digits, dots and hyphens)`,
    );
  const segments = rawPrefix.split('/').filter((segment, index, all) => {
    // One trailing slash is allowed ("s3://b/exports/"); any other empty segment is not.
    return !(segment === '' && index === all.length - 1);
  });
  for (const segment of segments) {
    if (!prefixSegmentPattern.test(segment))
      throw new Error(
        `the key prefix "${rawPrefix}" has an empty, "." or ".." part, or a character other than letters, digits and ._!*'()-`,
      );
  }
  return { bucket, prefix: segments.length === 0 ? '' : `${segments.join('/')}/` };
}

/** Explicit credentials (tests against a local S3 server); the SDK's own chain when omitted. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The S3 client for `settings`. */
export function s3ClientOf(settings: S3Settings, credentials?: S3Credentials): S3Client {
  return new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
    // Checksums only where S3 requires them: S3-compatible servers (older MinIO, R2, s3rver) refuse
    // the SDK's default streaming checksum trailers, and the file's own SHA-256 is checked by annex.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A store that does not answer fails the call rather than hanging a download or a worker.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
    maxAttempts: 3,
  });
}
