import { defineConfig } from 'vitest/config';

const SHARED_MODULE_TESTS = [
  'test/infra/**/*.test.ts',
  'test/checks/**/*.test.ts',
  'test/runbooks/**/*.test.ts',
  'test/sandbox/**/*.test.ts',
];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    // CDK synthesis is CPU-heavy: two workers on a 2-core machine, generous per-test time.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        // The files that synthesize the app or run its state machines share their modules
        // within a worker: aws-cdk-lib, cdk-nag and the synthesized templates are loaded once
        // per worker instead of once per file (the suite ran in half the time). Their code
        // keeps no state between files but the SDK mocks, which test/setup.ts restores.
        extends: true,
        test: { name: 'synth', include: SHARED_MODULE_TESTS, isolate: false },
      },
      {
        // Handlers read their environment and create their clients when loaded: each file
        // loads them afresh.
        extends: true,
        test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: SHARED_MODULE_TESTS },
      },
    ],
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
        // Measured on test/shop (85.2/82.6/84.5/77.7; branches one lower for the failover tests'
        // timing); server.ts and local/cli.ts run in child processes in their tests, unseen by V8.
        'shop/**': { lines: 85, statements: 82, functions: 84, branches: 76 },
      },
    },
  },
});
