import type { Locator, Page, Response } from '@playwright/test';
import { expect } from '@playwright/test';
import { exportSchema } from '../../src/contract/exports.ts';
import type { ExportStatus } from '../../src/contract/exports.ts';

/** The counts of the check value line, "Will export 37 files · 412 instances". */
export interface CheckValue {
  files: number;
  instances: number;
}

/** The column headers of the Exports table. */
export type ExportColumn =
  'Date' | 'Status' | 'Source' | 'Files' | 'Instances' | 'Size' | 'Completed only' | 'Actions';

/** The empty list's words. */
export const emptyListText =
  'No exports yet. Click Generate to build your first export, or call the SDK.';

function startsWith(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
}

// An XPath string literal for text that may hold either quote.
function xpathString(text: string): string {
  if (!text.includes("'")) return `'${text}'`;
  if (!text.includes('"')) return `"${text}"`;
  return `concat('${text.replaceAll("'", `',"'",'`)}')`;
}

function parseCount(text: string): number {
  return Number(text.replaceAll(',', ''));
}

/** The export panel as a user sees it: found by role and accessible name, acted on like a person would. */
export class ExportPanelPage {
  readonly header: Locator;
  readonly currentDirectoryPicker: Locator;
  readonly sourceControl: Locator;
  readonly directoryPicker: Locator;
  readonly jobPicker: Locator;
  readonly taskField: Locator;
  readonly filesControl: Locator;
  readonly includeRemovedCheckbox: Locator;
  readonly checkValue: Locator;
  readonly generateButton: Locator;
  readonly exportsTable: Locator;
  readonly refreshButton: Locator;
  readonly lastUpdated: Locator;
  /** The badge saying whether the list updates live ("Live") or by polling ("Not live"). */
  readonly liveStatus: Locator;

  /** @param page The browser tab. */
  constructor(readonly page: Page) {
    this.header = page.getByRole('banner');
    this.currentDirectoryPicker = page.getByRole('combobox', { name: 'Current directory' });
    this.sourceControl = page.getByRole('radiogroup', { name: 'Source' });
    this.directoryPicker = page.getByRole('combobox', { name: 'Directory', exact: true });
    this.jobPicker = page.getByRole('combobox', { name: 'Job', exact: true });
    this.taskField = page.getByRole('textbox', { name: 'Task', exact: true });
    this.filesControl = page.getByRole('radiogroup', { name: 'Files' });
    this.includeRemovedCheckbox = page.getByRole('checkbox', { name: 'Include removed instances' });
    this.checkValue = page.getByRole('status', { name: 'Check value' });
    this.generateButton = page.getByRole('button', { name: 'Generate', exact: true });
    this.exportsTable = page.getByRole('table', { name: 'Exports' });
    this.refreshButton = page.getByRole('button', { name: 'Refresh' });
    this.lastUpdated = page.getByText(/^Last updated/);
    this.liveStatus = page.getByRole('status', { name: 'Live updates' });
  }

  /** Opens a project's export page (with `search`, e.g. `?job_id=2`) and waits for the form. */
  async goto(project: string, search = ''): Promise<void> {
    await this.page.goto(`/projects/${project}/export${search}`);
    await expect(this.generateButton).toBeVisible();
  }

  /** Picks Directory or Job in the Source control. */
  async chooseSource(source: 'Directory' | 'Job'): Promise<void> {
    await this.sourceControl.getByText(source, { exact: true }).click();
    await expect(this.sourceControl.getByRole('radio', { name: source })).toBeChecked();
  }

  /** Picks Completed only or All. */
  async chooseFiles(files: 'Completed only' | 'All'): Promise<void> {
    await this.filesControl.getByText(files, { exact: true }).click();
    await expect(this.filesControl.getByRole('radio', { name: files })).toBeChecked();
  }

  /** Opens a picker and clicks the option whose name starts with `name`. */
  async pick(picker: Locator, name: string): Promise<void> {
    await picker.click();
    await this.page.getByRole('option', { name: startsWith(name) }).click();
    await expect(picker).toHaveValue(name);
  }

  /** Types into the searchable Job picker, picks the job named `name`, and returns what its option said. */
  async searchAndPickJob(search: string, name: string): Promise<string> {
    await this.jobPicker.fill(search);
    const option = this.page.getByRole('option', { name: startsWith(name) });
    await expect(option).toBeVisible();
    const text = await option.innerText();
    await option.click();
    await expect(this.jobPicker).toHaveValue(name);
    return text;
  }

  /** Waits for a settled check value ("Will export …") and reads its counts. */
  async readCheckValue(): Promise<CheckValue> {
    await expect(this.checkValue).toHaveAttribute('aria-busy', 'false');
    await expect(this.checkValue).toContainText(/Will export [\d,]+ files? · [\d,]+ instances?/);
    const text = await this.checkValue.innerText();
    const match = /Will export ([\d,]+) files? · ([\d,]+) instances?/.exec(text);
    if (match?.[1] === undefined || match[2] === undefined)
      throw new Error(`no check value in "${text}"`);
    return { files: parseCount(match[1]), instances: parseCount(match[2]) };
  }

  /** Clicks Generate and returns the id of the export the server queued. */
  async generate(): Promise<number> {
    const created = this.page.waitForResponse(
      (response: Response) =>
        response.request().method() === 'POST' &&
        /\/exports$/.test(new URL(response.url()).pathname),
    );
    await this.generateButton.click();
    const response = await created;
    expect(response.status()).toBe(202);
    return exportSchema.parse(await response.json()).id;
  }

  /** The table row of export `id` (the Date cell shows `#id`). */
  row(id: number): Locator {
    return this.exportsTable
      .getByRole('row')
      .filter({ has: this.page.getByText(`#${id}`, { exact: true }) });
  }

  /** The row's cell under the column headed `column`. */
  cell(id: number, column: ExportColumn): Locator {
    return this.cellIn(this.row(id), column);
  }

  /**
   * The cell of a table row under the column headed `column`: the header is found by its text when
   * the locator runs and the cell by the header's position, so a column moved or added in the panel
   * moves the cell with it. No cell (rather than a wrong one) when no header has that name.
   */
  cellIn(row: Locator, column: ExportColumn): Locator {
    const header = `ancestor::table[1]/thead/tr/th[normalize-space(.)=${xpathString(column)}]`;
    return row.locator(`xpath=./td[${header}][count(${header}/preceding-sibling::th) + 1]`);
  }

  /** Waits until export `id` shows `status` in its row. */
  async expectStatus(id: number, status: ExportStatus, timeout = 60_000): Promise<void> {
    await expect(this.cell(id, 'Status')).toContainText(status, { timeout });
  }

  /** Clicks Refresh and waits for the list to be read again. */
  async refresh(): Promise<void> {
    const reread = this.page.waitForResponse(
      (response: Response) =>
        response.request().method() === 'GET' &&
        /\/exports$/.test(new URL(response.url()).pathname),
    );
    await this.refreshButton.click();
    await reread;
  }

  /** Opens the preview of export `id` and returns its dialog. */
  async openPreview(id: number): Promise<Locator> {
    await this.row(id).getByRole('button', { name: 'Preview' }).click();
    const dialog = this.page.getByRole('dialog', { name: `Preview of export ${id}` });
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** The pretty-printed file in the preview of export `id`. */
  previewEditor(id: number): Locator {
    return this.page.getByRole('textbox', { name: `Export ${id} file, pretty-printed JSON` });
  }
}
