import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './fixtures.ts';
import { SignInPage } from './pages/sign-in.page.ts';
import { e2eAdmin, e2eViewer } from './support/e2e-accounts.ts';
import { demoProject, e2eBaseUrl } from './support/e2e-settings.ts';

// Who may do what, as a person meets it in the browser: signing in, where a signed-out visit lands,
// what a viewer is shown, and that a page of another site cannot act with a signed-in admin's cookie.

test.describe('signed out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  // Before signing in the panel's first API call is a 401, which the browser logs.
  test.use({ allowedConsoleErrors: [/status of 401/] });

  test('a visit to a project page lands on sign-in and returns there after', async ({
    page,
    panel,
  }) => {
    await page.goto(`/projects/${demoProject}/export?task_id=1`);
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    await new SignInPage(page).signIn(e2eAdmin);
    await expect(page).toHaveURL(`/projects/${demoProject}/export?task_id=1`);
    await expect(panel.generateButton).toBeVisible();
  });

  test('a wrong password is refused without saying which of the two was wrong', async ({
    page,
  }) => {
    await page.goto('/sign-in');
    await new SignInPage(page).signIn({ email: e2eAdmin.email, password: 'not-the-password' });
    const alert = page.getByRole('alert');
    await expect(alert).toContainText(/email or password/i);
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test('a viewer sees the exports but no Generate and no Archive', async ({ page, panel, api }) => {
    // An export to see: made by the admin through the API.
    const luckfrill = await api.directoryId(demoProject, 'Luckfrill');
    const made = await api.createExport(demoProject, {
      source: 'directory',
      directory_id: luckfrill,
    });
    await api.waitUntilFinal(demoProject, made.id);

    await page.goto(`/projects/${demoProject}/export`);
    await new SignInPage(page).signIn(e2eViewer);
    await expect(page).toHaveURL(`/projects/${demoProject}/export`);
    await expect(panel.row(made.id)).toBeVisible();
    await expect(panel.generateButton).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^Archive/ })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^Download/ }).first()).toBeVisible();
  });
});

test.describe('a page on another site', () => {
  let attacker: http.Server;
  let attackerOrigin: string;

  // Served from another origin of the same machine (127.0.0.1 on another port): the same site for
  // the browser, so a SameSite=Lax cookie is sent; only annex's own checks stand in the way.
  test.beforeAll(async () => {
    const target = `${e2eBaseUrl}/api/v1/projects/${demoProject}/exports`;
    const body = JSON.stringify({ source: 'directory', directory_id: 1, ann_is_complete: false });
    attacker = http.createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><title>elsewhere</title>
<form id="form" method="POST" action="${target}" enctype="text/plain">
  <input name='${body.slice(0, -1)},"x":"' value='"}'>
</form>
<script>
  window.attempts = Promise.allSettled([
    fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include', mode: 'no-cors',
      headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(body)} }),
    fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include',
      headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(body)} }),
  ]).then(() => document.getElementById('form').submit());
</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });
  test.afterAll(async () => {
    await new Promise((resolve) => attacker.close(resolve));
  });
  // The refused cross-site calls are logged by the browser (CORS, and the form's error page).
  test.use({ allowedConsoleErrors: [/.*/] });

  test('cannot create an export with a signed-in admin’s cookie', async ({ page, api }) => {
    // Signed in (the stored admin state), as a person who has the panel open in another tab.
    await page.goto(`/projects/${demoProject}/export`);
    const before = (await api.listExports(demoProject)).total;

    const refused = page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' &&
        response.url().startsWith(e2eBaseUrl) &&
        response.request().resourceType() === 'document',
    );
    await page.goto(`${attackerOrigin}/`);
    const answer = await refused;
    // The form post reached annex with the admin's cookie and was refused as cross-site, before
    // its text/plain body (which would be a 415) was even read.
    expect(
      answer.request().headers().cookie ?? (await answer.request().allHeaders()).cookie,
    ).toMatch(/annex_session=/);
    expect(answer.status()).toBe(403);
    expect(await answer.text()).toMatch(/cross-site request was refused/i);
    await expect.poll(async () => (await api.listExports(demoProject)).total).toBe(before);
  });
});
