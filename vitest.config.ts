import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // Fails the run when out/ is older than the sources (see the file for why it checks, not builds).
    globalSetup: ['test/support/out-freshness.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: tests that start servers and browsers are heavy, so keep the pool small.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
