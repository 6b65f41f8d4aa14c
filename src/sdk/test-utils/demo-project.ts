import { afterAll, beforeAll } from 'vitest';
import { Project } from '../project-client.ts';
import type { Job } from '../source-handles.ts';
import { startAnnexServer } from './annex-server.ts';
import type { AnnexTestServer } from './annex-server.ts';

/** The demo job the SDK tests export from: a job with complete tasks, as in the seed SDK section. */
export const streetJobName = 'Street scenes, round 1';

/** A fresh annex server with the seeded demo, a `Project` client on it, and the street job. */
export interface DemoProject {
  /** The running server; stop it in `afterAll`. */
  server: AnnexTestServer;
  /** The client for project `demo` on that server. */
  project: Project;
  /** The demo's "Street scenes, round 1" job, found through the SDK. */
  streetJob: Job;
}

/**
 * Starts a server and finds the street job through the SDK, for a test file's `beforeAll` (the
 * project-client tests share it). When the job is missing the server is stopped here, since the
 * caller never gets hold of it to stop.
 */
export async function startDemoProject(): Promise<DemoProject> {
  const server = await startAnnexServer();
  try {
    const project = new Project({ projectStringId: 'demo', host: server.host });
    const jobs = await project.job.list();
    const streetJob = jobs.find((candidate) => candidate.name === streetJobName);
    if (streetJob === undefined)
      throw new Error(
        `the demo has no job "${streetJobName}": ${jobs.map((j) => j.name).join(', ')}`,
      );
    return { server, project, streetJob };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * Registers `beforeAll` / `afterAll` hooks that start a demo server for the calling test file and stop
 * it, and returns a handle whose fields are set once `beforeAll` ran: the one start-up every
 * project-client test file shares.
 */
export function useDemoProject(): DemoProject {
  let demo: DemoProject | undefined;
  const started = (): DemoProject => {
    if (demo === undefined) throw new Error('the demo server did not start (see beforeAll)');
    return demo;
  };
  beforeAll(async () => {
    demo = await startDemoProject();
  }, 180_000);
  afterAll(async () => {
    await demo?.server.stop();
  });
  return {
    get server() {
      return started().server;
    },
    get project() {
      return started().project;
    },
    get streetJob() {
      return started().streetJob;
    },
  };
}
