import { defineConfig } from 'vitest/config';

// Unit tests run in parallel; tests that drive real servers, namespaces and DNS
// (integration, e2e) share the machine's two cores, so files run one at a time there.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
