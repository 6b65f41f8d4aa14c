import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Response } from '@playwright/test';
import { exportSchema, isStale } from '../src/contract/exports.ts';
import { isFileIdKey } from '../src/contract/export-file.ts';
import type { WritableInstance } from '../src/contract/annotation-writes.ts';
import { expect, test } from './fixtures.ts';
import { demoProject } from './support/e2e-settings.ts';

// Issue 11 as a user lives it: bring a Diffgram file in through the panel, export what came in, an
// annotation tool changes an instance through the write API, the export shows "Stale", Regenerate.

const artifacts = 'e2e/artifacts';
const importedDirectory = 'Imported by e2e';

test('import a Diffgram file through the panel, edit an instance through the API, see Stale and regenerate', async ({
  panel,
  api,
  page,
}, testInfo) => {
  mkdirSync(artifacts, { recursive: true });

  // The file a Diffgram user brings: the demo's default directory, All files, removed instances included.
  const luckfrill = await api.directoryId(demoProject, 'Luckfrill');
  const sourceExport = await api.createExport(demoProject, {
    source: 'directory',
    directory_id: luckfrill,
    ann_is_complete: false,
    include_removed: true,
  });
  expect((await api.waitUntilFinal(demoProject, sourceExport.id)).status).toBe('complete');
  const sourceFile = await api.exportFile(demoProject, sourceExport.id);
  const filePath = testInfo.outputPath('luckfrill-diffgram.json');
  mkdirSync(path.dirname(filePath), { recursive: true });
  writeFileSync(filePath, JSON.stringify(sourceFile));
  const packetCount = sourceFile.export_info.file_list_length;

  // Import it through the panel into a new directory.
  await panel.goto(demoProject);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Import annotations' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Diffgram JSON file to import').setInputFiles(filePath);
  await dialog.getByRole('textbox', { name: 'Directory' }).fill(importedDirectory);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByText('Import complete')).toBeVisible({ timeout: 60_000 });
  const counts = dialog.getByRole('table', { name: 'Import counts' });
  await expect(counts).toContainText(`${packetCount}`);
  await page.screenshot({ path: `${artifacts}/import-complete.png` });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // The new directory is a source like any other: export all of it.
  await panel.pick(panel.directoryPicker, importedDirectory);
  await panel.chooseFiles('All');
  await expect(panel.checkValue).toContainText(`Will export ${packetCount} files`);
  const firstId = await panel.generate();
  await panel.expectStatus(firstId, 'complete');
  await expect(panel.row(firstId)).not.toContainText('Stale');

  // An annotation tool moves one box through the write API.
  const exported = await api.exportFile(demoProject, firstId);
  const fileIds = Object.keys(exported).filter(isFileIdKey).map(Number);
  let edited: { fileId: number; instanceList: WritableInstance[] } | undefined;
  for (const fileId of fileIds) {
    const { instance_list: instances } = await api.fileInstances(demoProject, fileId);
    const box = instances.find((instance) => instance.type === 'box');
    if (box === undefined) continue;
    const moved = instances.map((instance) =>
      instance.id === box.id ? { ...instance, x_min: Number(instance.x_min) + 1 } : instance,
    );
    edited = { fileId, instanceList: moved as WritableInstance[] };
    break;
  }
  if (edited === undefined) throw new Error('no imported file has a box to move');
  const put = await api.putInstances(demoProject, edited.fileId, {
    instance_list: edited.instanceList,
  });
  expect(put.changes).toMatchObject({ created: 0, updated: 1, removed: 0 });

  // Refresh: the export is stale, and says by how much.
  await expect
    .poll(async () => isStale((await api.getExport(demoProject, firstId)).changes_since))
    .toBe(true);
  await panel.refresh();
  await expect(panel.row(firstId)).toContainText('Stale');
  await expect(panel.row(firstId)).toContainText('1 file changed since this export');
  await page.screenshot({ path: `${artifacts}/export-stale.png` });

  // Regenerate: a new export with the same settings, which is not stale.
  const created = page.waitForResponse(
    (response: Response) =>
      response.request().method() === 'POST' && /\/exports$/.test(new URL(response.url()).pathname),
  );
  await panel.row(firstId).getByRole('button', { name: 'Regenerate' }).click();
  const response = await created;
  expect(response.status()).toBe(202);
  const regenerated = exportSchema.parse(await response.json());
  expect(regenerated).toMatchObject({
    source: 'directory',
    directory: expect.objectContaining({ name: importedDirectory }),
    ann_is_complete: false,
    include_removed: false,
  });
  await panel.expectStatus(regenerated.id, 'complete');
  await expect(panel.row(regenerated.id)).not.toContainText('Stale');
  const after = await api.getExport(demoProject, regenerated.id);
  expect(after.changes_since).toEqual({ files_changed: 0, files_added: 0, files_removed: 0 });
  expect(after.file_list_length).toBe(packetCount);
});
