import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'margin-engine',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
