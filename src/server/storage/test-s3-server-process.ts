import { runS3rver } from './test-s3-server.ts';
import type { S3rverProcessMessage } from './test-s3-server.ts';

// s3rver in a process of its own (`startTestS3Server({ separateProcess: true })`):
// `node --import tsx test-s3-server-process.ts <folder> <bucket>`. It reports its port over IPC and
// stops on SIGTERM or when its parent goes away.

function send(message: S3rverProcessMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [directory, bucket] = process.argv.slice(2);
  if (directory === undefined || bucket === undefined)
    throw new Error('test-s3-server-process needs a folder and a bucket name');
  const server = await runS3rver(directory, bucket);
  const stop = () => {
    void server.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  // A parent that dies without stopping it (a killed test run) must not leave a server behind.
  process.once('disconnect', stop);
  send({ port: server.port });
}

main().catch((error: unknown) => {
  send({ error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
  if (process.connected) process.disconnect();
});
