import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'browser',
    include: ['test/**/*.test.ts'],
    // Unpacking the npm Chromium writes ~230 MB; launching it takes a few seconds on a busy machine.
    testTimeout: 120_000,
  },
});
