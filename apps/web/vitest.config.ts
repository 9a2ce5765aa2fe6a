import { defineConfig } from 'vitest/config';

// Unit tests of the web app's helpers (src/lib) and its live streams (src/server/streams, against
// a real PostgreSQL); pages are covered by the e2e suite.
export default defineConfig({
  test: {
    name: 'web',
    include: ['src/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['../../packages/db/src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
