import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Scratch copies of fixtures live in test/.tmp; never collect tests from there.
    exclude: ['test/.tmp/**', '**/node_modules/**'],
    // Bounds for a hung test, not speed checks: a busy CI machine must not fail a slow but correct test.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
