import { expect, test } from '@playwright/test';
import { adminStorageState, e2eAdmin } from './support/e2e-accounts.ts';
import { SignInPage } from './pages/sign-in.page.ts';

// Every spec runs signed in as the instance admin, and signing in goes through the form a person
// uses: the panel's cookie is then saved for the specs to start from.
test('the admin signs in through the form', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in/);
  await new SignInPage(page).signIn(e2eAdmin);
  await expect(page).toHaveURL(/\/projects\/[^/]+\/export$/);
  await page.context().storageState({ path: adminStorageState });
});
