import { defineConfig } from 'vitest/config';

/**
 * `npm run test:electron`: the real Electron window driven by Playwright (test/electron/). Not part
 * of `npm test`: it needs the Electron binary (`npx install-electron` downloads it) and a display.
 * Without the binary each test is skipped with the reason.
 */
export default defineConfig({
  test: {
    include: ['test/electron/**/*.electron.ts'],
    environment: 'node',
    globalSetup: ['test/support/out-freshness.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    maxWorkers: 1,
  },
});
