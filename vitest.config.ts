import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // CDK synthesis is CPU-heavy: two workers on a 2-core machine, generous per-test time.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    coverage: {
      provider: 'v8',
      include: [
        'functions/**/*.ts',
        'runbooks/**/*.ts',
        'infra/**/*.ts',
        'sandbox/**/*.ts',
        'shop/**/*.ts',
      ],
      reporter: ['text-summary', 'html', 'json-summary'],
      reportsDirectory: 'coverage',
      // The gate: per folder, the level measured when it was set (rounded down). A change that
      // lowers a folder's coverage fails `npm test`; raise a figure when a folder gains tests.
      thresholds: {
        'functions/lib/core/**': { lines: 98, statements: 98, functions: 99, branches: 90 },
        'functions/**': { lines: 95, statements: 94, functions: 96, branches: 85 },
        // Lowered once when issue 10's runbook work landed (measured 90.7/90.8/93.9/82.1).
        'runbooks/**': { lines: 90, statements: 90, functions: 93, branches: 82 },
        'infra/**': { lines: 87, statements: 85, functions: 91, branches: 77 },
        'sandbox/**': { lines: 81, statements: 81, functions: 86, branches: 75 },
      },
    },
  },
});
