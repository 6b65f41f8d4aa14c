import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { createdApiKeySchema } from '../src/contract/auth.ts';
import { expect, test } from './fixtures.ts';
import { e2eAdmin } from './support/e2e-accounts.ts';
import { demoProject, e2eBaseUrl } from './support/e2e-settings.ts';

// The seed's "Export Generation through SDK" section as a Diffgram user runs it against annex: a
// Python client that sends the Diffgram SDK's requests (e2e/diffgram-client/diffgram_sdk_flow.py),
// with a key the admin makes in their signed-in session, then the panel listing what it made.

const runFile = promisify(execFile);
const flowScript = path.join('e2e', 'diffgram-client', 'diffgram_sdk_flow.py');
const jobName = 'Street scenes, round 1';
// Not the default directory, so `project.directory.get(name=…)` looks it up by name.
const directoryName = 'Night drives';
const unknownDirectory = 'No such directory (Diffgram SDK flow)';

/** The one JSON line the Python client prints. */
const flowSummarySchema = z.object({
  default_directory: z.object({ id: z.number(), nickname: z.string(), file_ids: z.number() }),
  labels: z.number(),
  label_schemas: z.number(),
  job: z.object({ id: z.number(), name: z.string(), status: z.string() }),
  job_data: z.object({ export_id: z.number(), file_packets: z.number() }),
  job_url: z.string(),
  queued: z.object({
    export_id: z.number(),
    status: z.string(),
    not_ready_seen: z.array(z.string()),
    url: z.string(),
    file_packets: z.number(),
  }),
  directory: z.object({
    id: z.number(),
    nickname: z.string(),
    file_ids: z.number(),
    export_id: z.number(),
    file_packets: z.number(),
  }),
  export_list: z.object({
    length: z.number(),
    ids: z.array(z.number()),
    created_by: z.record(z.string(), z.string()),
    newest_id: z.number(),
    newest_url: z.string(),
  }),
  errors: z.object({ wrong_secret: z.array(z.string()), unknown_directory: z.array(z.string()) }),
});

/** The export id in a download link, `…/files/exports/:id?expires=…&signature=…`. */
function exportIdOfLink(link: string): number {
  const match = /^\/files\/exports\/(\d+)$/.exec(new URL(link).pathname);
  if (match?.[1] === undefined) throw new Error(`not a download link: ${link}`);
  return Number(match[1]);
}

test('the Diffgram SDK flow of the seed runs against annex, and its exports show in the panel', async ({
  page,
  panel,
  api,
  request,
}) => {
  // Blocking exports, the seed's sleeps and the panel: more than one default test's time.
  test.setTimeout(180_000);

  // A key for the script, made by the signed-in admin as under "API keys": bound to the demo, editor.
  const created = await page.request.post('/api/v1/auth/api-keys', {
    // A change made with the session cookie must come from the panel's own origin.
    headers: { origin: e2eBaseUrl },
    data: { name: 'Diffgram SDK flow (e2e)', project_string_id: demoProject, role: 'editor' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const key = createdApiKeySchema.parse(await created.json());

  // What annex's own API says the exports must hold (Diffgram's ann_is_complete=None: all files).
  const job = (await api.listJobs(demoProject)).find((item) => item.name === jobName);
  if (job === undefined) throw new Error(`the demo has no job "${jobName}"`);
  const jobFiles = (
    await api.preflight(demoProject, { source: 'job', job_id: job.id, ann_is_complete: false })
  ).file_count;
  const detail = await api.project(demoProject);
  const directory = detail.directories.find((item) => item.nickname === directoryName);
  if (directory === undefined || detail.default_directory === null)
    throw new Error(`the demo has no directory "${directoryName}" or no default directory`);
  expect(jobFiles).toBeGreaterThan(0);
  expect(directory.file_count).toBeGreaterThan(0);

  // The host with a trailing slash, as people paste it: the client then sends `//api/...`.
  const { stdout } = await runFile(
    'python3',
    [
      flowScript,
      ['--host', `${e2eBaseUrl}/`],
      ['--project', demoProject],
      ['--client-id', key.key.client_id],
      ['--client-secret', key.client_secret],
      ['--job-id', String(job.id)],
      ['--directory', directoryName],
      ['--unknown-directory', unknownDirectory],
    ].flat(),
    { timeout: 150_000 },
  );
  const flow = flowSummarySchema.parse(JSON.parse(stdout));

  // Project(...): the default directory with all its file ids, the labels, the one label schema.
  expect(flow.default_directory).toEqual({
    id: detail.default_directory.id,
    nickname: detail.default_directory.nickname,
    file_ids: detail.default_directory.file_count,
  });
  expect(flow.labels).toBeGreaterThan(0);
  expect(flow.label_schemas).toBe(1);
  expect(flow.job).toMatchObject({ id: job.id, name: jobName });

  // Data answers are Diffgram JSON with one packet per file of the source.
  expect(flow.job_data.file_packets).toBe(jobFiles);
  expect(flow.queued.file_packets).toBe(jobFiles);
  expect(flow.directory).toMatchObject({
    id: directory.id,
    nickname: directoryName,
    file_ids: directory.file_count,
    file_packets: directory.file_count,
  });

  // URL answers are absolute download links on the host the client called, and download.
  const urls = [flow.job_url, flow.queued.url, flow.export_list.newest_url];
  for (const url of urls) {
    expect(url).toMatch(new RegExp(`^${e2eBaseUrl}/files/exports/\\d+\\?`));
    const file = await request.get(url);
    expect(file.status(), url).toBe(200);
  }
  expect(exportIdOfLink(flow.queued.url)).toBe(flow.queued.export_id);
  // Not waiting answers the queued export at once; when access_data came too early it said so.
  expect(flow.queued.status).toMatch(/^(queued|running|complete)$/);
  for (const message of flow.queued.not_ready_seen) expect(message).toBe('Export not ready yet');

  // project.export.list(): newest first, holding every export the client made, by the key's user.
  const made = [
    flow.job_data.export_id,
    exportIdOfLink(flow.job_url),
    flow.queued.export_id,
    flow.directory.export_id,
  ];
  expect(new Set(made).size).toBe(made.length);
  expect(flow.export_list.ids).toEqual(expect.arrayContaining(made));
  expect(flow.export_list.ids).toEqual([...flow.export_list.ids].sort((a, b) => b - a));
  expect(flow.export_list.newest_id).toBe(flow.directory.export_id);
  for (const id of made) expect(flow.export_list.created_by[String(id)]).toBe(e2eAdmin.email);

  // What a person gets wrong, in the words the SDK shows.
  expect(flow.errors.wrong_secret[0]).toBe('Invalid Permission');
  expect(flow.errors.unknown_directory).toEqual(['Dataset not found']);

  // The panel lists them with everyone else's, complete, by the admin.
  await panel.goto(demoProject);
  for (const id of made) {
    await panel.expectStatus(id, 'complete');
    await expect(panel.row(id)).toContainText(`by ${e2eAdmin.email}`);
  }
  await expect(panel.cell(flow.job_data.export_id, 'Source')).toHaveText(`Job · ${jobName}`);
  await expect(panel.cell(flow.directory.export_id, 'Source')).toHaveText(
    `Directory · ${directoryName}`,
  );
  await expect(panel.cell(flow.directory.export_id, 'Files')).toHaveText(
    String(directory.file_count),
  );
  for (const id of made) await expect(panel.cell(id, 'Completed only')).toHaveText('No, all files');
  await page.screenshot({ path: 'test-results/diffgram-sdk-exports.png', fullPage: true });
});
