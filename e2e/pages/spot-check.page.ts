import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

/** The spot-check dialog of one export, as a person uses it: found by role and accessible name. */
export class SpotCheckDialog {
  readonly dialog: Locator;
  readonly jumpField: Locator;

  constructor(
    readonly page: Page,
    readonly exportId: number,
  ) {
    this.dialog = page.getByRole('dialog', { name: `Spot check of export ${exportId}` });
    this.jumpField = this.dialog.getByRole('textbox', { name: 'Jump to file id' });
  }

  /** Types a file id into "Jump to file id", presses Go, and waits for that file's header. */
  async jumpTo(fileId: number, fileName: string): Promise<void> {
    await this.jumpField.fill(String(fileId));
    await this.dialog.getByRole('button', { name: 'Go' }).click();
    await expect(this.dialog.getByText(fileName, { exact: true })).toBeVisible();
  }

  /** The drawing of the shown file (or frame): its instances over the media. */
  drawing(caption: string | RegExp): Locator {
    return this.dialog.getByRole('img', { name: caption });
  }
}
