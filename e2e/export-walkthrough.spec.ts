import { mkdirSync } from 'node:fs';
import type { Response } from '@playwright/test';
import { exportListResponseSchema } from '../src/contract/exports.ts';
import { expect, test } from './fixtures.ts';
import { emptyListText } from './pages/export-panel.page.ts';
import { demoProject, e2eBulkProject } from './support/e2e-settings.ts';

// The seed's walkthrough, step by step, on a fresh database (this spec runs before the others).

const artifacts = 'e2e/artifacts';

test('the walkthrough: Generate the default directory, see it finish, download it in a pop-up and preview it', async ({
  panel,
  api,
  page,
  context,
}) => {
  mkdirSync(artifacts, { recursive: true });

  // "When we first arrive we see some options and an empty list. Here it has defaulted to the directory Luckfrill."
  await panel.goto(demoProject);
  await expect(panel.header).toContainText('Demo: street scenes');
  await expect(panel.currentDirectoryPicker).toHaveValue('Luckfrill');
  await expect(panel.sourceControl.getByRole('radio', { name: 'Directory' })).toBeChecked();
  await expect(panel.directoryPicker).toHaveValue('Luckfrill');
  await expect(panel.filesControl.getByRole('radio', { name: 'Completed only' })).toBeChecked();
  await expect(panel.includeRemovedCheckbox).not.toBeChecked();
  await expect(panel.exportsTable).toContainText(emptyListText);

  // The check value before Generate, as the preflight API counts it.
  const shown = await panel.readCheckValue();
  const luckfrill = await api.directoryId(demoProject, 'Luckfrill');
  const preflight = await api.preflight(demoProject, {
    source: 'directory',
    directory_id: luckfrill,
  });
  expect(shown).toEqual({ files: preflight.file_count, instances: preflight.instance_count });
  expect(shown.files).toBeGreaterThan(0);

  // Keep the one worker busy with a long export, so this one is seen waiting before it completes.
  const bulkLuckfrill = await api.directoryId(e2eBulkProject, 'Luckfrill');
  const blockers = [
    await api.createExport(e2eBulkProject, {
      source: 'directory',
      directory_id: bulkLuckfrill,
      ann_is_complete: false,
    }),
    await api.createExport(e2eBulkProject, {
      source: 'directory',
      directory_id: bulkLuckfrill,
      ann_is_complete: false,
    }),
  ];

  // Every list the page reads from now on, to prove it found out about completion by itself.
  const listedStatuses: string[] = [];
  let exportId = 0;
  page.on('response', (response: Response) => {
    const url = new URL(response.url());
    if (
      response.request().method() !== 'GET' ||
      url.pathname !== `/api/v1/projects/${demoProject}/exports`
    )
      return;
    void response.json().then((body: unknown) => {
      const listed = exportListResponseSchema
        .parse(body)
        .exports.find((item) => item.id === exportId);
      if (listed !== undefined) listedStatuses.push(listed.status);
    });
  });

  // "When we click generate we see" the new export at the top of the list.
  exportId = await panel.generate();
  await expect(panel.exportsTable.getByRole('row').nth(1)).toContainText(`#${exportId}`);
  await expect(panel.cell(exportId, 'Status')).toContainText(/queued|running/);
  // While waiting it shows a progress bar with its percent (an empty bar at 0%, so check it is there).
  await expect(panel.cell(exportId, 'Status').getByRole('progressbar')).toHaveAttribute(
    'aria-valuenow',
    /^\d+$/,
  );
  await expect(panel.cell(exportId, 'Status')).toContainText(/\d+%/);
  // Live: the list hears each change over the event stream, so it does not poll.
  await expect(panel.liveStatus).toHaveText('Live');
  await expect(panel.lastUpdated).not.toContainText('updating every');

  // It completes while the user just watches: each status arrives over the live stream.
  await panel.expectStatus(exportId, 'complete', 90_000);
  expect(listedStatuses.some((status) => status === 'queued' || status === 'running')).toBe(true);
  expect(listedStatuses.at(-1)).toBe('complete');
  await expect(panel.lastUpdated).not.toContainText('updating every');
  for (const blocker of blockers) {
    expect((await api.getExport(e2eBulkProject, blocker.id)).status).toBe('complete');
  }

  // The check value: Files equals what was shown before Generate, and is not flagged.
  await expect(panel.cell(exportId, 'Files')).toHaveText(String(shown.files));
  await expect(panel.cell(exportId, 'Instances')).toHaveText(String(shown.instances));
  await expect(panel.cell(exportId, 'Source')).toHaveText('Directory · Luckfrill');
  await expect(panel.cell(exportId, 'Completed only')).toHaveText('Yes');
  await expect(panel.cell(exportId, 'Date')).toContainText('just now');
  const finished = await api.getExport(demoProject, exportId);
  expect(finished.file_list_length).toBe(shown.files);
  expect(finished.expected_file_count).toBe(shown.files);
  if (finished.file_name === null) throw new Error('a complete export has a file name');

  // "When we click download we see this file come up": a pop-up showing the JSON, named by Content-Disposition.
  const fileResponse = context.waitForEvent('response', (response) =>
    new URL(response.url()).pathname.startsWith(`/files/exports/${exportId}`),
  );
  const popupOpened = page.waitForEvent('popup');
  await panel.row(exportId).getByRole('button', { name: 'Download' }).click();
  const popup = await popupOpened;
  const response = await fileResponse;
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('application/json');
  expect(response.headers()['content-disposition']).toContain('inline');
  expect(response.headers()['content-disposition']).toContain(finished.file_name);
  await popup.waitForLoadState();
  const popupText = await popup.locator('body').innerText();
  const file = JSON.parse(popupText.slice(popupText.indexOf('{'))) as {
    export_info: { id: number; file_list_length: number };
  };
  expect(file.export_info.id).toBe(exportId);
  expect(file.export_info.file_list_length).toBe(shown.files);
  await popup.close();

  // "We can un-minify to expand the JSON": the preview shows it pretty-printed.
  const dialog = await panel.openPreview(exportId);
  const editor = panel.previewEditor(exportId);
  await expect(editor).toBeVisible();
  await expect(editor).toHaveAttribute('aria-readonly', 'true');
  const lines = (await editor.innerText()).split('\n');
  expect(lines[0]).toBe('{');
  expect(lines[1]).toMatch(/^ {2}"[a-z_]+": [{[]$/);
  expect(lines.some((line) => line.startsWith('    '))).toBe(true);
  await expect(dialog).toContainText(`${shown.files} file packets`);
  await page.screenshot({ path: `${artifacts}/preview.png` });

  // Folded to the top level: the metadata, then one line per file packet. Then search.
  await dialog.getByRole('button', { name: 'Fold to top level' }).click();
  await expect(editor).toContainText('"readme": {…}');
  await expect(editor).toContainText(/"\d+": \{…\}/);
  await dialog.getByRole('button', { name: 'Search' }).click();
  const find = dialog.getByRole('textbox', { name: 'Find' });
  await expect(find).toBeFocused();
  await find.pressSequentially('"export_info"');
  await find.press('Enter');
  await expect(editor).toContainText('"export_info": {');
  await page.screenshot({ path: `${artifacts}/preview-folded-search.png` });
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.screenshot({ path: `${artifacts}/walkthrough-panel.png`, fullPage: true });
});

test('an export made elsewhere (as with the SDK) shows by itself, and Refresh still reads the list again', async ({
  panel,
  api,
}) => {
  await panel.goto(demoProject);
  await expect(panel.exportsTable.getByRole('row').nth(1)).toBeVisible();
  await expect(panel.lastUpdated).not.toContainText('updating every');

  const luckfrill = await api.directoryId(demoProject, 'Luckfrill');
  const created = await api.createExport(demoProject, {
    source: 'directory',
    directory_id: luckfrill,
    ann_is_complete: false,
  });
  const done = await api.waitUntilFinal(demoProject, created.id);
  expect(done.status).toBe('complete');

  // Nothing runs on the page's list, so it does not poll; the live stream brings the new export in
  // (live-status.spec.ts follows one from queued to complete). Refresh still means "read it now".
  await panel.expectStatus(created.id, 'complete', 15_000);
  const updatedAt = panel.lastUpdated.locator('time');
  const before = await updatedAt.getAttribute('datetime');
  await panel.refresh();
  await panel.expectStatus(created.id, 'complete', 5_000);
  await expect(panel.cell(created.id, 'Completed only')).toHaveText('No, all files');
  await expect(updatedAt).not.toHaveAttribute('datetime', before ?? '');
});
