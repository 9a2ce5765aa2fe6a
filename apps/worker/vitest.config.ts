import { defineProject } from 'vitest/config';

// Integration tests of the worker against a real (embedded) PostgreSQL: each file gets its own
// migrated database from @lab/db/testing.
export default defineProject({
  test: {
    name: 'worker',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['../../packages/db/src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
