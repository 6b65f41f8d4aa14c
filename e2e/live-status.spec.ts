import { isFinalStatus } from '../src/contract/exports.ts';
import { expect, test } from './fixtures.ts';
import { e2eBulkProject } from './support/e2e-settings.ts';

// Live status: the panel is open, a script asks for an export through the API, and the person
// watching sees it appear, run and complete without touching Refresh. The list hears each change
// over the live event stream (GET …/exports/events); nothing in the list runs, so it has no other
// reason to read itself again.

test('an export asked for through the API appears and completes in the open panel, without Refresh', async ({
  panel,
  api,
  page,
}) => {
  const everything = (await api.project(e2eBulkProject)).default_directory;
  if (everything === null) throw new Error('the bulk project has a default directory');
  // Nothing unfinished in the list: a list with a running export would poll, and prove nothing here.
  for (const listed of (await api.listExports(e2eBulkProject)).exports) {
    if (!isFinalStatus(listed.status)) await api.waitUntilFinal(e2eBulkProject, listed.id);
  }

  const streams: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.endsWith('/exports/events')) streams.push(request.url());
  });
  await panel.goto(e2eBulkProject);
  await expect(panel.liveStatus).toHaveText('Live');
  await expect(panel.lastUpdated).not.toContainText('updating every');
  expect(streams).toHaveLength(1);

  const created = await api.createExport(e2eBulkProject, {
    source: 'directory',
    directory_id: everything.id,
    ann_is_complete: false,
  });

  // It appears, runs with its progress, and completes, while nobody clicks anything.
  await expect(panel.row(created.id)).toBeVisible();
  await expect(panel.cell(created.id, 'Status')).toContainText(/queued|running/);
  await panel.expectStatus(created.id, 'complete', 90_000);
  await expect(panel.cell(created.id, 'Size')).not.toHaveText('');
  // Live throughout: one stream, never a fallback to polling.
  await expect(panel.liveStatus).toHaveText('Live');
  await expect(panel.lastUpdated).not.toContainText('updating every');
  expect(streams).toHaveLength(1);
});
