import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

// annex as an operator runs it, in a child process (`src/server/main.ts` under tsx), for the tests
// that need real processes: the SDK's and CLI's server, worker-only processes, several API and
// worker processes on one database.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const serverMain = path.join(repoRoot, 'src/server/main.ts');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const startTimeoutMs = 120_000;

/** A port nothing listens on right now, from the OS. */
export async function findFreePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('The OS gave no port.');
  return address.port;
}

/** A running annex process. */
export interface AnnexProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output: () => string;
  stop: () => Promise<void>;
}

// The server runs in a scratch folder so that no .env of the checkout leaks into it.
export async function scratchCwd(dataDir: string): Promise<string> {
  const cwd = path.join(dataDir, 'cwd');
  await mkdir(cwd, { recursive: true });
  return cwd;
}

/** Starts `main.ts` with `args` in `cwd`, with the test process's environment plus `env`. */
export function spawnAnnex(args: string[], cwd: string, env: Record<string, string>): AnnexProcess {
  const child = spawn(process.execPath, ['--import', tsxLoader, serverMain, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit');
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once `ready()` does; throws (with the process's output) when it exits first or after 2 minutes. */
export async function waitUntil(
  annex: AnnexProcess,
  what: string,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (annex.child.exitCode !== null) {
      throw new Error(
        `annex exited with code ${annex.child.exitCode} before ${what}:\n${annex.output()}`,
      );
    }
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await annex.stop();
  throw new Error(`annex was not ${what} after ${startTimeoutMs / 1000} s:\n${annex.output()}`);
}
