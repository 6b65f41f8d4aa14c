import { afterAll, beforeAll } from 'vitest';
import type { ProjectRole } from '../../contract/roles.ts';
import { AnnexHttpClient } from '../annex-http-client.ts';
import { Project } from '../project-client.ts';
import type { Job } from '../source-handles.ts';
import { startAnnexServer } from './annex-server.ts';
import type { AnnexTestServer } from './annex-server.ts';
import { addProjectAccount } from './test-credentials.ts';
import type { ProjectAccountOptions, TestCredentials } from './test-credentials.ts';

/** The demo job the SDK tests export from: a job with complete tasks, as in the seed SDK section. */
export const streetJobName = 'Street scenes, round 1';

/** A fresh annex server with the seeded demo, a `Project` client on it, and the street job. */
export interface DemoProject {
  /** The running server; stop it in `afterAll`. */
  server: AnnexTestServer;
  /** The instance admin's API key, which `project` sends. */
  credentials: TestCredentials;
  /** The client for project `demo` on that server, signed in as the instance admin. */
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
    const project = demoProjectAs(server, server.admin);
    const jobs = await project.job.list();
    const streetJob = jobs.find((candidate) => candidate.name === streetJobName);
    if (streetJob === undefined)
      throw new Error(
        `the demo has no job "${streetJobName}": ${jobs.map((j) => j.name).join(', ')}`,
      );
    return { server, credentials: server.admin, project, streetJob };
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
    get credentials() {
      return started().credentials;
    },
    get project() {
      return started().project;
    },
    get streetJob() {
      return started().streetJob;
    },
  };
}

/** A `Project` client for `demo` (or another project) on a test server, sending these credentials. */
export function demoProjectAs(
  server: AnnexTestServer,
  credentials: TestCredentials,
  projectStringId = 'demo',
): Project {
  const { clientId, clientSecret } = credentials;
  return new Project({ projectStringId, host: server.host, clientId, clientSecret });
}

/** A bare HTTP client on a test server sending these credentials, for calls the Project does not make. */
export function clientAs(server: AnnexTestServer, credentials: TestCredentials): AnnexHttpClient {
  return new AnnexHttpClient(server.host, { ...credentials, source: 'options' });
}

/** A second account of the demo project, with a lower role for permission tests, and its client. */
export interface DemoAccount {
  /** The account's API key. */
  credentials: TestCredentials;
  /** The client for `demo`, sending that key. */
  project: Project;
}

/** Adds an account with `role` in the demo project (a viewer, by default) and returns its client. */
export async function addDemoAccount(
  server: AnnexTestServer,
  role: ProjectRole = 'viewer',
  options: ProjectAccountOptions = {},
): Promise<DemoAccount> {
  const credentials = await addProjectAccount(server.databaseUrl, role, options);
  return {
    credentials,
    project: demoProjectAs(server, credentials, options.projectStringId ?? 'demo'),
  };
}
