import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { s3ClientOf } from './s3-settings.ts';
import type { S3Credentials, S3Settings } from './s3-settings.ts';

// An S3-compatible server for tests and the benchmark: s3rver on 127.0.0.1, a free port, a fresh
// folder, one bucket, no log lines. What it does not do (probed on 3.7.1): AbortMultipartUpload and
// ListMultipartUploads answer NotImplemented, so parts of an abandoned upload stay in its folder
// (never under a key); bucket names must be DNS names.

/** The keys s3rver accepts (it checks signatures against these). */
export const testS3Credentials: S3Credentials = {
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
};

/** A running test server and a client for it. */
export interface TestS3Server {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The settings a store (or `EXPORT_STORAGE`/`S3_*` of a child process) needs to reach the bucket. */
  settings: S3Settings;
  /** The credentials it accepts (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` of a child process). */
  credentials: S3Credentials;
  /** A client built the way annex builds its own (`s3ClientOf`). */
  client: S3Client;
  /** s3rver's folder: objects, and the parts of uploads never completed. */
  directory: string;
  /** Stops the server (waiting for it to exit), destroys the client, removes the folder. */
  close(): Promise<void>;
}

/** How to start the test server. */
export interface TestS3ServerOptions {
  /** The bucket to create (a DNS name); `annex-test` by default. */
  bucket?: string;
  /** The key prefix in `settings` (`''` or ending in `/`); `''` by default. */
  prefix?: string;
  /**
   * Runs s3rver in a process of its own, so that its memory and its disk writes are not counted as
   * the test process's (the large-upload test measures both); in this process by default.
   */
  separateProcess?: boolean;
}

/** A running s3rver, however it was started. */
interface RunningS3rver {
  port: number;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 and a free port, storing in `directory`, with `bucket` created. */
export async function runS3rver(directory: string, bucket: string): Promise<RunningS3rver> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    // `silent` also keeps Koa from printing the errors it answers with (a missing key, a bad range).
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  serveFirstByteRanges(server);
  const { port } = await server.run();
  return { port, stop: () => server.close() };
}

/** What s3rver's file store hands its GET controller (its internals, as 3.7.1 has them). */
interface S3rverObject {
  size: number;
  content: Readable | null;
  range?: { start: number; end: number };
}
interface S3rverStore {
  getObject(
    bucket: string,
    key: string,
    options?: { start?: number; end?: number },
  ): Promise<S3rverObject | null>;
}

/**
 * s3rver 3.7.1 answers `Range: bytes=0-0` with the whole object (it reads the end as
 * `options.end || Infinity`); every real store sends the first byte. Patched here, so the storage
 * suite tests annex's ranges rather than s3rver's.
 */
function serveFirstByteRanges(server: S3rver): void {
  const { store } = server as unknown as { store: S3rverStore };
  const getObject = store.getObject.bind(store);
  store.getObject = async (bucket, key, options) => {
    const object = await getObject(bucket, key, options);
    if (options?.end !== 0 || (options.start ?? 0) !== 0) return object;
    if (object?.content instanceof fs.ReadStream && object.range !== undefined && object.size > 0) {
      const whole = object.content;
      whole.destroy();
      object.content = fs.createReadStream(whole.path, { start: 0, end: 0 });
      object.range = { start: 0, end: 0 };
    }
    return object;
  };
}

const childScript = fileURLToPath(new URL('./test-s3-server-process.ts', import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The one message the child sends: its port once listening, or why it could not start. */
export type S3rverProcessMessage = { port: number } | { error: string };

/** Starts `test-s3-server-process.ts` and waits for its port. */
async function runS3rverProcess(directory: string, bucket: string): Promise<RunningS3rver> {
  const child: ChildProcess = fork(childScript, [directory, bucket], {
    execArgv: ['--import', tsxLoader],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const [message] = (await Promise.race([
    once(child, 'message'),
    exited.then(([code]) => {
      throw new Error(
        `The test S3 server process exited with code ${String(code)} before listening`,
      );
    }),
  ])) as [S3rverProcessMessage];
  if ('error' in message) {
    child.kill();
    throw new Error(`The test S3 server did not start: ${message.error}`);
  }
  return {
    port: message.port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // A server still holding a connection open is not worth waiting for in a test.
        const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(forced);
      }
    },
  };
}

/** Starts s3rver in a fresh temporary folder with one bucket; see `TestS3Server`. */
export async function startTestS3Server(options: TestS3ServerOptions = {}): Promise<TestS3Server> {
  const bucket = options.bucket ?? 'annex-test';
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-s3rver-'));
  let running: RunningS3rver;
  try {
    running = await (options.separateProcess === true
      ? runS3rverProcess(directory, bucket)
      : runS3rver(directory, bucket));
  } catch (error) {
    fs.rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${running.port}`;
  const settings: S3Settings = {
    bucket,
    prefix: options.prefix ?? '',
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
  };
  const client = s3ClientOf(settings, testS3Credentials);
  let closed = false;
  return {
    endpoint,
    settings,
    credentials: testS3Credentials,
    client,
    directory,
    close: async () => {
      if (closed) return;
      closed = true;
      // The client first: its idle keep-alive sockets would otherwise hold the server open.
      client.destroy();
      try {
        await running.stop();
      } finally {
        fs.rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Counts the commands `client` sends from now on, by name (`UploadPartCommand`,
 * `CompleteMultipartUploadCommand`…), so a test can tell a multipart upload from a single PUT.
 */
export function countCommands(client: S3Client): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'annexTestCommandCounter' },
  );
  return counts;
}
