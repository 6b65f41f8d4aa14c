import { expect, test } from './fixtures.ts';
import { demoProject, e2eBulkProject } from './support/e2e-settings.ts';

// Issue 13 in the panel: an export's Checks view (the demo job's task warnings), two exports of the
// same data marked as the same content, Compare, and Cancel then Retry on a long export. Screenshots
// land in test-results/ for a person to look at.

const streetJob = 'Street scenes, round 1';

test('Checks, same content, Compare, and Cancel then Retry', async ({ panel, page }) => {
  test.setTimeout(180_000);
  await panel.goto(demoProject);
  await panel.chooseSource('Job');
  await panel.searchAndPickJob('Street', streetJob);
  await panel.chooseFiles('All');
  await panel.readCheckValue();
  const first = await panel.generate();
  await panel.expectStatus(first, 'complete');

  // The Checks view: the job's task findings as warnings, then the values.
  const checksButton = panel
    .row(first)
    .getByRole('button', { name: /^Checks: [1-9]\d* warnings?$/ });
  await checksButton.click();
  const drawer = page.getByRole('dialog', { name: `Checks of export ${first}` });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByText('Complete files with open tasks').first()).toBeVisible();
  await expect(drawer.getByText('Files not complete whose tasks are').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/checks-view.png' });
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();

  // The same export again: nothing changed, so the newer one says it holds the same content.
  const second = await panel.generate();
  await panel.expectStatus(second, 'complete');
  await expect(panel.row(second)).toContainText(`same content as #${first}`);

  // Completed only: fewer files; Compare says which went.
  await panel.chooseFiles('Completed only');
  await panel.readCheckValue();
  const completedOnly = await panel.generate();
  await panel.expectStatus(completedOnly, 'complete');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const compare = page.getByRole('dialog', { name: 'Compare two exports' });
  await compare.getByRole('checkbox', { name: new RegExp(`^Export ${first} `) }).check();
  await compare.getByRole('checkbox', { name: new RegExp(`^Export ${completedOnly} `) }).check();
  await compare
    .getByRole('button', { name: `Compare export ${first} with export ${completedOnly}` })
    .click();
  await expect(
    compare.getByText(`Export ${first} → export ${completedOnly}: changed`),
  ).toBeVisible();
  await expect(compare.getByText(/^Files removed: [1-9]/)).toBeVisible();
  await compare.screenshot({ path: 'test-results/compare.png' });
  await page.keyboard.press('Escape');

  // A long export: Cancel it while it runs, then Retry it.
  await panel.goto(e2eBulkProject);
  await panel.chooseFiles('All');
  await panel.readCheckValue();
  const long = await panel.generate();
  await panel.row(long).getByRole('button', { name: 'Cancel', exact: true }).click();
  await page
    .getByRole('dialog', { name: `Cancel export ${long}?` })
    .getByRole('button', { name: 'Cancel export' })
    .click();
  await panel.expectStatus(long, 'cancelled');
  await expect(panel.row(long)).toContainText('Cancelled by');
  await panel.row(long).getByRole('button', { name: 'Retry', exact: true }).click();
  await expect(panel.row(long)).toContainText(/retried as #\d+/);
  const retried = Number(/retried as #(\d+)/.exec(await panel.row(long).innerText())?.[1]);
  await expect(panel.row(retried)).toContainText(`retry of #${long}`);
  await page.screenshot({ path: 'test-results/cancel-retry.png' });
  await panel.expectStatus(retried, 'complete');
});
