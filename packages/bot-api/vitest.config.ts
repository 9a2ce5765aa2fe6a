import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'bot-api',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../db/src/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
