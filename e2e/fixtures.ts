import { test as base, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { ExportPanelPage } from './pages/export-panel.page.ts';
import { AnnexApi } from './support/annex-api.ts';
import { e2eAdminKey } from './support/e2e-accounts.ts';

/** What every spec gets. */
export interface AnnexFixtures {
  /** The export panel's page object. */
  panel: ExportPanelPage;
  /** The API, for what a spec arranges or checks behind the panel's back. */
  api: AnnexApi;
  /** Console errors a spec expects (a 404 page logs the failed request); anything else fails the test. */
  allowedConsoleErrors: RegExp[];
  /** Fails the test on any uncaught page error or console error, in the page and its pop-ups. */
  failOnPageErrors: undefined;
}

// An export file opened in the pop-up is served with `Content-Security-Policy: sandbox`, so it can
// never run as a page: Chromium's own JSON viewer is then blocked from injecting its script into it,
// and the opaque-origin document's favicon request is refused. Both are the sandbox working.
function isSandboxedFileNotice(url: string, text: string): boolean {
  return (
    new URL(url).pathname.startsWith('/files/exports/') &&
    /frame is sandboxed|ERR_BLOCKED_BY_RESPONSE\.NotSameOrigin/.test(text)
  );
}

/** The annex e2e `test`, with the panel, the API and error watching. */
export const test = base.extend<AnnexFixtures>({
  allowedConsoleErrors: [[], { option: true }],
  failOnPageErrors: [
    async ({ page, context, allowedConsoleErrors }, use) => {
      const problems: string[] = [];
      const watch = (watched: Page) => {
        watched.on('pageerror', (error) =>
          problems.push(`page error on ${watched.url()}: ${error.message}`),
        );
        watched.on('console', (message) => {
          if (message.type() !== 'error') return;
          const text = message.text();
          if (allowedConsoleErrors.some((pattern) => pattern.test(text))) return;
          if (isSandboxedFileNotice(watched.url(), text)) return;
          problems.push(`console error on ${watched.url()}: ${text}`);
        });
      };
      watch(page);
      context.on('page', (opened) => {
        if (opened !== page) watch(opened);
      });
      await use(undefined);
      expect(problems, 'the page must log no errors').toEqual([]);
    },
    { auto: true },
  ],
  // The API as a script uses it: its own request context with the admin's key, apart from the
  // browser's cookies, so a spec's setup never signs the page in or out.
  api: async ({ playwright, baseURL }, use) => {
    const request = await playwright.request.newContext({
      ...(baseURL === undefined ? {} : { baseURL }),
      extraHTTPHeaders: {
        authorization: `Basic ${Buffer.from(`${e2eAdminKey.clientId}:${e2eAdminKey.clientSecret}`).toString('base64')}`,
      },
    });
    await use(new AnnexApi(request));
    await request.dispose();
  },
  panel: async ({ page }, use) => {
    await use(new ExportPanelPage(page));
  },
});

export { expect };
