import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real processes and files are involved in a few tests; keep them from starving each other on 2 cores.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
