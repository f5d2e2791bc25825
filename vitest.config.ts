import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Suites start real servers on ephemeral ports; files run in parallel, tests in a file in order.
    pool: 'forks',
  },
});
