import type { Locator, Page } from '@playwright/test';
import type { E2eAccount } from '../support/e2e-accounts.ts';

/** The sign-in page, as a person sees it. */
export class SignInPage {
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;

  constructor(readonly page: Page) {
    this.email = page.getByLabel('Email', { exact: true });
    this.password = page.getByLabel('Password', { exact: true });
    this.submit = page.getByRole('button', { name: 'Sign in' });
  }

  /** Fills the form and signs in. */
  async signIn(account: E2eAccount): Promise<void> {
    await this.email.fill(account.email);
    await this.password.fill(account.password);
    await this.submit.click();
  }
}
