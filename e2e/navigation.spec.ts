import { expect, test } from './fixtures.ts';
import { demoProject } from './support/e2e-settings.ts';

test('/ opens the first project’s export page', async ({ page, api, panel }) => {
  const first = (await api.projects()).projects[0];
  if (first === undefined) throw new Error('the e2e server has projects');
  await page.goto('/');
  await expect(page).toHaveURL(`/projects/${first.project_string_id}/export`);
  await expect(panel.header).toContainText(first.name);
  await expect(page).toHaveTitle(`Export · ${first.name} · annex`);
});

test.describe('an unknown project', () => {
  // The browser logs the API's 404 for the project; that is the point of this test.
  test.use({ allowedConsoleErrors: [/status of 404/] });

  test('shows a 404 page with the way back', async ({ page, api }) => {
    await page.goto('/projects/no-such-project/export');
    await expect(page.getByRole('heading', { name: 'Project not found' })).toBeVisible();
    await expect(page.getByText('no-such-project')).toBeVisible();
    await page.getByRole('link', { name: 'Go to the export panel' }).click();
    const first = (await api.projects()).projects[0];
    await expect(page).toHaveURL(`/projects/${first?.project_string_id ?? ''}/export`);
  });
});

test('an address the panel does not have shows a 404 page', async ({ page }) => {
  await page.goto('/nothing/here');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Go to the export panel' })).toBeVisible();
});

test('the form works from the keyboard alone', async ({ panel, page }) => {
  await panel.goto(demoProject);
  await panel.readCheckValue();

  // Tab from the Source control onwards, as a keyboard user would.
  await panel.sourceControl.getByRole('radio', { name: 'Directory' }).focus();
  await page.keyboard.press('Tab');
  await expect(panel.directoryPicker).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(panel.filesControl.getByRole('radio', { name: 'Completed only' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(panel.filesControl.getByRole('radio', { name: 'All' })).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(panel.includeRemovedCheckbox).toBeFocused();
  await page.keyboard.press('Space');
  await expect(panel.includeRemovedCheckbox).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(panel.generateButton).toBeFocused();
  const shown = await panel.readCheckValue();

  const created = page.waitForResponse((response) => response.request().method() === 'POST');
  await page.keyboard.press('Enter');
  expect((await created).status()).toBe(202);
  await expect(panel.exportsTable.getByRole('row').nth(1)).toContainText('with removed instances');
  expect(shown.files).toBeGreaterThan(0);
});

test('every control on the page has an accessible name', async ({ panel, page }) => {
  await panel.goto(demoProject);
  await expect(panel.exportsTable.getByRole('row').nth(1)).toBeVisible();
  for (const role of ['button', 'combobox', 'checkbox', 'radio', 'link', 'textbox'] as const) {
    for (const control of await page.getByRole(role).all()) {
      await expect(control).toHaveAccessibleName(/\S/);
    }
  }
});

test('the form is one row on a wide screen and stacked on a narrow one', async ({
  panel,
  page,
}) => {
  await panel.goto(demoProject);
  const controls = [
    panel.sourceControl,
    panel.directoryPicker,
    panel.filesControl,
    panel.includeRemovedCheckbox,
    panel.generateButton,
  ];
  const centres = async () =>
    Promise.all(
      controls.map(async (control) => {
        const box = await control.boundingBox();
        if (box === null) throw new Error('every form control is on screen');
        return box.y + box.height / 2;
      }),
    );

  const wide = await centres();
  for (const y of wide) expect(Math.abs(y - (wide[0] ?? 0))).toBeLessThan(12);

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(async () => {
    const narrow = await centres();
    for (let index = 1; index < narrow.length; index += 1) {
      expect(narrow[index] ?? 0).toBeGreaterThan(narrow[index - 1] ?? 0);
    }
  }).toPass();
  await page.screenshot({ path: 'e2e/artifacts/narrow.png', fullPage: true });
});
