import { mkdirSync } from 'node:fs';
import { expect, test } from './fixtures.ts';
import { demoProject } from './support/e2e-settings.ts';

test.describe('when the browser blocks the download pop-up', () => {
  test.beforeEach(async ({ page }) => {
    // What a pop-up blocker does to the page: window.open answers null and opens nothing.
    await page.addInitScript(() => {
      window.open = () => null;
    });
  });

  test('the panel says so and offers the link, which opens the file', async ({
    panel,
    api,
    page,
  }) => {
    const luckfrill = await api.directoryId(demoProject, 'Luckfrill');
    const created = await api.createExport(demoProject, {
      source: 'directory',
      directory_id: luckfrill,
    });
    const done = await api.waitUntilFinal(demoProject, created.id);
    if (done.file_name === null) throw new Error('a complete export has a file name');

    await panel.goto(demoProject);
    await panel.row(created.id).getByRole('button', { name: 'Download' }).click();
    const alert = page
      .getByRole('alert')
      .filter({ hasText: 'The browser blocked the download pop-up' });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('Allow pop-ups for this site');
    mkdirSync('e2e/artifacts', { recursive: true });
    await page.screenshot({ path: 'e2e/artifacts/popup-blocked.png' });

    const link = alert.getByRole('link', { name: done.file_name });
    await expect(link).toHaveAttribute('target', '_blank');
    const opened = page.waitForEvent('popup');
    await link.click();
    const tab = await opened;
    await tab.waitForLoadState();
    const text = await tab.locator('body').innerText();
    const file = JSON.parse(text.slice(text.indexOf('{'))) as { export_info: { id: number } };
    expect(file.export_info.id).toBe(created.id);

    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await expect(alert).toBeHidden();
  });
});
