import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/kafka.ts', 'test/setup/postgres.ts', 'test/setup/flink.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: the Python cross-checks and CLI runs are heavy enough without oversubscribing.
    maxWorkers: 2,
  },
});
