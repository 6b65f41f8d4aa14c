import { defineConfig } from '@playwright/test';
import { adminStorageState } from './e2e/support/e2e-accounts.ts';
import { e2eBaseUrl } from './e2e/support/e2e-settings.ts';

// The e2e suite drives Debian's Chromium against the real server (API, worker and the built panel) on
// a fresh temporary database; `npm run test:e2e` builds the panel first.
export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: process.env.CI !== undefined,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: e2eBaseUrl,
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    // Signs the admin in through the form once; the specs start from that browser state.
    { name: 'sign-in', testMatch: 'sign-in.setup.ts' },
    // The walkthrough starts from an empty export list, so it runs before anything else exports.
    {
      name: 'walkthrough',
      testMatch: 'export-walkthrough.spec.ts',
      dependencies: ['sign-in'],
      use: { storageState: adminStorageState },
    },
    {
      name: 'panel',
      testIgnore: ['export-walkthrough.spec.ts', 'sign-in.setup.ts'],
      dependencies: ['walkthrough'],
      use: { storageState: adminStorageState },
    },
  ],
  webServer: {
    command: 'node_modules/.bin/tsx e2e/support/e2e-server.ts',
    url: `${e2eBaseUrl}/readyz`,
    reuseExistingServer: false,
    timeout: 180_000,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
