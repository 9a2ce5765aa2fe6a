import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'market-data',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // statistical checks simulate years of market: seconds of CPU on a shared 2-core machine
    testTimeout: 30_000,
  },
});
