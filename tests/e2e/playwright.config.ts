import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: '../../.test-output/playwright.json' }]],
  outputDir: '../../test-results',
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    // A UK office PC: the page's Intl formatting and clock as on a UK-set computer. (Headless Chromium's
    // date inputs keep month-first whatever the locale; Electron on a UK PC shows day-first.)
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    launchOptions: {
      // Debian's Chromium (apt-get install chromium); Playwright never downloads a browser here.
      executablePath: process.env.NEEDMAP_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
    trace: 'off',
  },
});
