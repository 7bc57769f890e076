import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no server; `integration` runs against a real Temporal server and a
// real PostgreSQL that tests/setup/global-setup.ts provisions and starts.
export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default', './tests/setup/summary-reporter.ts'],
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/pathway/**/*.test.ts', 'tests/programs/**/*.test.ts', 'tests/replay/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/setup/global-setup.ts'],
          setupFiles: ['tests/setup/quiet-temporal.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
