import os from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { launchOptions, resolveBrowser } from '@lab/browser';

// Decided once in the runner process; workers inherit the environment.
process.env.E2E_PORT ??= String(3100 + Math.floor(Math.random() * 800));
process.env.LAB_E2E_PG_PORT ??= String(45000 + Math.floor(Math.random() * 10000));
process.env.LAB_E2E_STATE_FILE ??= path.join(
  os.tmpdir(),
  `lab-e2e-state-${process.env.E2E_PORT}.json`,
);
// The sign-up throttle of the e2e server (the specs read it to know where it bites).
process.env.LAB_SIGNUPS_PER_ADDRESS_PER_HOUR ??= '20';
const baseURL = `http://localhost:${process.env.E2E_PORT}`;

// The project's one Chromium (CHROMIUM_PATH, else a system Chromium, else the one npm installed),
// resolved in the runner and again in each worker (cached after the first unpack).
const browser = await launchOptions();
if (!process.env.TEST_WORKER_INDEX) console.log(`browser: ${(await resolveBrowser()).description}`);

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  fullyParallel: true,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { outputFolder: 'playwright-report', open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: browser,
  },
  projects: [
    {
      name: 'chromium',
      use: { ...devices['Desktop Chrome'], viewport: { width: 1440, height: 900 } },
    },
  ],
  webServer: {
    command: 'node --import tsx serve.ts',
    cwd: import.meta.dirname,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 240_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
  },
});
