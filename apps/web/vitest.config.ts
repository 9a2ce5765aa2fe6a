import { defineConfig } from 'vitest/config';

// Unit tests of the web app's pure helpers (src/lib); pages are covered by the e2e suite.
export default defineConfig({
  test: { name: 'web', include: ['src/**/*.test.ts'], environment: 'node' },
});
