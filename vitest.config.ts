import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: tests that start servers and browsers are heavy, so keep the pool small.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
