import { expect, test } from './fixtures.ts';
import { demoProject } from './support/e2e-settings.ts';

test('Completed only and All give different counts, before Generate and in the files', async ({
  panel,
  api,
}) => {
  await panel.goto(demoProject);
  const completedOnly = await panel.readCheckValue();
  const completedId = await panel.generate();

  await panel.chooseFiles('All');
  await expect(panel.checkValue).not.toContainText(`Will export ${completedOnly.files} files`);
  const all = await panel.readCheckValue();
  expect(all.files).toBeGreaterThan(completedOnly.files);
  const allId = await panel.generate();

  // Include removed instances adds the soft-deleted ones, never files.
  await panel.includeRemovedCheckbox.check();
  await expect(panel.checkValue).not.toContainText(`${all.instances} instances`);
  const withRemoved = await panel.readCheckValue();
  expect(withRemoved.files).toBe(all.files);
  expect(withRemoved.instances).toBeGreaterThan(all.instances);

  await panel.expectStatus(completedId, 'complete');
  await panel.expectStatus(allId, 'complete');
  await expect(panel.cell(completedId, 'Files')).toHaveText(String(completedOnly.files));
  await expect(panel.cell(completedId, 'Completed only')).toHaveText('Yes');
  await expect(panel.cell(allId, 'Files')).toHaveText(String(all.files));
  await expect(panel.cell(allId, 'Completed only')).toHaveText('No, all files');
  expect((await api.getExport(demoProject, allId)).file_list_length).toBe(all.files);
});

test('a Job export: the searchable picker shows task counts, and Files matches the check value', async ({
  panel,
  api,
}) => {
  await panel.goto(demoProject);
  await panel.chooseSource('Job');
  await expect(panel.generateButton).toBeDisabled();
  await expect(panel.checkValue).toContainText('Pick a job to see what it would export.');

  const option = await panel.searchAndPickJob('street', 'Street scenes, round 1');
  expect(option).toMatch(/10 tasks · 4 complete · 2 in progress · 2 available/);
  await expect(panel.generateButton).toBeEnabled();
  const shown = await panel.readCheckValue();
  const job = (await api.listJobs(demoProject)).find(
    (item) => item.name === 'Street scenes, round 1',
  );
  const preflight = await api.preflight(demoProject, { source: 'job', job_id: job?.id ?? 0 });
  expect(shown.files).toBe(preflight.file_count);

  const id = await panel.generate();
  await panel.expectStatus(id, 'complete');
  await expect(panel.cell(id, 'Source')).toHaveText('Job · Street scenes, round 1');
  await expect(panel.cell(id, 'Files')).toHaveText(String(shown.files));
});

test('opening the page with ?job_id= preselects that job', async ({ panel, api }) => {
  const job = (await api.listJobs(demoProject)).find((item) => item.name === 'Video tracking');
  if (job === undefined) throw new Error('the demo has a "Video tracking" job');
  await panel.goto(demoProject, `?job_id=${job.id}`);
  await expect(panel.sourceControl.getByRole('radio', { name: 'Job' })).toBeChecked();
  await expect(panel.jobPicker).toHaveValue('Video tracking');
  const preflight = await api.preflight(demoProject, { source: 'job', job_id: job.id });
  expect((await panel.readCheckValue()).files).toBe(preflight.file_count);
});

test('an export with nothing to select says why before Generate, and fails saying why', async ({
  panel,
  api,
}) => {
  // A complete task on street-03.jpg, a file not marked complete (its own flag).
  const task = await api.taskOnIncompleteFile(demoProject, {
    jobName: 'Street scenes, round 1',
    filename: 'street-03.jpg',
  });
  await panel.goto(demoProject, `?task_id=${task.id}`);
  await expect(panel.sourceControl.getByRole('radio', { name: 'Task' })).toBeChecked();
  await expect(panel.taskField).toHaveValue('Street scenes, round 1 / street-03.jpg');
  const reason = 'No file matches: 1 file, not marked complete. Choose All to export it.';
  await expect(panel.checkValue).toContainText('Will export 0 files · 0 instances');
  await expect(panel.checkValue).toContainText(reason);

  const id = await panel.generate();
  await panel.expectStatus(id, 'failed');
  await expect(panel.cell(id, 'Status')).toContainText(reason);
  await expect(panel.cell(id, 'Status').getByText(reason)).toBeVisible();
  await expect(panel.cell(id, 'Source')).toHaveText(
    'Task · Street scenes, round 1 / street-03.jpg',
  );
  await expect(panel.row(id).getByRole('button', { name: 'Download' })).toBeDisabled();
  await expect(panel.row(id).getByRole('button', { name: 'Preview' })).toBeDisabled();

  // Following the advice works.
  await panel.chooseFiles('All');
  await expect(panel.checkValue).toContainText('Will export 1 file ·');
  const retried = await panel.generate();
  await panel.expectStatus(retried, 'complete');
  await expect(panel.cell(retried, 'Files')).toHaveText('1');
});

test('the current directory is picked in the header and remembered across reloads', async ({
  panel,
  page,
  api,
}) => {
  await panel.goto(demoProject);
  await panel.pick(panel.currentDirectoryPicker, 'Night drives');
  await expect(panel.directoryPicker).toHaveValue('Night drives');
  const nightDrives = await api.directoryId(demoProject, 'Night drives');
  const preflight = await api.preflight(demoProject, {
    source: 'directory',
    directory_id: nightDrives,
  });
  expect((await panel.readCheckValue()).files).toBe(preflight.file_count);

  await page.reload();
  await expect(panel.currentDirectoryPicker).toHaveValue('Night drives');
  await expect(panel.directoryPicker).toHaveValue('Night drives');

  await panel.pick(panel.currentDirectoryPicker, 'Luckfrill');
  await page.reload();
  await expect(panel.directoryPicker).toHaveValue('Luckfrill');
});

test('archiving asks first, then removes the export', async ({ panel, api, page }) => {
  const luckfrill = await api.directoryId(demoProject, 'Luckfrill');
  const created = await api.createExport(demoProject, {
    source: 'directory',
    directory_id: luckfrill,
  });
  await api.waitUntilFinal(demoProject, created.id);
  await panel.goto(demoProject);

  await panel.row(created.id).getByRole('button', { name: 'Archive' }).click();
  const dialog = page.getByRole('dialog', { name: `Archive export ${created.id}?` });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(panel.row(created.id)).toHaveCount(1);

  await panel.row(created.id).getByRole('button', { name: 'Archive' }).click();
  await dialog.getByRole('button', { name: 'Archive' }).click();
  await expect(dialog).toBeHidden();
  await expect(panel.row(created.id)).toHaveCount(0);
  expect((await api.listExports(demoProject)).exports.some((item) => item.id === created.id)).toBe(
    false,
  );
});
